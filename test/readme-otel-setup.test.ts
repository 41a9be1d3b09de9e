import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { EntityDocument } from '../src/exporter/document.js';
import { startLocalDaemon } from '../src/local-daemon/index.js';
import { expectValidDocuments } from './support/schema.js';

// A user with an OpenTelemetry service copies the README's set-up and starts the service the way
// the README says. The snippet and the command are read from the README itself, so what it shows
// is what runs here: an ES module service, built package (`npm test` builds first).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SECTION = README.split('\n## ').find((s) => s.startsWith('Add X-Ray to an existing OpenTelemetry setup')) ?? '';

// Inside the repository, so that `xray-otel-bridge` resolves to this package by its own name.
mkdirSync(join(ROOT, '.scratch'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.scratch', 'readme-otel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An HTTP service that calls itself with fetch and records a child span of the request. */
const APP = `
import http from 'node:http';
import { trace } from '@opentelemetry/api';

const server = http.createServer((req, res) => {
  trace.getActiveSpan()?.setAttribute('customer.tier', 'gold');
  trace.getTracer('shop').startActiveSpan('price-cart', (span) => {
    span.end();
    res.end('ok');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const response = await fetch('http://127.0.0.1:' + server.address().port + '/checkout');
await response.text();
server.close();
await trace.getTracerProvider().getDelegate().forceFlush();
`;

function codeBlock(language: string, containing: string): string | undefined {
  for (const m of SECTION.matchAll(/```(\w+)\n([\s\S]*?)```/g)) if (m[1] === language && m[2]!.includes(containing)) return m[2];
  return undefined;
}

describe("the README's OpenTelemetry set-up, in an ES module service", () => {
  it('gives the set-up as code and the command that starts the service with it', () => {
    expect(codeBlock('ts', 'new XRayUdpSpanExporter(')).toBeDefined();
    expect(codeBlock('sh', '--import ./tracing.mjs')).toBeDefined();
  });

  it('says what to install: every package the set-up imports, at the versions this package is tested with', () => {
    const install = codeBlock('sh', 'npm install xray-otel-bridge') ?? '';
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const listed = new Map([...install.matchAll(/(@opentelemetry\/[\w-]+)@(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    expect(listed.size).toBeGreaterThan(0);
    for (const [name, range] of listed) expect(range, name).toBe(pkg.devDependencies[name]);
    const imported = [...(codeBlock('ts', 'new XRayUdpSpanExporter(') ?? '').matchAll(/from '(@opentelemetry\/[\w-]+)'/g)].map((m) => m[1]!);
    for (const name of imported) expect(listed.has(name) || name in pkg.dependencies, name).toBe(true);
  });

  it('started as the README says, traces the incoming request, the fetch and the child span as one trace', async () => {
    writeFileSync(join(dir, 'tracing.mjs'), codeBlock('ts', 'new XRayUdpSpanExporter(') ?? '');
    writeFileSync(join(dir, 'app.mjs'), APP);
    const command = (codeBlock('sh', '--import ./tracing.mjs') ?? '').split('\n').find((line) => line.includes('--import ./tracing.mjs')) ?? '';
    const [node, ...args] = command.replace(/#.*$/, '').trim().split(/\s+/);
    expect(node).toBe('node');

    const daemon = await startLocalDaemon({ address: '127.0.0.1:0', quietMs: 100 });
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, AWS_XRAY_DAEMON_ADDRESS: daemon.address.daemonAddress };
      delete env.AWS_LAMBDA_FUNCTION_NAME;
      delete env.LAMBDA_TASK_ROOT;
      const { stderr } = await promisify(execFile)(process.execPath, args, { cwd: dir, env });
      expect(stderr).toBe('');
      const deadline = Date.now() + 10_000;
      while (daemon.stats.datagrams < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      daemon.flush();

      expect(daemon.stats.rejected).toBe(0);
      const traces = daemon.traces();
      expect(traces).toHaveLength(1);
      const documents = traces[0]!.documents as unknown as EntityDocument[];
      expectValidDocuments(documents);
      // The fetch is the root (nothing was active); the request it made continues its trace.
      const service = documents.find((d) => d.name === 'checkout');
      expect(service, 'a segment for the SERVER span, named after service.name').toBeDefined();
      expect(service).toMatchObject({
        parent_id: expect.any(String),
        http: { request: { method: 'GET' }, response: { status: 200 } },
        annotations: { 'customer.tier': 'gold' },
        subsegments: [{ name: 'price-cart' }],
      });
    } finally {
      await daemon.close();
    }
  }, 60_000);
});
