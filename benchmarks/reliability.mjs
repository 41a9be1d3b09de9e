#!/usr/bin/env node
// The reliability suite (`npm run test:reliability`; `-- --quick` is the shortened CI run).
// Probes the library as a user's application would, through its public API only (the build in
// dist/), and the local daemon stand-in as a hostile sender would. Every probe says what it sent,
// what arrived, what was dropped and why. The run fails (exit 1) on any throw into the
// application, any document X-Ray would not take as sent, any crash, or any loss that stats()
// does not count. Writes benchmarks/results/reliability.{md,json} (quick: reliability-quick.*).
import { createSocket } from 'node:dgram';
import { writeFile, mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadBridge } from './lib/bridge.mjs';
import { machineInfo } from './lib/runner.mjs';

const QUICK = process.argv.includes('--quick');
const SIZES = QUICK
  ? { hostileRounds: 3, recorderSequences: 300, concurrent: 500, soakUnits: 60_000, garbage: 5_000 }
  : { hostileRounds: 20, recorderSequences: 3_000, concurrent: 2_000, soakUnits: 300_000, garbage: 20_000 };

const { XRayUdpSpanExporter, registerXRay, xrayRecorder } = await loadBridge();
const { startLocalDaemon } = await import('../dist/local-daemon.js');
const log = (line) => console.error(line);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = () => globalThis.gc?.();

// A crash anywhere is a failure of the whole run, recorded rather than lost.
const crashes = [];
process.on('uncaughtException', (err) => crashes.push(`uncaught exception: ${err?.stack ?? err}`));
process.on('unhandledRejection', (err) => crashes.push(`unhandled rejection: ${err?.stack ?? err}`));

/** A seeded PRNG (mulberry32): a failing sequence can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stand-in as the receiving end: counts arrivals and keeps the first problems. */
async function receiver() {
  const daemon = await startLocalDaemon({ address: '127.0.0.1:0', quietMs: 100, maxTraces: 100_000 });
  const r = { daemon, arrived: 0, notAsSent: 0, problems: [], docs: [] };
  daemon.on('datagram', (d) => {
    r.arrived++;
    if (d.verdict !== 'accepted') {
      r.notAsSent++;
      if (r.problems.length < 5) r.problems.push(`${d.verdict}: ${[...d.errors, ...d.warnings].slice(0, 3).join('; ')}`);
    } else if (r.keep) r.docs.push(d.document);
  });
  r.waitFor = async (n, ms = 10_000) => {
    for (let waited = 0; r.arrived < n && waited < ms; waited += 20) await sleep(20);
  };
  return r;
}

function exporterLoss(stats) {
  const errors = Object.values(stats.sendErrors).reduce((a, b) => a + b, 0);
  return { errors, unaccounted: stats.documentsExported - stats.datagramsSent - stats.datagramsDropped - errors };
}

const probes = [];
async function probe(name, fn) {
  log(`· ${name}`);
  const started = Date.now();
  const p = { name, sent: '', arrived: '', dropped: '', notes: [], failures: [] };
  try {
    await fn(p);
  } catch (err) {
    p.failures.push(`probe threw: ${err?.stack ?? err}`);
  }
  p.seconds = (Date.now() - started) / 1000;
  p.ok = p.failures.length === 0;
  probes.push(p);
  log(`  ${p.ok ? 'ok' : 'FAILED'} · sent ${p.sent} · arrived ${p.arrived} · dropped ${p.dropped}${p.failures.length ? `\n  ${p.failures.join('\n  ')}` : ''}`);
}

/** Runs application code that uses the library; a throw out of the library is a failure. */
function app(p, what, fn) {
  try {
    return fn();
  } catch (err) {
    p.failures.push(`threw into the application (${what}): ${err?.message ?? err}`);
    return undefined;
  }
}

function tracerWith(exporter) {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, tracer: provider.getTracer('reliability') };
}

// ---------------------------------------------------------------------------------------------

/** Flushes and shuts the pipeline down, waits until the stand-in has every datagram sent, closes it; the exporter's stats. */
async function drainInto(r, provider, exporter) {
  await provider.forceFlush();
  await provider.shutdown();
  const s = exporter.stats();
  await r.waitFor(s.datagramsSent);
  await r.daemon.close();
  return s;
}

await probe('daemon down: export to a port nobody listens on', async (p) => {
  const socket = createSocket('udp4');
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  const port = socket.address().port;
  await new Promise((r) => socket.close(r));
  const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}` });
  const { provider, tracer } = tracerWith(exporter);
  const n = 2_000;
  for (let i = 0; i < n; i++) app(p, 'span', () => tracer.startSpan(`unit-${i}`).end());
  await provider.forceFlush();
  await provider.shutdown();
  const s = exporter.stats();
  const loss = exporterLoss(s);
  p.sent = `${n} spans`;
  p.arrived = `${s.datagramsSent} datagrams handed to the socket, 0 received (nobody listens)`;
  p.dropped = `${s.datagramsDropped} by the client, ${loss.errors} send errors ${JSON.stringify(s.sendErrors)}`;
  p.notes.push('UDP has no acknowledgement: a daemon that is down loses what reaches its port, as with the X-Ray SDKs; the application never notices');
  if (s.documentsExported !== n) p.failures.push(`${n - s.documentsExported} spans neither exported nor counted as dropped`);
  if (loss.unaccounted !== 0) p.failures.push(`${loss.unaccounted} documents not accounted for in stats()`);
});

await probe('oversized and hostile spans', async (p) => {
  const r = await receiver();
  const exporter = new XRayUdpSpanExporter({ daemonAddress: r.daemon.address.daemonAddress });
  const { provider, tracer } = tracerWith(exporter);
  const hostileStrings = ['\u0000', 'a\u0000b', '\uD800', 'x\uDC00y', '__proto__', 'constructor', 'prototype', 'n'.repeat(10_000), '😀'.repeat(300), '<script>', 'a,b;c|d', ' '];
  const hostileValues = [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, 'v'.repeat(100_000), ['a', null, NaN], [], true, '\uD800'];
  const rnd = prng(1);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  let spans = 0;
  for (let round = 0; round < SIZES.hostileRounds; round++) {
    for (const name of hostileStrings) {
      app(p, 'hostile span', () => {
        const attributes = {};
        for (const key of hostileStrings) attributes[key] = pick(hostileValues);
        attributes['http.request.method'] = pick(hostileStrings);
        attributes['http.response.status_code'] = pick([NaN, -1, 99, 1000, 429, 503, '200']);
        attributes['url.full'] = pick(hostileStrings);
        const span = tracer.startSpan(name, { kind: pick([0, 1, 2, 3, 4]), attributes });
        span.addEvent(pick(hostileStrings), { [pick(hostileStrings)]: pick(hostileValues) });
        span.recordException(pick([new Error(pick(hostileStrings)), { message: pick(hostileStrings) }, pick(hostileStrings)]));
        span.setStatus({ code: 2, message: pick(hostileStrings) });
        span.updateName(pick(hostileStrings));
        span.end();
        spans++;
      });
    }
  }
  const s = await drainInto(r, provider, exporter);
  const loss = exporterLoss(s);
  p.sent = `${spans} spans (names and keys with NUL, lone surrogates, __proto__, 10,000 characters; NaN/Infinity values; 100 kB strings)`;
  p.arrived = `${r.arrived} documents at the stand-in, ${r.arrived - r.notAsSent} valid as sent`;
  p.dropped = `${s.spansDropped} spans dropped by the exporter (counted in stats().spansDropped), ${s.datagramsSent - r.arrived} datagrams lost in transit`;
  if (r.notAsSent > 0) p.failures.push(`${r.notAsSent} documents X-Ray would not take as sent: ${r.problems.join(' | ')}`);
  if (s.documentsExported + s.spansDropped + s.unsampledSkipped < spans) p.failures.push('spans neither exported nor counted as dropped');
  if (loss.unaccounted !== 0) p.failures.push(`${loss.unaccounted} documents not accounted for in stats()`);
  if (r.arrived !== s.datagramsSent) p.notes.push(`loopback lost ${s.datagramsSent - r.arrived} datagrams (kernel buffer)`);
});

await probe('hostile times on spans (NaN, Infinity, negative, before start)', async (p) => {
  const r = await receiver();
  const exporter = new XRayUdpSpanExporter({ daemonAddress: r.daemon.address.daemonAddress });
  const { provider, tracer } = tracerWith(exporter);
  const times = [new Date(NaN), NaN, Infinity, -1, 0, [NaN, NaN], [-5, 0], new Date(0)];
  let spans = 0;
  for (const start of [undefined, ...times]) {
    for (const end of [undefined, ...times]) {
      app(p, 'span with hostile times', () => {
        tracer.startSpan('timed', start === undefined ? {} : { startTime: start }).end(end);
        spans++;
      });
    }
  }
  const s = await drainInto(r, provider, exporter);
  p.sent = `${spans} spans, start and end times from {absent, Date(NaN), NaN, Infinity, -1, 0, [NaN,NaN], [-5,0], Date(0)}`;
  p.arrived = `${r.arrived} documents, ${r.arrived - r.notAsSent} valid as sent`;
  p.dropped = `${s.spansDropped} spans dropped by the exporter (counted)`;
  if (r.notAsSent > 0) p.failures.push(`${r.notAsSent} documents X-Ray would not take as sent: ${r.problems.join(' | ')}`);
});

// The application-level probes share one registration, as a service would.
const shared = await receiver();
shared.keep = true;
process.env.AWS_XRAY_DAEMON_ADDRESS = shared.daemon.address.daemonAddress;
const xray = registerXRay({ serviceName: 'reliability', batch: { scheduledDelayMillis: 20, maxQueueSize: 100_000, maxExportBatchSize: 512 } });
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
const http = createRequire(import.meta.url)('node:http');
const server = http.createServer((req, res) => {
  const id = new URL(req.url, 'http://x').searchParams.get('id') ?? 'none';
  // Legacy recorder code inside: each request annotates its own entities with its id.
  xrayRecorder.putAnnotation('request_id', id);
  const work = xrayRecorder.captureAsync('work')(async () => {
    xrayRecorder.putAnnotation('request_id', id);
    await sleep(Math.floor(Math.random() * 5));
    xrayRecorder.inSubsegment('inner', (sub) => sub.putAnnotation('request_id', id));
  });
  work().then(
    () => res.end('ok'),
    () => res.end('failed'),
  );
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function get(path, headers = {}) {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', (err) => resolve(`error ${err.code ?? err.message}`));
    req.end();
  });
}
const exportedSoFar = () => xray.exporter.stats().datagramsSent;

await probe('hostile X-Amzn-Trace-Id headers into an instrumented HTTP server', async (p) => {
  const headers = [
    '', 'garbage', 'Root=', 'Root=1-zzzzzzzz-zzzzzzzzzzzzzzzzzzzzzzzz', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=;Sampled=2',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Root=1-00000000-000000000000000000000000',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=XYZ;Sampled=1', ';'.repeat(4000), 'Root=' + 'a'.repeat(7000), 'Self=1-5759e988-bd862e3fe1be46a994272793',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?', 'Root=1-ffffffff-ffffffffffffffffffffffff;Parent=ffffffffffffffff;Sampled=1',
    'Root=1-5759e988-00000000000000000000000;Parent=0000000000000000;Sampled=1', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1;x',
  ];
  const statuses = {};
  for (const h of headers) {
    const status = await get(`/hostile?id=h`, { 'X-Amzn-Trace-Id': h });
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  p.sent = `${headers.length} requests with malformed, oversized and conflicting trace headers`;
  p.arrived = `answers: ${JSON.stringify(statuses)}`;
  p.dropped = 'none expected';
  if (statuses[200] !== headers.length) p.failures.push(`not every request was served: ${JSON.stringify(statuses)}`);
});

await probe('random sequences of recorder calls', async (p) => {
  // Misuse is logged, not thrown: count the messages instead of printing thousands of them.
  const logged = { error: 0, warn: 0 };
  xrayRecorder.configure({ logger: { error: () => logged.error++, warn: () => logged.warn++, info() {}, debug() {} } });
  const rnd = prng(42);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const keys = ['ok_key', 'my-annotation', '', '__proto__', 'k'.repeat(600), '\u0000'];
  const values = ['v', 1, NaN, Infinity, true, null, undefined, {}, [], 'x'.repeat(2_000)];
  const ops = [
    () => xrayRecorder.beginSegment(pick(['job', '', 'a,b', 'n'.repeat(300)])),
    () => xrayRecorder.beginSubsegment(pick(['step', '', 'x;y'])),
    () => xrayRecorder.endSubsegment(),
    () => xrayRecorder.endSegment(),
    () => xrayRecorder.putAnnotation(pick(keys), pick(values)),
    () => xrayRecorder.putMetadata(pick(keys), pick(values), pick([undefined, 'ns', '', 'AWS.reserved'])),
    () => xrayRecorder.getTraceEntity()?.addException(pick([new Error('boom'), 'text', null, { weird: true }])),
    () => xrayRecorder.getTraceEntity()?.close(),
    () => xrayRecorder.getTraceEntity()?.addFaultFlag(),
    () => xrayRecorder.inSubsegment('sync', () => pick([1, 2])),
    () => xrayRecorder.clearTraceEntities(),
  ];
  let calls = 0;
  for (let s = 0; s < SIZES.recorderSequences; s++) {
    const length = 1 + Math.floor(rnd() * 12);
    for (let i = 0; i < length; i++) {
      const op = Math.floor(rnd() * ops.length);
      app(p, `recorder op ${op} in sequence ${s}`, ops[op]);
      calls++;
    }
    app(p, 'clearTraceEntities', () => xrayRecorder.clearTraceEntities());
  }
  p.sent = `${SIZES.recorderSequences} sequences, ${calls} calls (seed 42)`;
  p.arrived = 'checked with the other documents of the shared registration, below';
  p.dropped = `misuse logged, never thrown: ${logged.error} errors and ${logged.warn} warnings logged`;
});

await probe(`${SIZES.concurrent} concurrent requests: no entity crosses requests`, async (p) => {
  shared.docs.length = 0;
  const before = shared.arrived;
  const sentBefore = exportedSoFar();
  const statuses = await Promise.all(Array.from({ length: SIZES.concurrent }, (_, i) => get(`/r?id=req-${i}`)));
  await xray.provider.forceFlush();
  await shared.waitFor(before + (exportedSoFar() - sentBefore));
  // Every entity of a trace must carry its own request's id.
  const idsByTrace = new Map();
  const visit = (doc, traceId) => {
    const id = doc.annotations?.request_id;
    if (id !== undefined) {
      if (!idsByTrace.has(traceId)) idsByTrace.set(traceId, new Set());
      idsByTrace.get(traceId).add(id);
    }
    for (const sub of doc.subsegments ?? []) visit(sub, traceId);
  };
  for (const d of shared.docs) visit(d, d.trace_id);
  const crossed = [...idsByTrace.values()].filter((ids) => ids.size > 1).length;
  const served = statuses.filter((s) => s === 200).length;
  const requestIds = new Set([...idsByTrace.values()].flatMap((ids) => [...ids]).filter((id) => id.startsWith('req-')));
  p.sent = `${SIZES.concurrent} requests at once, each running captureAsync + inSubsegment with random delays`;
  p.arrived = `${served} answered 200; ${shared.docs.length} documents in ${idsByTrace.size} traces carrying ${requestIds.size} request ids`;
  p.dropped = `${Math.max(0, exportedSoFar() - sentBefore - (shared.arrived - before))} datagrams lost in transit`;
  if (served !== SIZES.concurrent) p.failures.push(`${SIZES.concurrent - served} requests not served`);
  if (crossed > 0) p.failures.push(`${crossed} traces hold entities of more than one request`);
  if (requestIds.size !== SIZES.concurrent) p.failures.push(`${SIZES.concurrent - requestIds.size} requests left no annotated entity`);
});

agent.destroy();
await new Promise((r) => server.close(r));
await xray.shutdown();
{
  const s = xray.exporter.stats();
  await shared.waitFor(s.datagramsSent);
  const loss = exporterLoss(s);
  const sharedProbe = probes.find((x) => x.name.startsWith('random sequences'));
  sharedProbe.notes.push(
    `shared registration: ${s.spansReceived} spans, ${s.documentsExported} documents, ${shared.arrived} arrived, ${shared.notAsSent} not valid as sent, ${s.spansDropped} dropped (counted)`,
  );
  if (shared.notAsSent > 0) sharedProbe.failures.push(`${shared.notAsSent} documents X-Ray would not take as sent: ${shared.problems.join(' | ')}`);
  if (loss.unaccounted !== 0) sharedProbe.failures.push(`${loss.unaccounted} documents not accounted for in stats()`);
  sharedProbe.ok = sharedProbe.failures.length === 0;
}
await shared.daemon.close();
delete process.env.AWS_XRAY_DAEMON_ADDRESS;

await probe(`soak: ${SIZES.soakUnits.toLocaleString('en-US')} traced units, heap slope per 100k`, async (p) => {
  // A counting sink: the soak measures the library, not the stand-in.
  const sink = createSocket('udp4');
  let received = 0;
  sink.on('message', () => received++);
  await new Promise((r) => sink.bind(0, '127.0.0.1', r));
  try {
    sink.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // a smaller buffer only means more counted transit loss
  }
  const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${sink.address().port}` });
  const { provider, tracer } = tracerWith(exporter);
  const samples = [];
  const step = SIZES.soakUnits / 6;
  for (let done = 0; done < SIZES.soakUnits; ) {
    for (let i = 0; i < 1_000; i++, done++) {
      app(p, 'soak unit', () => {
        const parent = tracer.startSpan('unit', { attributes: { 'http.request.method': 'GET', 'url.full': 'http://svc/x' } });
        tracer.startSpan('child', {}, trace.setSpan(context.active(), parent)).end();
        parent.end();
      });
    }
    // Paced to the sink, so the kernel's socket buffer is not what the soak measures.
    do await new Promise((r) => setImmediate(r));
    while (exporter.stats().datagramsSent - received > 2_000);
    if (done % step === 0) {
      gc();
      samples.push({ units: done, heapMb: mb(process.memoryUsage().heapUsed) });
    }
  }
  await provider.forceFlush();
  await provider.shutdown();
  await sleep(200);
  sink.close();
  const s = exporter.stats();
  const loss = exporterLoss(s);
  // Least-squares slope over the second half (after warm-up), in MB per 100k units.
  const tail = samples.slice(Math.floor(samples.length / 2));
  const mx = tail.reduce((a, x) => a + x.units, 0) / tail.length;
  const my = tail.reduce((a, x) => a + x.heapMb, 0) / tail.length;
  const slope = tail.reduce((a, x) => a + (x.units - mx) * (x.heapMb - my), 0) / Math.max(1, tail.reduce((a, x) => a + (x.units - mx) ** 2, 0));
  p.slopeKibPer100k = Math.round(slope * 100_000 * 1024);
  p.heapSamples = samples;
  p.sent = `${SIZES.soakUnits.toLocaleString('en-US')} units (a span with a child each), ${s.spansReceived.toLocaleString('en-US')} spans`;
  p.arrived = `${received.toLocaleString('en-US')} datagrams at the sink of ${s.datagramsSent.toLocaleString('en-US')} sent`;
  p.dropped = `${s.spansDropped} spans (counted), ${s.datagramsDropped} by the client (counted), ${s.datagramsSent - received} in transit (kernel buffer)`;
  p.notes.push(`heap after gc: ${samples.map((x) => `${x.heapMb} MB at ${x.units / 1000}k`).join(', ')}; slope ${p.slopeKibPer100k} KiB per 100k units${globalThis.gc ? '' : ' (no --expose-gc: noisy)'}`);
  if (loss.unaccounted !== 0) p.failures.push(`${loss.unaccounted} documents not accounted for in stats()`);
  if (globalThis.gc && p.slopeKibPer100k > 2048) p.failures.push(`heap grows ${p.slopeKibPer100k} KiB per 100k units`);
});

await probe(`the stand-in under ${SIZES.garbage.toLocaleString('en-US')} garbage datagrams and hostile HTTP requests`, async (p) => {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let daemon = await startLocalDaemon({ address: '127.0.0.1:0', http: '127.0.0.1:0', quietMs: 50, maxStoredBytes: 16 * 1024 * 1024 });
  daemon.on('error', () => {});
  const rnd = prng(7);
  const socket = createSocket('udp4');
  const header = '{"format":"json","version":1}\n';
  const traceId = () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${Math.floor(rnd() * 2 ** 48).toString(16).padStart(12, '0')}${'0'.repeat(12)}`;
  const makers = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 2_000) }, () => Math.floor(rnd() * 256))),
    () => header + '{'.repeat(Math.floor(rnd() * 30_000)),
    () => header + JSON.stringify({ name: 'x', id: 'a'.repeat(16), trace_id: traceId(), start_time: 1, end_time: 2, subsegments: Array.from({ length: 2_000 }, () => ({})) }),
    () => header + JSON.stringify({ name: 'ok', id: (Math.floor(rnd() * 2 ** 52)).toString(16).padStart(16, '0').slice(-16), trace_id: traceId(), start_time: 1, end_time: 2, metadata: { default: { pad: 'x'.repeat(Math.floor(rnd() * 50_000)) } } }),
    () => header + '{"__proto__":{"polluted":true},"name":"p","id":"0123456789abcdef","trace_id":"' + traceId() + '","start_time":1,"end_time":2}',
    () => 'no newline at all',
  ];
  for (let i = 0; i < SIZES.garbage; i++) {
    await new Promise((r) => socket.send(makers[Math.floor(rnd() * makers.length)](), daemon.address.udp.port, '127.0.0.1', () => r()));
    // Paced to what the stand-in has read: the probe is about its verdicts and memory, not the kernel buffer.
    while (i + 1 - daemon.stats.datagrams > 32) await new Promise((r) => setImmediate(r));
  }
  socket.close();
  for (let waited = 0; daemon.stats.datagrams < SIZES.garbage && waited < 10_000; waited += 50) await sleep(50);
  const httpPaths = ['/', '/api/traces', '/api/traces/%E0%A4%A', '/api/traces/' + 'x'.repeat(8_000), '/../../etc/passwd', '/api/rejections', '/app.js?' + '&'.repeat(5_000)];
  const answers = {};
  const { port: webPort } = daemon.address.http;
  for (let i = 0; i < 400; i++) {
    const path = httpPaths[i % httpPaths.length];
    const method = i % 5 === 0 ? 'POST' : 'GET';
    const host = i % 3 === 0 ? 'evil.example' : '127.0.0.1';
    const status = await new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: webPort, path, method, headers: { Host: host } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', (err) => resolve(`error ${err.code}`));
      req.end(method === 'POST' ? 'x'.repeat(10_000) : undefined);
    });
    answers[status] = (answers[status] ?? 0) + 1;
  }
  const stats = daemon.stats;
  gc();
  const heapFull = process.memoryUsage().heapUsed;
  await daemon.close();
  daemon = null;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  p.sent = `${SIZES.garbage.toLocaleString('en-US')} datagrams (random bytes, 30k open braces, 2,000 empty subsegments, 50 kB documents, __proto__ keys, no header) and 400 hostile HTTP requests`;
  p.arrived = `${stats.datagrams.toLocaleString('en-US')} datagrams: ${stats.accepted} accepted, ${stats.rejected} rejected; HTTP answers ${JSON.stringify(answers)}`;
  p.dropped = `kept within caps: ${stats.tracesDropped} traces, ${stats.documentsDropped} documents, ${stats.rejectionsDropped} rejections forgotten (counted); ${SIZES.garbage - stats.datagrams} lost in transit; ${stats.internalErrors} internal errors`;
  p.notes.push(`heap (after gc): ${mb(heapBefore)} MB before, ${mb(heapFull)} MB with the stand-in holding what its caps allow (16 MiB of documents, 100 rejections), ${mb(heapAfter)} MB after close`);
  p.heapMb = { before: mb(heapBefore), full: mb(heapFull), afterClose: mb(heapAfter) };
  if (heapFull - heapBefore > 96 * 1024 * 1024) p.failures.push(`the stand-in grew the heap by ${mb(heapFull - heapBefore)} MB, beyond its caps`);
  if (({}).polluted !== undefined) p.failures.push('a "__proto__" key polluted Object.prototype');
  if (stats.internalErrors > 0) p.failures.push(`${stats.internalErrors} internal errors`);
  if (stats.accepted + stats.rejected !== stats.datagrams) p.failures.push('verdicts do not add up to the datagrams received');
  if (answers[500] !== undefined) p.failures.push(`${answers[500]} requests answered 500`);
});

// ---------------------------------------------------------------------------------------------

if (crashes.length > 0) probes.push({ name: 'no crash', sent: '', arrived: '', dropped: '', notes: [], failures: crashes.slice(0, 5), ok: false, seconds: 0 });
const ok = probes.every((p) => p.ok);
const results = { mode: QUICK ? 'quick' : 'full', ok, machine: machineInfo(), date: new Date().toISOString(), sizes: SIZES, probes };
const base = fileURLToPath(new URL(`./results/reliability${QUICK ? '-quick' : ''}`, import.meta.url));
await mkdir(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
await writeFile(`${base}.json`, JSON.stringify(results, null, 2) + '\n');
await writeFile(`${base}.md`, markdown(results));
log(`\n${ok ? 'reliability: all probes passed' : 'reliability: FAILED'} · ${base}.md`);
process.exit(ok ? 0 : 1);

function markdown(r) {
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# Reliability (${r.mode})`,
    '',
    `${r.date} · Node ${r.machine.node} · ${r.machine.cpu} × ${r.machine.cores} · ${r.ok ? '**all probes passed**' : '**FAILED**'}`,
    '',
    'Each probe drives the public API (or the stand-in\'s sockets) and fails on a throw into the application, a document X-Ray would not take as sent, a crash, or a loss `stats()` does not count. `npm run test:reliability` (full), `-- --quick` (CI).',
    '',
    '| Probe | Result | Sent | Arrived | Dropped (and why) | Time |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const p of r.probes) lines.push(`| ${cell(p.name)} | ${p.ok ? 'ok' : '**FAILED**'} | ${cell(p.sent)} | ${cell(p.arrived)} | ${cell(p.dropped)} | ${p.seconds.toFixed(1)} s |`);
  lines.push('');
  for (const p of r.probes) {
    if (p.notes.length === 0 && p.failures.length === 0) continue;
    lines.push(`### ${p.name}`, '');
    for (const n of p.notes) lines.push(`- ${n}`);
    for (const f of p.failures) lines.push(`- **failure:** ${cell(f).slice(0, 600)}`);
    lines.push('');
  }
  return lines.join('\n');
}
