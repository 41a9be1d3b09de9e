import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startLocalDaemon, type LocalDaemon } from '../src/local-daemon/server.js';
import { registerXRay, type XRayRegistration } from '../src/setup/register.js';
import { capturingLogger } from './fixtures/recorder-harness.js';
import { binomialInterval } from './support/binomial.js';

const dir = mkdtempSync(join(tmpdir(), 'xray-remote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/**
 * Rules: GET /probe always (the fallback's 1/s + 5% cannot pass for it, so it shows when the rules
 * are in force), GET /api/* at `apiRate`, everything else at 10%; no reservoirs, so shares are
 * plain binomials.
 */
function writeRules(file: string, apiRate: number): void {
  writeFileSync(
    file,
    JSON.stringify({
      version: 2,
      rules: [
        { description: 'probe', host: '*', http_method: 'GET', url_path: '/probe', fixed_target: 0, rate: 1 },
        { description: 'api', host: '*', http_method: 'GET', url_path: '/api/*', fixed_target: 0, rate: apiRate },
      ],
      default: { fixed_target: 0, rate: 0.1 },
    }),
  );
}

/**
 * A real HTTP service under OTel's HTTP instrumentation. Each response carries the X-Amzn-Trace-Id
 * the service would send downstream, so the client sees the decision as a downstream service would.
 */
async function startService(reg: XRayRegistration): Promise<string> {
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const instrumentation = new HttpInstrumentation({ ignoreOutgoingRequestHook: () => true });
  instrumentation.setTracerProvider(reg.provider);
  instrumentation.enable();
  // The instrumentation patches the CommonJS module object.
  const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const server = http.createServer((_req, res) => {
    const downstream: Record<string, string> = {};
    propagation.inject(context.active(), downstream);
    res.end(downstream['x-amzn-trace-id'] ?? 'none');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () => instrumentation.disable(),
    () => new Promise((resolve) => server.close(resolve)),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends `n` GETs, 8 at a time; returns how many the service sampled (`Sampled=1` downstream). */
async function sampledOf(base: string, path: string, n: number): Promise<number> {
  let sampled = 0;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const header = await (await fetch(base + path)).text();
      expect(header).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$/);
      if (header.endsWith('Sampled=1')) sampled++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return sampled;
}

/** Waits until a run of 20 requests to `path` comes back all sampled (or all not): the new rules are in force. */
async function waitForRate(base: string, path: string, sampled: boolean): Promise<void> {
  await vi.waitFor(
    async () => {
      expect(await sampledOf(base, path, 20)).toBe(sampled ? 20 : 0);
    },
    { timeout: 25_000, interval: 200 },
  );
}

/** Five share checks run in this file; at 99.99% each, a correct sampler fails it about once in 2,000 runs. */
function expectWithin(count: number, n: number, p: number): void {
  const [lo, hi] = binomialInterval(n, p, 0.9999);
  expect(count, `${count} of ${n} sampled; Binomial(${n}, ${p}) 99.99% interval [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo);
  expect(count).toBeLessThanOrEqual(hi);
}

describe("registerXRay({ sampling: 'remote' }) against the local daemon", () => {
  it('fetches the rules, samples 2,000 requests by them, reports the statistics, and follows a changed file and a restarted daemon', async () => {
    const file = join(dir, 'rules.json');
    writeRules(file, 0.5);
    let daemon: LocalDaemon = await startLocalDaemon({ address: '127.0.0.1:0', samplingRulesFile: file, samplingIntervalSeconds: 1 });
    cleanup.push(() => daemon.close());
    const logger = capturingLogger();
    const reg = registerXRay({ serviceName: 'shop', daemonAddress: daemon.address.daemonAddress, sampling: 'remote', logger });
    cleanup.push(() => reg.shutdown());
    const base = await startService(reg);

    // The sampler asks for the rules as it starts; until they arrive the default rule applies.
    await waitForRate(base, '/probe', true);
    expect(daemon.sampling.snapshot().rulesFetches).toBeGreaterThanOrEqual(1);

    const api = await sampledOf(base, '/api/orders', 1000);
    const health = await sampledOf(base, '/health', 1000);
    expectWithin(api, 1000, 0.5);
    expectWithin(health, 1000, 0.1);

    const trafficEnded = Date.now() / 1000;

    // Statistics reach the daemon with the targets polls (the first 10 s after start, as in X-Ray).
    // Wait for one after the traffic: everything still counted has been reported by then.
    await vi.waitFor(
      () => {
        for (const rule of daemon.sampling.snapshot().rules) expect(rule.lastReportAt).toBeGreaterThan(trafficEnded);
      },
      { timeout: 25_000, interval: 250 },
    );
    const [, apiRule, defaultRule] = daemon.sampling.snapshot().rules;
    // @opentelemetry/sampler-aws-xray 0.3.0 drops what it counts while a targets call is in flight
    // (the applier it builds from the answer resets the shared statistics), so under traffic the
    // reports can fall short of the requests; what is reported still has the rules' shares.
    for (const [rule, measured, rate] of [
      [apiRule!, api, 0.5],
      [defaultRule!, health, 0.1],
    ] as const) {
      expect(rule.counts.requests).toBeGreaterThan(0);
      expect(rule.counts.requests).toBeLessThanOrEqual(1000);
      expect(rule.counts.sampled).toBeLessThanOrEqual(measured);
      expectWithin(rule.counts.sampled, rule.counts.requests, rate);
      expect(rule.counts.borrowed).toBe(0);
    }
    // The file changes: the daemon re-reads it, the sampler's next targets poll sees the new
    // LastRuleModification and fetches the rules again.
    writeRules(file, 1);
    await waitForRate(base, '/api/orders', true);
    expect(await sampledOf(base, '/api/orders', 200)).toBe(200);
    // The daemon restarts on the same address with other rules.
    const address = daemon.address.daemonAddress;
    await daemon.close();
    writeRules(file, 0);
    daemon = await startLocalDaemon({ address, samplingRulesFile: file, samplingIntervalSeconds: 1 });
    await waitForRate(base, '/api/orders', false);
    expect(await sampledOf(base, '/api/orders', 200)).toBe(0);
    expect(logger.warnings()).toEqual([]);
  }, 150_000);

  it('with the daemon\'s TCP port closed: the default rule (1/s + 5%), said once, nothing thrown', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const logger = capturingLogger();
    const reg = registerXRay({ serviceName: 'shop', daemonAddress: `127.0.0.1:${port}`, sampling: 'remote', logger });
    cleanup.push(() => reg.shutdown());
    const tracer = trace.getTracer('t');
    const n = 2000;
    const firstSecond = Math.floor(Date.now() / 1000);
    let sampled = 0;
    for (let i = 0; i < n; i++) {
      const span = tracer.startSpan('GET /api/orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/api/orders' } });
      if (span.isRecording()) sampled++;
      span.end();
    }
    // At most one borrowed per second begun, then 5% of the rest.
    const seconds = Math.floor(Date.now() / 1000) - firstSecond + 1;
    const [lo, hi] = binomialInterval(n, 0.05, 0.9999);
    expect(sampled).toBeGreaterThanOrEqual(lo - seconds);
    expect(sampled).toBeLessThanOrEqual(hi + seconds);

    await vi.waitFor(() => expect(logger.warnings()).toHaveLength(1));
    expect(logger.warnings()[0]).toMatch(
      new RegExp(`sampling API at http://127\\.0\\.0\\.1:${port} did not answer \\(ECONNREFUSED\\); the default rule applies \\(1 request per second, then 5%\\)`),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(logger.warnings()).toHaveLength(1);
  });
});
