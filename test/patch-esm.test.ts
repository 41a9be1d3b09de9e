import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { bundleForNode } from './support/bundle.js';
import { linkModules } from './support/linked-modules.js';
import { expectValidDocuments } from './support/schema.js';

// An ES module application in a directory of its own: `import pg from 'pg'` is evaluated before
// any line of the module's body, so a patch() in the body comes after the import.
const run = promisify(execFile);
let dir: string;

const APP = `
import pg from 'pg';
import { xrayRecorder } from './xray-otel-bridge.mjs';
const warnings = [];
xrayRecorder.configure({ logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
const result = xrayRecorder.patch(['pg']);
process.stdout.write(JSON.stringify({ patched: result.patched, wrapped: pg.Client.prototype.query.__wrapped === true, warnings }));
`;

// An express application importing express and http before patching; under the loader both are
// patched all the same, errors included (express is patched as the instrumentation is made).
const EXPRESS_APP = `
import express from 'express';
import http from 'node:http';
import dgram from 'node:dgram';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerXRay, toSegmentDocuments } from './xray-otel-bridge.mjs';
const warnings = [];
const daemon = dgram.createSocket('udp4');
await new Promise((r) => daemon.bind(0, '127.0.0.1', r));
const spans = new InMemorySpanExporter();
const reg = registerXRay({
  serviceName: 'shop',
  daemonAddress: '127.0.0.1:' + daemon.address().port,
  spanProcessors: [new SimpleSpanProcessor(spans)],
  patch: ['express'],
  logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
});
const app = express();
app.get('/fail', () => {
  throw new Error('boom');
});
const server = http.createServer(app);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const res = await fetch('http://127.0.0.1:' + server.address().port + '/fail');
await res.text();
for (let i = 0; i < 200 && spans.getFinishedSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
const segments = toSegmentDocuments(spans.getFinishedSpans());
await new Promise((r) => server.close(r));
await reg.shutdown();
daemon.close();
process.stdout.write(JSON.stringify({ patched: reg.patch.patched, status: res.status, segments, warnings }));
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patch-esm-'));
  linkModules(join(dir, 'node_modules'));
  await bundleForNode('src/index.ts', join(dir, 'xray-otel-bridge.mjs'));
  await bundleForNode('src/patch/register-loader.ts', join(dir, 'register.mjs'));
  writeFileSync(join(dir, 'app.mjs'), APP);
  writeFileSync(join(dir, 'express-app.mjs'), EXPRESS_APP);
  // The same application, with pg loaded by require() (createRequire) instead of import.
  writeFileSync(join(dir, 'app-require.mjs'), APP.replace("import pg from 'pg';", "import { createRequire } from 'node:module';\nconst pg = createRequire(import.meta.url)('pg');"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function app(nodeArgs: string[], entry = 'app.mjs'): Promise<{ patched: string[]; wrapped: boolean; warnings: string[] }> {
  const { stdout } = await run(process.execPath, ['--no-warnings', ...nodeArgs, entry], { cwd: dir });
  return JSON.parse(stdout) as { patched: string[]; wrapped: boolean; warnings: string[] };
}

describe('ES modules: node --import xray-otel-bridge/register', () => {
  it('without it, a module imported before patch() stays unpatched, and the warning says how to fix it', async () => {
    const out = await app([]);
    expect(out.patched).toEqual(['pg']);
    expect(out.wrapped).toBe(false);
    expect(out.warnings).toEqual([expect.stringMatching(/pg was loaded before it was patched.*node --import xray-otel-bridge\/register --import \.\/tracing\.mjs app\.mjs/)]);
  });

  it('with it, patch() reaches the module the application imported before, and says nothing', async () => {
    const out = await app(['--import', './register.mjs']);
    expect(out.patched).toEqual(['pg']);
    expect(out.wrapped).toBe(true);
    expect(out.warnings).toEqual([]);
  });

  it('with it, a module loaded by require() before patch() is still unpatched, and the warning says so', async () => {
    const out = await app(['--import', './register.mjs'], 'app-require.mjs');
    expect(out.wrapped).toBe(false);
    expect(out.warnings).toEqual([expect.stringMatching(/^patch\('pg'\): pg was loaded before it was patched.*first in the entry module$/)]);
  });

  it('with it, an express app imported before patch() makes its segments, errors included, with no warning', async () => {
    const { stdout } = await run(process.execPath, ['--no-warnings', '--import', './register.mjs', 'express-app.mjs'], { cwd: dir });
    const out = JSON.parse(stdout) as { patched: string[]; status: number; segments: SegmentDocument[]; warnings: string[] };
    expect(out.patched.sort()).toEqual(['express', 'http']);
    expect(out.status).toBe(500);
    expectValidDocuments(out.segments);
    expect(out.segments).toEqual([
      expect.objectContaining({ name: 'shop', fault: true, http: expect.objectContaining({ response: { status: 500 } }), cause: expect.objectContaining({ exceptions: [expect.objectContaining({ message: 'boom' })] }) }),
    ]);
    expect(out.warnings).toEqual([]);
  });
});
