#!/usr/bin/env node
// The exporter's UDP send alone (issue 12): CPU µs per datagram through the UDP client, bundled
// from src/, against raw dgram sends given the address each time (what an unconnected socket
// pays) and on a connected socket (the floor), interleaved round by round so that load on the
// machine hits all alike. The sink runs in a child process, so its CPU is not counted here.
// XRAY_BENCH_BASE_SRC=/path/to/src adds another source tree's client as "base" (before/after).
//
// Two senders take documents as the exporter hands them over (JSON text and its UTF-8 size),
// so their figures include writing the datagram: "main thread" (the exporter's default) and
// "worker thread" (`sendFrom: 'worker-thread'`: one buffer per burst, transferred to the built
// dist/xray-otel-bridge-udp-worker.mjs; run `npm run build` first). Two costs are reported: CPU of the whole
// process (every thread: what the machine pays) and the main thread's busy time (event-loop
// utilization: what the application's event loop pays). The worker moves the send off the
// event loop; it does not make it free.
//
//   node benchmarks/udp-send.mjs [--quick] [--rounds=N] [--bytes=N] [--burst=N] [--als]
//
// --als turns on an AsyncLocalStorage first, as OTel's context manager does: on Node 20 that
// enables async_hooks, which every tick then pays for (dgram's address lookup is one).
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFromSrc } from './lib/internal.mjs';
import { summarize } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const WORKER = new URL('../dist/xray-otel-bridge-udp-worker.mjs', import.meta.url);
/** Datagrams per burst: one export's documents, handed over in one call (`--burst`). */
let BURST = 16;

if (process.argv[2] === '--sink') {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  socket.bind(0, '127.0.0.1', () => process.send({ port: socket.address().port }));
  process.on('message', () => {
    process.send({ received });
    socket.close();
    process.disconnect();
  });
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      bytes: { type: 'string', default: '1000' },
      als: { type: 'boolean', default: false },
      burst: { type: 'string', default: '16' },
    },
  });
  BURST = Number(values.burst);
  const rounds = Number(values.rounds ?? (values.quick ? 4 : 20));
  const perWindow = values.quick ? 2_000 : 5_000;
  const datagram = Buffer.alloc(Number(values.bytes), 0x61);
  if (values.als) {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    new AsyncLocalStorage().enterWith({ context: 'active' });
  }

  const sink = fork(SELF, ['--sink']);
  const { port } = await next(sink);
  const endpoint = { host: '127.0.0.1', port };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const burst = Array.from({ length: BURST }, () => datagram);
  const clientFrom = async (srcDir, tag) => {
    const { UdpClient } = await loadFromSrc({ UdpClient: 'transport/udp-client.ts' }, srcDir, tag);
    const client = new UdpClient(endpoint, { logger: silent });
    return { send: (cb) => client.send(burst, cb), close: () => client.close() };
  };
  const unconnected = createSocket('udp4');
  const connected = createSocket('udp4');
  await new Promise((resolve) => connected.connect(port, '127.0.0.1', resolve));
  const eachOfBurst = (sendOne) => (cb) => {
    for (let i = 1; i < BURST; i++) sendOne(noop);
    sendOne(cb);
  };

  const contenders = [{ id: 'client', ...(await clientFrom(undefined, 'udp-client')) }];
  if (process.env.XRAY_BENCH_BASE_SRC) contenders.push({ id: 'base', ...(await clientFrom(process.env.XRAY_BENCH_BASE_SRC, 'udp-base')) });
  contenders.push(
    { id: 'dgram, address each send', send: eachOfBurst((cb) => unconnected.send(datagram, port, '127.0.0.1', cb)) },
    { id: 'dgram, connected (floor)', send: eachOfBurst((cb) => connected.send(datagram, cb)) },
  );
  // The exporter's two senders, given documents (JSON text, the datagram minus its header).
  const { MainThreadSender, WorkerSender } = await loadFromSrc(
    { MainThreadSender: 'transport/document-sender.ts', WorkerSender: 'transport/worker-sender.ts' },
    undefined,
    'udp-senders',
  );
  const json = JSON.stringify({ pad: 'a'.repeat(Math.max(0, datagram.length - 40)) });
  const documents = Array.from({ length: BURST }, () => ({ json, bytes: Buffer.byteLength(json) }));
  const documentSender = (id, sender) => ({ id, send: (cb) => sender.send(documents, cb), close: () => sender.close() });
  contenders.push(documentSender('exporter, main thread (default)', new MainThreadSender(endpoint, { logger: silent })));
  if (existsSync(fileURLToPath(WORKER))) {
    contenders.push(documentSender("exporter, sendFrom: 'worker-thread'", new WorkerSender(endpoint, { logger: console, workerUrl: WORKER })));
  } else {
    console.log(`(${fileURLToPath(WORKER)} is missing: run \`npm run build\` to measure the worker-thread sender)`);
  }

  for (const c of contenders) {
    c.samples = [];
    await window(c.send, perWindow); // warm-up; the client connects its socket on the way
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) c.samples.push(await window(c.send, perWindow));
  }

  const client = contenders[0].samples.map((x) => x.cpu);
  const fmt = (v) => `${v.median.toFixed(2)} | ${v.min.toFixed(2)}–${v.max.toFixed(2)}`;
  console.log(
    `\nµs per ${datagram.length}-byte datagram to a loopback sink, in bursts of ${BURST}, ${rounds} rounds of ${perWindow} datagrams` +
      `${values.als ? ', AsyncLocalStorage on' : ''} (Node ${process.version}). CPU: the process, all threads; main thread: ` +
      'event-loop busy time.\n',
  );
  console.log('| sender | CPU median | min–max | CPU minus client, per round: median | min–max | main thread median | min–max |');
  console.log('| :-- | --: | --: | --: | --: | --: | --: |');
  for (const c of contenders) {
    const cpu = c.samples.map((x) => x.cpu);
    const diff = c === contenders[0] ? undefined : summarize(cpu.map((v, i) => v - client[i]));
    console.log(`| ${c.id} | ${fmt(summarize(cpu))} | ${diff ? fmt(diff) : '– | –'} | ${fmt(summarize(c.samples.map((x) => x.main)))} |`);
  }
  for (const c of contenders) await c.close?.();
  unconnected.close();
  connected.close();
  sink.send('count');
  const { received } = await next(sink);
  const sent = contenders.length * perWindow * (rounds + 1);
  console.log(`\nThe sink received ${received} of ${sent} datagrams (loopback drops what overflows its buffer).`);
}

/**
 * µs per datagram for `n` datagrams in bursts of `BURST` (an export's datagrams), each burst
 * awaited: CPU time of this process (every thread; what other load on a shared machine disturbs
 * least) and the main thread's busy time (event-loop utilization: not idle waiting for callbacks).
 */
async function window(send, n) {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  for (let i = 0; i < n; i += BURST) await new Promise((resolve) => send(resolve));
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / n, main: (elu.active * 1e3) / n };
}

function noop() {}

function next(child) {
  return new Promise((resolve) => child.once('message', resolve));
}
