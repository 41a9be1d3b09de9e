import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerSender } from '../src/transport/worker-sender.js';

// The main-thread side of `sendFrom: 'worker-thread'` with a real worker thread: the built
// worker (dist/xray-otel-bridge-udp-worker.mjs), wrapped by a fixture that ends its thread on the third batch.
const DYING_WORKER = new URL('./fixtures/worker-thread/dies-on-third-batch.mjs', import.meta.url);
const NEVER_READY = new URL('./fixtures/worker-thread/never-ready.mjs', import.meta.url);
const WORKER = new URL('../dist/xray-otel-bridge-udp-worker.mjs', import.meta.url);
const MISSING = new URL('./fixtures/worker-thread/no-such-worker.mjs', import.meta.url);

const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function sink() {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  const received: string[] = [];
  socket.on('message', (m) => received.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { received, port: (socket.address() as AddressInfo).port };
}

const doc = (name: string) => {
  const json = JSON.stringify({ name });
  return { json, bytes: Buffer.byteLength(json) };
};

function capture() {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) } };
}

describe('WorkerSender, when its worker thread dies', () => {
  it('counts what the worker held as dropped, warns once, and sends from the main thread from then on', async () => {
    const { received, port } = await sink();
    const { warnings, logger } = capture();
    const sender = new WorkerSender({ host: '127.0.0.1', port }, { logger, workerUrl: DYING_WORKER });
    const send = (names: string[]) => new Promise<void>((resolve) => sender.send(names.map(doc), resolve));

    await send(['a1', 'a2']);
    await send(['b1']);
    await send(['c1', 'c2', 'c3']); // the worker ends instead of sending these: called back all the same
    expect(warnings).toEqual([
      'the X-Ray UDP worker thread stopped (exit code 7); 3 datagram(s) it held are lost; sending from the main thread from now on',
    ]);
    await send(['d1']);
    await sender.flush();
    expect(sender.stats()).toEqual({ datagramsSent: 4, bytesSent: expect.any(Number), sendErrors: {}, dropped: 3 });
    await sender.close();
    for (let i = 0; i < 100 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received.map((d) => JSON.parse(d.slice(d.indexOf('\n') + 1)).name)).toEqual(['a1', 'a2', 'b1', 'd1']);
    expect(warnings).toHaveLength(1);
  });
});

describe('WorkerSender, when its worker never says it is ready', () => {
  it('gives up after 5 s, warns once, and sends what it held from the main thread', async () => {
    const { received, port } = await sink();
    const { warnings, logger } = capture();
    const sender = new WorkerSender({ host: '127.0.0.1', port }, { logger, workerUrl: NEVER_READY });
    let calledBack = false;
    sender.send([doc('held')], () => (calledBack = true));
    await sender.flush();
    expect(calledBack).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/^cannot start the X-Ray UDP worker thread of sendFrom: 'worker-thread' \(it did not start within 5 s\)/)]);
    expect(sender.stats()).toMatchObject({ datagramsSent: 1, dropped: 0 });
    await sender.close();
    for (let i = 0; i < 100 && received.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received.map((d) => JSON.parse(d.slice(d.indexOf('\n') + 1)).name)).toEqual(['held']);
  }, 15_000);
});

describe('WorkerSender, when its worker cannot start and the daemon is a name', () => {
  it('flush() waits until the main thread has sent what the worker was given, past the DNS lookup', async () => {
    const { port } = await sink();
    const { warnings, logger } = capture();
    const sender = new WorkerSender({ host: 'localhost', port }, { logger, workerUrl: MISSING });
    sender.send([doc('a'), doc('b')], () => {});
    await sender.flush();
    expect(sender.stats()).toMatchObject({ datagramsSent: 2, dropped: 0 });
    expect(warnings).toHaveLength(1);
    await sender.close();
  });

  it('close() right away still sends what it held, rather than dropping it while the name resolves', async () => {
    const { received, port } = await sink();
    const { logger } = capture();
    const sender = new WorkerSender({ host: 'localhost', port }, { logger, workerUrl: MISSING });
    sender.send([doc('a'), doc('b')], () => {});
    await sender.close();
    expect(sender.stats()).toMatchObject({ datagramsSent: 2, dropped: 0 });
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toHaveLength(2);
  });
});

describe('WorkerSender after close()', () => {
  it('drops and counts what it is given, calling back at once', async () => {
    const { port } = await sink();
    const { warnings, logger } = capture();
    const sender = new WorkerSender({ host: '127.0.0.1', port }, { logger, workerUrl: WORKER });
    await sender.close();
    await sender.close();
    let calledBack = false;
    sender.send([doc('late')], () => (calledBack = true));
    expect(calledBack).toBe(true);
    expect(sender.stats()).toMatchObject({ datagramsSent: 0, dropped: 1 });
    expect(warnings).toEqual(['X-Ray UDP sender is closed; dropped 1 datagram(s)']);
  });
});
