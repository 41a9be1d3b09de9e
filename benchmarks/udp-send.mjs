#!/usr/bin/env node
// The exporter's UDP send alone (issue 12): CPU µs per datagram through the UDP client, bundled
// from src/, against raw dgram sends given the address each time (what an unconnected socket
// pays) and on a connected socket (the floor), interleaved round by round so that load on the
// machine hits all alike. The sink runs in a child process, so its CPU is not counted here.
// XRAY_BENCH_BASE_SRC=/path/to/src adds another source tree's client as "base" (before/after).
//
//   node benchmarks/udp-send.mjs [--quick] [--rounds=N] [--bytes=N] [--als]
//
// --als turns on an AsyncLocalStorage first, as OTel's context manager does: on Node 20 that
// enables async_hooks, which every tick then pays for (dgram's address lookup is one).
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFromSrc } from './lib/internal.mjs';
import { summarize } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);

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
    },
  });
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
  const clientFrom = async (srcDir, tag) => {
    const { UdpClient } = await loadFromSrc({ UdpClient: 'transport/udp-client.ts' }, srcDir, tag);
    const client = new UdpClient(endpoint, { logger: silent });
    return { send: (cb) => client.send([datagram], cb), close: () => client.close() };
  };
  const unconnected = createSocket('udp4');
  const connected = createSocket('udp4');
  await new Promise((resolve) => connected.connect(port, '127.0.0.1', resolve));

  const contenders = [{ id: 'client', ...(await clientFrom(undefined, 'udp-client')) }];
  if (process.env.XRAY_BENCH_BASE_SRC) contenders.push({ id: 'base', ...(await clientFrom(process.env.XRAY_BENCH_BASE_SRC, 'udp-base')) });
  contenders.push(
    { id: 'dgram, address each send', send: (cb) => unconnected.send(datagram, port, '127.0.0.1', cb) },
    { id: 'dgram, connected (floor)', send: (cb) => connected.send(datagram, cb) },
  );

  for (const c of contenders) {
    c.samples = [];
    await window(c.send, perWindow); // warm-up; the client connects its socket on the way
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) c.samples.push(await window(c.send, perWindow));
  }

  const client = contenders[0].samples;
  const fmt = (s) => `${s.median.toFixed(2)} | ${s.min.toFixed(2)}–${s.max.toFixed(2)}`;
  console.log(
    `\nCPU µs per ${datagram.length}-byte datagram to a loopback sink, ${rounds} rounds of ${perWindow} datagrams` +
      `${values.als ? ', AsyncLocalStorage on' : ''} (Node ${process.version}):\n`,
  );
  console.log('| sender | median | min–max | minus client, per round: median | min–max |');
  console.log('| :-- | --: | --: | --: | --: |');
  for (const c of contenders) {
    const own = summarize(c.samples);
    const diff = c === contenders[0] ? undefined : summarize(c.samples.map((v, i) => v - client[i]));
    console.log(`| ${c.id} | ${fmt(own)} | ${diff ? fmt(diff) : '– | –'} |`);
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
 * CPU µs per datagram for `n` sends in bursts of 16 (an export's datagrams, or several exports,
 * before the event loop turns), each burst awaited. CPU time of this process is what other load on
 * a shared machine disturbs least.
 */
async function window(send, n) {
  const noop = () => {};
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i += 16) {
    for (let j = 0; j < 15; j++) send(noop);
    await new Promise((resolve) => send(resolve));
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

function next(child) {
  return new Promise((resolve) => child.once('message', resolve));
}
