import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ExporterOptionError } from '../src/common/errors.js';
import { XRayUdpSpanExporter } from '../src/exporter/xray-udp-exporter.js';
import { splitDatagram } from '../src/transport/header.js';
import { fakeSpan, spanId } from './support/spans.js';
import { expectValidDocument } from './support/schema.js';

// `sendFrom: 'worker-thread'` as users get it: the built package (`npm test` builds first) in a
// child process, which finds dist/xray-otel-bridge-udp-worker.mjs next to its code, sending to real UDP sockets on
// loopback. Run from src/ (as the last tests here are), the worker file is not next to the code,
// which is what a user who bundled the library sees: the exporter must fall back.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** A stand-in daemon: a UDP socket on loopback that keeps every datagram. */
async function daemon() {
  const socket = dgram.createSocket('udp4');
  // Bursts of large datagrams must not overflow the receive buffer of a socket on loopback.
  const datagrams: Buffer[] = [];
  socket.on('message', (msg) => datagrams.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  return {
    datagrams,
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    async waitFor(n: number) {
      for (let i = 0; i < 300 && datagrams.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

type Daemon = Awaited<ReturnType<typeof daemon>>;
const daemons: Daemon[] = [];
async function openDaemon(): Promise<Daemon> {
  const d = await daemon();
  daemons.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.close()));
});

/** A loopback address where nothing listens (a daemon's, closed again). */
async function closedAddress(): Promise<string> {
  const closed = await daemon();
  await closed.close();
  return closed.address;
}

/**
 * The child's common part: the package by its name, a logger that prints warnings as JSON lines,
 * and `traces(n, bytes)`: n ended traces of a server span and three nested children, built once
 * (explicit times and parents) so that several exporters can be given the very same spans.
 */
const PRELUDE = `
import { context, trace, SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { XRayUdpSpanExporter } from 'xray-otel-bridge';
const warnings = [];
const logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
const tracer = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'orders' }) }).getTracer('worker-thread-test');
function traces(n, bytes = 0) {
  const spans = [];
  for (let t = 0; t < n; t++) {
    const start = [1_700_000_000 + t, 0];
    const root = tracer.startSpan('GET /orders/' + t, { kind: SpanKind.SERVER, startTime: start, attributes: {
      'http.request.method': 'GET', 'url.path': '/orders/' + t, 'http.response.status_code': 200,
      note: 'façade ☕ 注文 ' + 'x'.repeat(bytes) } });
    let parent = root;
    const children = [];
    for (let c = 0; c < 3; c++) {
      parent = tracer.startSpan('step ' + c, { startTime: [start[0], (c + 1) * 1000], attributes: { depth: c } }, trace.setSpan(context.active(), parent));
      children.push(parent);
    }
    for (const child of children.reverse()) { child.end([start[0], 900_000]); spans.push(child); }
    root.end([start[0] + 1, 0]);
    spans.push(root);
  }
  return spans;
}
const exportAll = (exporter, spans) => new Promise((resolve) => exporter.export(spans, resolve));
const out = (value) => console.log(JSON.stringify(value));
`;

/** Runs `body` after the prelude as an ES module in a child process; its stdout lines parsed as JSON. */
async function child(body: string, timeout = 20_000): Promise<{ lines: unknown[]; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', PRELUDE + body], { cwd: ROOT, timeout });
  return { lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown), stderr };
}

interface Stats {
  datagramsSent: number;
  bytesSent: number;
  datagramsDropped: number;
  documentsExported: number;
  sendErrors: Record<string, number>;
}

describe("XRayUdpSpanExporter with sendFrom: 'worker-thread', from the built package", () => {
  it('sends byte for byte the datagrams the main thread sends, every document valid, and stats are complete once forceFlush resolves', async () => {
    const [main, worker] = [await openDaemon(), await openDaemon()];
    const { lines, stderr } = await child(`
      const spans = traces(10, 200);
      const onMain = new XRayUdpSpanExporter({ daemonAddress: '${main.address}', logger });
      const onWorker = new XRayUdpSpanExporter({ daemonAddress: '${worker.address}', logger, sendFrom: 'worker-thread' });
      const results = [await exportAll(onMain, spans.slice(0, 20)), await exportAll(onWorker, spans.slice(0, 20))];
      results.push(await exportAll(onMain, spans.slice(20)), await exportAll(onWorker, spans.slice(20)));
      await onWorker.forceFlush();
      out({ results, flushed: onWorker.stats() });
      await Promise.all([onMain.shutdown(), onWorker.shutdown()]);
      out({ warnings });
    `);
    expect(stderr).toBe('');
    const [{ results, flushed }, { warnings }] = lines as [{ results: { code: number }[]; flushed: Stats }, { warnings: string[] }];
    // No fallback warning: the worker ran.
    expect(warnings).toEqual([]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    await Promise.all([main.waitFor(10), worker.waitFor(10)]);
    expect(worker.datagrams).toHaveLength(10);
    expect(worker.datagrams.map((d) => d.toString('hex'))).toEqual(main.datagrams.map((d) => d.toString('hex')));
    for (const d of worker.datagrams) {
      const verdict = splitDatagram(d);
      expect(verdict.ok).toBe(true);
      if (verdict.ok) expectValidDocument(JSON.parse(verdict.body));
    }
    expect(flushed).toMatchObject({ documentsExported: 10, datagramsSent: 10, datagramsDropped: 0, sendErrors: {} });
    expect(flushed.bytesSent).toBe(worker.datagrams.reduce((sum, d) => sum + d.length, 0));
  });

  it('works the same when the package is loaded with require()', async () => {
    const stand = await openDaemon();
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '-e',
        `const { XRayUdpSpanExporter } = require('xray-otel-bridge');
         const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
         const { resourceFromAttributes } = require('@opentelemetry/resources');
         const warnings = [];
         const logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
         const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', sendFrom: 'worker-thread', logger });
         const span = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'orders' }) }).getTracer('cjs').startSpan('from require');
         span.end();
         exporter.export([span], async () => {
           await exporter.shutdown();
           console.log(JSON.stringify({ stats: exporter.stats(), warnings }));
         });`,
      ],
      { cwd: ROOT, timeout: 20_000 },
    );
    expect(stderr).toBe('');
    const { stats, warnings } = JSON.parse(stdout) as { stats: Stats; warnings: string[] };
    expect(warnings).toEqual([]);
    expect(stats).toMatchObject({ datagramsSent: 1, datagramsDropped: 0 });
    await stand.waitFor(1);
    const verdict = splitDatagram(stand.datagrams[0]!);
    expect(verdict.ok && (JSON.parse(verdict.body) as { name: string }).name).toBe('from require');
  });

  it('bounds what waits for the worker at 4 MiB: beyond it datagrams are dropped, counted and warned about, and every export still calls back', async () => {
    const stand = await openDaemon();
    // 100 exports of one 50 KB document in one turn of the event loop: the worker cannot have
    // answered any of them yet, so about 83 fit under the bound and the rest are dropped.
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', logger, sendFrom: 'worker-thread' });
      const roots = traces(100, 50_000).filter((s) => s.parentSpanContext === undefined);
      let calledBack = 0;
      for (const root of roots) exporter.export([root], () => calledBack++);
      const dropped = exporter.stats().datagramsDropped;
      await exporter.forceFlush();
      out({ dropped, calledBack, stats: exporter.stats(), warnings });
      await exporter.shutdown();
    `);
    const [{ dropped, calledBack, stats, warnings }] = lines as [{ dropped: number; calledBack: number; stats: Stats; warnings: string[] }];
    expect(stats.documentsExported).toBe(100);
    expect(dropped).toBeGreaterThanOrEqual(10);
    expect(dropped).toBeLessThanOrEqual(25);
    expect(stats.datagramsDropped).toBe(dropped);
    expect(stats.datagramsSent + stats.datagramsDropped).toBe(100);
    expect(calledBack).toBe(100);
    // Exported in the turn that built the exporter: the worker was still starting.
    expect(warnings).toEqual([expect.stringMatching(/worker thread is still starting \(4 MiB of datagrams wait for it\); dropped 1 datagram/)]);
    await stand.waitFor(stats.datagramsSent);
    expect(stand.datagrams.length).toBeLessThanOrEqual(stats.datagramsSent);
  });

  it('takes an export larger than the bound whole when nothing waits for the worker: its documents are in memory already', async () => {
    const stand = await openDaemon();
    // One BatchSpanProcessor-sized export of 100 documents of 50 KB (5 MB) to a worker that is idle.
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', logger, sendFrom: 'worker-thread' });
      await exportAll(exporter, traces(1));
      await exporter.forceFlush();
      const roots = traces(100, 50_000).filter((s) => s.parentSpanContext === undefined);
      await exportAll(exporter, roots);
      await exporter.forceFlush();
      out({ stats: exporter.stats(), warnings });
      await exporter.shutdown();
    `);
    const [{ stats, warnings }] = lines as [{ stats: Stats; warnings: string[] }];
    expect(warnings).toEqual([]);
    expect(stats).toMatchObject({ documentsExported: 101, datagramsSent: 101, datagramsDropped: 0 });
  });

  it('keeps a worker that was ready while the application blocked its event loop past the 5 s start deadline', async () => {
    const stand = await openDaemon();
    // Tracing set up first, then the application's synchronous start-up (loading modules, building
    // caches) holds the event loop: the overdue deadline must not beat the waiting "ready".
    const { lines } = await child(
      `
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', logger, sendFrom: 'worker-thread' });
      const until = Date.now() + 5_300;
      while (Date.now() < until);
      await new Promise((r) => setTimeout(r, 200));
      await exportAll(exporter, traces(1));
      await exporter.forceFlush();
      out({ stats: exporter.stats(), warnings });
      await exporter.shutdown();
    `,
      30_000,
    );
    const [{ stats, warnings }] = lines as [{ stats: Stats; warnings: string[] }];
    expect(warnings).toEqual([]);
    expect(stats).toMatchObject({ datagramsSent: 1, datagramsDropped: 0 });
  }, 40_000);

  it('never keeps a process alive: one that exports and never shuts down exits by itself, after its datagrams left', async () => {
    const stand = await openDaemon();
    const started = Date.now();
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', logger, sendFrom: 'worker-thread' });
      exporter.export(traces(3), () => {});
      out({ exported: true });
    `);
    expect(lines).toEqual([{ exported: true }]);
    // The worker's own idle life is endless: exiting at all is the proof; within a few seconds, not at a timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
    await stand.waitFor(3);
    expect(stand.datagrams).toHaveLength(3);
  });

  it('exits by itself when the worker was started and never used', async () => {
    const { lines } = await child(`
      new XRayUdpSpanExporter({ daemonAddress: '127.0.0.1:9', logger, sendFrom: 'worker-thread' });
      setTimeout(() => out({ warnings }), 200);
    `);
    expect(lines).toEqual([{ warnings: [] }]);
  });

  it('shutdown() sends what was exported, ends the worker, then resolves, even when nothing else keeps the process alive; later exports fail', async () => {
    const stand = await openDaemon();
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${stand.address}', logger, sendFrom: 'worker-thread' });
      exporter.export(traces(4), () => {});
      // A second call while the first runs waits for the same end.
      void exporter.shutdown();
      await exporter.shutdown();
      const after = exporter.stats();
      await exporter.shutdown();
      const late = await exportAll(exporter, traces(1));
      out({ after, late: { code: late.code, error: late.error?.name }, warnings });
    `);
    const [{ after, late, warnings }] = lines as [{ after: Stats; late: { code: number; error: string }; warnings: string[] }];
    expect(after).toMatchObject({ datagramsSent: 4, datagramsDropped: 0 });
    expect(late).toEqual({ code: 1, error: 'ExporterShutDownError' });
    expect(warnings).toEqual([]);
    await stand.waitFor(4);
    expect(stand.datagrams).toHaveLength(4);
  });

  it("passes the worker's warnings to the application's logger, rate-limited as from the main thread, with its error counts in the stats", async () => {
    // A port nobody listens on: the connected socket hears ECONNREFUSED for what it sent.
    const address = await closedAddress();
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${address}', logger, sendFrom: 'worker-thread' });
      for (let i = 0; i < 20; i++) {
        await exportAll(exporter, traces(1));
        await new Promise((r) => setTimeout(r, 5));
      }
      await exporter.forceFlush();
      await exporter.shutdown();
      out({ stats: exporter.stats(), warnings });
    `);
    const [{ stats, warnings }] = lines as [{ stats: Stats; warnings: string[] }];
    expect(warnings).toEqual([expect.stringMatching(/nothing listens at X-Ray daemon 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)]);
    expect(stats.sendErrors.ECONNREFUSED).toBeGreaterThanOrEqual(1);
    expect(stats.datagramsSent + stats.sendErrors.ECONNREFUSED!).toBe(20);
  });

  it('reports an error the host answers after its batch was acknowledged, without another export or a flush', async () => {
    const address = await closedAddress();
    // The first send goes out unconnected (Linux reports no ICMP error to such a socket); once idle
    // the socket connects, and each later datagram is refused after the worker acknowledged it.
    // The first refusal comes with the warning; the second only with the worker's stats report.
    const { lines } = await child(`
      const exporter = new XRayUdpSpanExporter({ daemonAddress: '${address}', logger, sendFrom: 'worker-thread' });
      for (let i = 0; i < 3; i++) {
        await exportAll(exporter, traces(1));
        await exporter.forceFlush();
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1200));
      out({ stats: exporter.stats(), warnings: warnings.length });
      await exporter.shutdown();
    `);
    const [{ stats, warnings }] = lines as [{ stats: Stats; warnings: number }];
    expect(warnings).toBe(1);
    expect(stats.sendErrors).toEqual({ ECONNREFUSED: 2 });
    expect(stats.datagramsSent).toBe(1);
  });
});

describe("XRayUdpSpanExporter with sendFrom: 'worker-thread' under a NODE_OPTIONS preload that sets up tracing", () => {
  it('runs the preload once, in the application: the worker does not load it (it would start a worker of its own, and so on)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xray-preload-'));
    try {
      const preload = join(dir, 'tracing.cjs');
      await writeFile(
        preload,
        `const { threadId } = require('node:worker_threads');
         require('node:fs').appendFileSync(${JSON.stringify(join(dir, 'runs'))}, threadId + '\\n');
         const { XRayUdpSpanExporter } = require(${JSON.stringify(join(ROOT, 'dist/index.cjs'))});
         globalThis.xrayExporter = new XRayUdpSpanExporter({ daemonAddress: '127.0.0.1:9', sendFrom: 'worker-thread' });`,
      );
      await run(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], {
        cwd: dir,
        timeout: 20_000,
        env: { ...process.env, NODE_OPTIONS: `--require ${preload}` },
      });
      expect((await readFile(join(dir, 'runs'), 'utf8')).split('\n').filter(Boolean)).toEqual(['0']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("XRayUdpSpanExporter with sendFrom: 'worker-thread' where its worker file is missing (bundled code; here: src/)", () => {
  it('warns once, sends from the main thread instead, and loses nothing exported before the worker failed', async () => {
    const stand = await openDaemon();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const exporter = new XRayUdpSpanExporter({ daemonAddress: stand.address, logger, sendFrom: 'worker-thread' });
    const traceId = '5759e988bd862e3fe1be46a994272793';
    const spans = Array.from({ length: 5 }, () => fakeSpan({ traceId, spanId: spanId() }));
    // Exported at once, while the worker is still starting: held, then sent from here.
    const results = await Promise.all(spans.map((s) => new Promise<{ code: number }>((resolve) => exporter.export([s], resolve))));
    await exporter.forceFlush();
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(exporter.stats()).toMatchObject({ documentsExported: 5, datagramsSent: 5, datagramsDropped: 0 });
    exporter.export([fakeSpan({ traceId, spanId: spanId() })], () => {});
    await exporter.shutdown();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^cannot start the X-Ray UDP worker thread of sendFrom: 'worker-thread' \(.*xray-otel-bridge-udp-worker\.mjs.*\); sending from the main thread instead\. A bundled application must ship xray-otel-bridge\/dist\/xray-otel-bridge-udp-worker\.mjs next to its bundle$/,
      ),
    ]);
    await stand.waitFor(6);
    expect(stand.datagrams).toHaveLength(6);
    for (const d of stand.datagrams) {
      const verdict = splitDatagram(d);
      expect(verdict.ok).toBe(true);
      if (verdict.ok) expectValidDocument(JSON.parse(verdict.body));
    }
  });
});

describe('the sendFrom option', () => {
  it('rejects any other value with a clear error from the constructor', () => {
    expect(() => new XRayUdpSpanExporter({ sendFrom: 'worker' as never })).toThrow(ExporterOptionError);
    expect(() => new XRayUdpSpanExporter({ sendFrom: 'worker' as never })).toThrow(`sendFrom must be 'main-thread' or 'worker-thread', got "worker"`);
    expect(() => new XRayUdpSpanExporter({ sendFrom: true as never })).toThrow(/got true$/);
  });

  it("defaults to the main thread, as does an explicit 'main-thread'", async () => {
    const stand = await openDaemon();
    for (const sendFrom of [undefined, 'main-thread'] as const) {
      const exporter = new XRayUdpSpanExporter({ daemonAddress: stand.address, sendFrom });
      // From the main thread a datagram is handed to the socket before the export calls back: no flush needed.
      await new Promise((resolve) => exporter.export([fakeSpan()], resolve));
      expect(exporter.stats().datagramsSent).toBe(1);
      await exporter.shutdown();
    }
  });
});
