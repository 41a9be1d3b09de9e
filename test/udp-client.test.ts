import { spawn } from 'node:child_process';
import { createSocket, Socket, type RemoteInfo, type SocketType } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './support/bundle.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DAEMON_HEADER, splitDatagram } from '../src/transport/header.js';
import { UdpClient, type LookupFunction, type UdpClientOptions } from '../src/transport/udp-client.js';
import type { Logger } from '../src/logger.js';

// ---------------------------------------------------------------------------------------------
// Helpers: a real UDP "daemon" on loopback, a logger that records, and clients closed after each test.

interface Received {
  data: Buffer;
  from: RemoteInfo;
}

interface Receiver {
  port: number;
  received: Received[];
  /** Resolves once `n` datagrams have arrived. */
  waitFor(n: number): Promise<Received[]>;
  close(): Promise<void>;
}

const openSockets = new Set<Socket>();
const clients = new Set<UdpClient>();

async function receiver(
  type: SocketType = 'udp4',
  host = type === 'udp6' ? '::1' : '127.0.0.1',
  port = 0,
): Promise<Receiver> {
  const socket = createSocket(type);
  openSockets.add(socket);
  const received: Received[] = [];
  const waiting: { n: number; resolve: (r: Received[]) => void }[] = [];
  socket.on('message', (data, from) => {
    received.push({ data, from });
    for (const w of waiting.splice(0)) {
      if (received.length >= w.n) w.resolve(received);
      else waiting.push(w);
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
  } catch (err) {
    await closeSocket(socket);
    throw err;
  }
  return {
    port: socket.address().port,
    received,
    waitFor: (n) =>
      received.length >= n ? Promise.resolve(received) : new Promise((resolve) => waiting.push({ n, resolve })),
    close: () => closeSocket(socket),
  };
}

function closeSocket(socket: Socket): Promise<void> {
  if (!openSockets.delete(socket)) return Promise.resolve();
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** A port on loopback that nothing listens on (bound, then released). */
async function unusedPort(): Promise<number> {
  const r = await receiver();
  const { port } = r;
  await r.close();
  return port;
}

function recordingLogger(): Logger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    debug: () => {},
    info: () => {},
    warn: (m) => warnings.push(m),
    error: (m) => errors.push(m),
  };
}

function client(host: string, port: number, options: UdpClientOptions = {}): UdpClient {
  const c = new UdpClient({ host, port }, options);
  clients.add(c);
  return c;
}

function send(c: UdpClient, datagrams: Buffer[] | string[]): Promise<void> {
  return new Promise((resolve) => c.send(datagrams, resolve));
}

/**
 * A lookup that answers `address` asynchronously, like the real one, and counts its calls;
 * `answered(n)` resolves once the n-th call has been answered.
 */
function countingLookup(
  address: string | (() => string),
): LookupFunction & { calls: string[]; answered(n: number): Promise<void> } {
  const calls: string[] = [];
  let answers = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const fn: LookupFunction = (hostname, _options, callback) => {
    calls.push(hostname);
    const a = typeof address === 'string' ? address : address();
    setImmediate(() => {
      callback(null, a, a.includes(':') ? 6 : 4);
      answers++;
      for (const w of waiting.splice(0)) {
        if (answers >= w.n) w.resolve();
        else waiting.push(w);
      }
    });
  };
  const answered = (n: number): Promise<void> =>
    answers >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }));
  return Object.assign(fn, { calls, answered });
}

function failingLookup(code: string): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const fn: LookupFunction = (hostname, _options, callback) => {
    calls.push(hostname);
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ${code} ${hostname}`);
    err.code = code;
    setImmediate(() => callback(err, '', 0));
  };
  return Object.assign(fn, { calls });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function canBind(type: SocketType, host: string): Promise<boolean> {
  const socket = createSocket(type);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

const hasIPv6 = await canBind('udp6', '::1');
// Linux routes all of 127.0.0.0/8 to loopback; elsewhere a second loopback address may not exist.
const hasSecondLoopback = await canBind('udp4', '127.0.0.2');

type ConnectCallback = (err?: Error) => void;

/**
 * Replaces `connect` on every dgram socket: `behave` gets the real one (bound to the socket) and
 * the arguments the client passed.
 */
type Connect = (port: number, address: string, cb: ConnectCallback) => void;
function replaceConnect(behave: (real: Connect, ...args: Parameters<Connect>) => void) {
  const real = Socket.prototype.connect;
  return vi
    .spyOn(Socket.prototype, 'connect')
    .mockImplementation(function (this: Socket, port: number, address?: unknown, cb?: unknown) {
      behave(real.bind(this) as Connect, port, address as string, cb as ConnectCallback);
    });
}

/** The real `connect`, calling back `ms` later: a long window in which the socket is connecting. */
const slowConnect = (ms: number) =>
  replaceConnect((real, port, address, cb) => real(port, address, (err) => setTimeout(() => cb(err), ms)));

/**
 * A daemon named `xray-daemon` that listens at 127.0.0.1 and at 127.0.0.2 (same port), and a
 * client that resolves the name again after a second; `move()` makes the name point at
 * 127.0.0.2 and lets that second pass.
 */
async function movingDaemon() {
  const oldDaemon = await receiver('udp4', '127.0.0.1');
  const newDaemon = await receiver('udp4', '127.0.0.2', oldDaemon.port);
  let answer = '127.0.0.1';
  const lookup = countingLookup(() => answer);
  vi.useFakeTimers({ toFake: ['Date'] });
  const c = client('xray-daemon', oldDaemon.port, { lookup, refreshMs: 1_000 });
  const move = (): void => {
    answer = '127.0.0.2';
    vi.setSystemTime(Date.now() + 1_000);
  };
  return { oldDaemon, newDaemon, lookup, c, move };
}

afterEach(async () => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  await Promise.all([...clients].map((c) => c.close()));
  clients.clear();
  await Promise.all([...openSockets].map(closeSocket));
});

const doc = (i: number) => `${DAEMON_HEADER}{"a":1,"i":${i}}`;
const docs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => doc(from + i));

// ---------------------------------------------------------------------------------------------

describe('UdpClient delivers datagrams to the daemon', () => {
  it('sends each datagram byte-identical, in a form the daemon accepts, then calls back', async () => {
    const daemon = await receiver();
    const c = client('127.0.0.1', daemon.port);
    const datagrams = [0, 1, 2, 3, 4].map((i) => Buffer.from(doc(i)));

    let calledBack = 0;
    await new Promise<void>((resolve) =>
      c.send(datagrams, () => {
        calledBack++;
        resolve();
      }),
    );
    const received = await daemon.waitFor(5);

    expect(calledBack).toBe(1);
    expect(received.map((r) => r.data)).toEqual(datagrams);
    for (const r of received) expect(splitDatagram(r.data)).toEqual({ ok: true, body: expect.stringMatching(/^\{"a":1/) });
    expect(c.stats()).toEqual({
      datagramsSent: 5,
      bytesSent: datagrams.reduce((sum, d) => sum + d.length, 0),
      sendErrors: {},
      dropped: 0,
    });
  });

  it('accepts strings as well as Buffers', async () => {
    const daemon = await receiver();
    const c = client('127.0.0.1', daemon.port);
    await send(c, [doc(1), `${DAEMON_HEADER}{"name":"café"}`]);
    const received = await daemon.waitFor(2);
    expect(received.map((r) => r.data.toString('utf8'))).toEqual([doc(1), `${DAEMON_HEADER}{"name":"café"}`]);
    expect(c.stats().bytesSent).toBe(Buffer.byteLength(doc(1)) + Buffer.byteLength(`${DAEMON_HEADER}{"name":"café"}`));
  });

  it('reuses one socket: every datagram comes from the same source port', async () => {
    const daemon = await receiver();
    const c = client('127.0.0.1', daemon.port);
    for (let i = 0; i < 5; i++) await send(c, [doc(i)]);
    const received = await daemon.waitFor(5);
    expect(new Set(received.map((r) => r.from.port)).size).toBe(1);
  });

  it('calls back at once when there is nothing to send', () => {
    const c = client('127.0.0.1', 2000);
    let called = false;
    c.send([], () => (called = true));
    expect(called).toBe(true);
    expect(c.stats().datagramsSent).toBe(0);
  });

  it.skipIf(!hasIPv6)('sends to an IPv6 daemon over a udp6 socket', async () => {
    const daemon = await receiver('udp6');
    const c = client('::1', daemon.port);
    await send(c, [doc(6)]);
    const [r] = await daemon.waitFor(1);
    expect(r?.data.toString()).toBe(doc(6));
    expect(r?.from.family).toBe('IPv6');
  });
});

describe('UdpClient resolves a hostname once, not per datagram', () => {
  it('one lookup serves 100 sends; datagrams sent while it is pending are queued, then delivered', async () => {
    const daemon = await receiver();
    const lookup = countingLookup('127.0.0.1');
    const c = client('xray-daemon', daemon.port, { lookup });

    // The first 50 are sent before the lookup has answered, the next 50 after.
    const first = Array.from({ length: 50 }, (_, i) => send(c, [doc(i)]));
    await Promise.all(first);
    const rest = Array.from({ length: 50 }, (_, i) => send(c, [doc(50 + i)]));
    await Promise.all(rest);

    expect(lookup.calls).toEqual(['xray-daemon']);
    expect(c.stats()).toMatchObject({ datagramsSent: 100, sendErrors: {}, dropped: 0 });
    // Loopback UDP may still drop under a burst, so only arrival in principle is asserted.
    const [r] = await daemon.waitFor(1);
    expect(splitDatagram(r!.data).ok).toBe(true);
  });

  it('re-resolves in the background after refreshMs, sending to the last good address meanwhile', async () => {
    const oldDaemon = await receiver('udp4', '127.0.0.1');
    // The daemon "moves" to 127.0.0.2 on the same port; where that address is not loopback,
    // only the lookup count and the old address are checked.
    const newDaemon = await receiver('udp4', '127.0.0.2', oldDaemon.port).catch(() => undefined);

    let answer = '127.0.0.1';
    const lookup = countingLookup(() => answer);
    // Only the clock is fake: sockets and the lookup run for real, and no timer decides the outcome.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const c = client('xray-daemon', oldDaemon.port, { lookup, refreshMs: 20 });

      await send(c, [doc(1)]);
      vi.setSystemTime(Date.now() + 19);
      await send(c, [doc(2)]);
      expect(lookup.calls).toHaveLength(1);

      vi.setSystemTime(Date.now() + 1);
      answer = '127.0.0.2';
      await send(c, [doc(3)]); // starts the refresh and, not waiting for it, goes to the old address
      expect(lookup.calls).toHaveLength(2);
      expect((await oldDaemon.waitFor(3)).map((r) => r.data.toString())).toEqual([doc(1), doc(2), doc(3)]);

      await lookup.answered(2);
      await send(c, [doc(4)]);
      expect(lookup.calls).toHaveLength(2);
      if (newDaemon !== undefined) {
        expect((await newDaemon.waitFor(1))[0]?.data.toString()).toBe(doc(4));
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves "localhost" with the real DNS lookup', async () => {
    const daemon = await receiver();
    const c = client('localhost', daemon.port);
    await send(c, [doc(7)]);
    const [r] = await daemon.waitFor(1);
    expect(r?.data.toString()).toBe(doc(7));
  });

  it('asks for IPv4 first, as the X-Ray SDKs do: the daemon listens on 127.0.0.1, while localhost often resolves to ::1 first', async () => {
    const daemon = await receiver();
    // A resolver that knows both addresses and sorts them the way the options ask.
    const lookup: LookupFunction = (_host, options, callback) => {
      const ipv4first = options.order !== undefined ? options.order === 'ipv4first' : options.verbatim === false;
      setImmediate(() => (ipv4first ? callback(null, '127.0.0.1', 4) : callback(null, '::1', 6)));
    };
    const c = client('localhost', daemon.port, { lookup });
    await send(c, [doc(9)]);
    expect((await daemon.waitFor(1))[0]?.data.toString()).toBe(doc(9));
  });

  it.skipIf(!hasIPv6)('uses a udp6 socket when the lookup answers an IPv6 address', async () => {
    const daemon = await receiver('udp6');
    const c = client('xray-daemon', daemon.port, { lookup: countingLookup('::1') });
    await send(c, [doc(8)]);
    const [r] = await daemon.waitFor(1);
    expect(r?.from.family).toBe('IPv6');
  });

  it('holds at most 1000 datagrams while the first lookup is pending; the rest are dropped and counted', async () => {
    const daemon = await receiver();
    let answer: (() => void) | undefined;
    const lookup: LookupFunction = (_host, _options, callback) => {
      answer = () => callback(null, '127.0.0.1', 4);
    };
    const logger = recordingLogger();
    const c = client('xray-daemon', daemon.port, { lookup, logger });

    const batch = Array.from({ length: 600 }, (_, i) => doc(i));
    const done = [send(c, batch), send(c, batch), send(c, batch)];
    expect(c.stats().dropped).toBe(800);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('dropped');

    answer!();
    await Promise.all(done);
    expect(c.stats()).toMatchObject({ datagramsSent: 1000, dropped: 800, sendErrors: {} });
  });
});

describe('UdpClient never throws: failures are counted and logged at most once a minute', () => {
  it('a DNS failure: the callback still fires, one warning, the datagrams are counted as errors', async () => {
    const logger = recordingLogger();
    const lookup = failingLookup('ENOTFOUND');
    const c = client('no-such-daemon.invalid', 2000, { lookup, logger });

    await send(c, [doc(1), doc(2)]);
    await send(c, [doc(3)]);

    expect(c.stats()).toMatchObject({ datagramsSent: 0, sendErrors: { ENOTFOUND: 3 } });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('no-such-daemon.invalid');
    expect(logger.warnings[0]).toContain('ENOTFOUND');
    // A failed lookup is not retried on every send.
    expect(lookup.calls).toHaveLength(1);
  });

  it('a DNS failure is retried later, and sending resumes once the name resolves', async () => {
    const daemon = await receiver();
    let fail = true;
    const calls: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      calls.push(hostname);
      const err: NodeJS.ErrnoException | null = fail ? Object.assign(new Error('EAI_AGAIN'), { code: 'EAI_AGAIN' }) : null;
      setImmediate(() => callback(err, fail ? '' : '127.0.0.1', 4));
    };
    const c = client('xray-daemon', daemon.port, { lookup, refreshMs: 20, logger: recordingLogger() });

    await send(c, [doc(1)]);
    expect(c.stats().sendErrors).toEqual({ EAI_AGAIN: 1 });
    fail = false;
    await sleep(40);
    await send(c, [doc(2)]);
    const [r] = await daemon.waitFor(1);
    expect(r?.data.toString()).toBe(doc(2));
    expect(calls).toHaveLength(2);
  });

  it('EMSGSIZE: an oversized datagram is counted, logged once for two, and the rest of the batch still goes', async () => {
    const daemon = await receiver();
    const logger = recordingLogger();
    const c = client('127.0.0.1', daemon.port, { logger });
    const huge = Buffer.alloc(70_000, 0x61);

    await send(c, [huge, Buffer.from(doc(1))]);
    await send(c, [huge]);

    expect(c.stats()).toMatchObject({ datagramsSent: 1, sendErrors: { EMSGSIZE: 2 } });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('EMSGSIZE');
    expect((await daemon.waitFor(1))[0]?.data.toString()).toBe(doc(1));
  });

  it('EMSGSIZE from the socket itself (a string whose UTF-8 form is over the limit) is counted too', async () => {
    const daemon = await receiver();
    const logger = recordingLogger();
    const c = client('127.0.0.1', daemon.port, { logger });
    const wide = DAEMON_HEADER + 'é'.repeat(40_000); // 40k characters, 80k bytes

    await send(c, [wide]);
    await send(c, [wide]);

    expect(c.stats()).toMatchObject({ datagramsSent: 0, sendErrors: { EMSGSIZE: 2 } });
    expect(logger.warnings).toHaveLength(1);
  });

  it('a port nobody listens on: no throw, no unhandled error, the callback fires', async () => {
    const port = await unusedPort();
    const logger = recordingLogger();
    const c = client('127.0.0.1', port, { logger });
    for (let i = 0; i < 3; i++) await send(c, [doc(i)]);
    // Give an ICMP "port unreachable" time to surface, were the socket connected.
    await sleep(50);
    await send(c, [doc(3)]);
    expect(c.stats().datagramsSent + Object.values(c.stats().sendErrors).reduce((a, b) => a + b, 0)).toBe(4);
    expect(logger.errors).toEqual([]);
  });

  it('a callback that throws does not make send throw; it is logged as an error', async () => {
    const daemon = await receiver();
    const logger = recordingLogger();
    const c = client('127.0.0.1', daemon.port, { logger });
    expect(() =>
      c.send([], () => {
        throw new Error('boom');
      }),
    ).not.toThrow();
    expect(logger.errors).toHaveLength(1);
  });
});

describe('UdpClient.close', () => {
  it('lets datagrams already handed over leave, then closes; later sends are dropped, counted and warned about once', async () => {
    const daemon = await receiver();
    const logger = recordingLogger();
    const c = client('127.0.0.1', daemon.port, { logger });

    let firstDone = false;
    c.send([doc(1)], () => (firstDone = true));
    await c.close();
    expect(firstDone).toBe(true);
    expect((await daemon.waitFor(1))[0]?.data.toString()).toBe(doc(1));

    let calledBack = 0;
    c.send([doc(2), doc(3)], () => calledBack++);
    c.send([doc(4)], () => calledBack++);
    expect(calledBack).toBe(2);
    expect(c.stats()).toMatchObject({ datagramsSent: 1, dropped: 3 });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('closed');
  });

  it('is idempotent', async () => {
    // A receiver of the test's own: a real daemon on 127.0.0.1:2000 must not get test data.
    const daemon = await receiver();
    const c = client('127.0.0.1', daemon.port);
    await send(c, [doc(1)]);
    await daemon.waitFor(1);
    await Promise.all([c.close(), c.close()]);
    await c.close();
  });

  it('without any send there is no socket to close', async () => {
    await client('127.0.0.1', 2000).close();
  });

  it('drops what waits for a lookup that has not answered, and still calls back', async () => {
    const lookup: LookupFunction = () => {}; // never answers
    const c = client('xray-daemon', 2000, { lookup, logger: recordingLogger() });
    let calledBack = false;
    c.send([doc(1), doc(2)], () => (calledBack = true));
    await c.close();
    expect(calledBack).toBe(true);
    expect(c.stats()).toMatchObject({ datagramsSent: 0, dropped: 2 });
  });
});

describe('UdpClient connects its socket to the daemon, losing and failing nothing on the way', () => {
  const texts = (received: Received[]) => received.map((r) => r.data.toString());

  it('the first datagram goes at once; those sent while the socket then connects wait, and all arrive in order', async () => {
    const daemon = await receiver();
    const connect = slowConnect(20);
    const c = client('127.0.0.1', daemon.port);

    await send(c, [doc(0)]);
    // Idle after its first datagram, the socket has begun to connect: these 60 wait for it.
    expect(connect).toHaveBeenCalledTimes(1);
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(c, [doc(1 + 2 * i), doc(2 + 2 * i)])));
    await send(c, [doc(61)]);

    expect(c.stats()).toMatchObject({ datagramsSent: 62, sendErrors: {}, dropped: 0 });
    const received = await daemon.waitFor(62);
    expect(texts(received)).toEqual(docs(0, 62));
    expect(new Set(received.map((r) => r.from.port)).size).toBe(1);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('holds at most 1000 datagrams while the socket connects; the rest are dropped, counted and warned about once', async () => {
    const daemon = await receiver();
    slowConnect(20);
    const logger = recordingLogger();
    const c = client('127.0.0.1', daemon.port, { logger });

    await send(c, [doc(0)]);
    const batch = docs(1, 601);
    const done = [send(c, batch), send(c, batch), send(c, batch)];
    expect(c.stats().dropped).toBe(800);
    expect(logger.warnings).toEqual([expect.stringContaining('connecting')]);
    await Promise.all(done);
    expect(c.stats()).toMatchObject({ datagramsSent: 1001, dropped: 800, sendErrors: {} });
  });

  it('a socket that cannot connect sends with the address each time, and tries to connect again 5 s later', async () => {
    const daemon = await receiver();
    const connect = replaceConnect((_real, _port, _address, cb) => {
      process.nextTick(() => cb(Object.assign(new Error('connect EPERM (refused by the test)'), { code: 'EPERM' })));
    });
    const logger = recordingLogger();
    vi.useFakeTimers({ toFake: ['Date'] });
    const c = client('127.0.0.1', daemon.port, { logger });

    for (let i = 0; i < 5; i++) await send(c, [doc(i)]);
    expect(texts(await daemon.waitFor(5))).toEqual(docs(0, 5));
    expect(c.stats()).toMatchObject({ datagramsSent: 5, sendErrors: {}, dropped: 0 });
    expect(logger.warnings).toEqual([expect.stringContaining('cannot connect')]);
    expect(logger.warnings[0]).toContain('EPERM');
    expect(connect).toHaveBeenCalledTimes(1);

    connect.mockRestore();
    const reconnect = vi.spyOn(Socket.prototype, 'connect'); // the real one, counted
    vi.setSystemTime(Date.now() + 5_000);
    await send(c, [doc(5)]); // idle afterwards: connects, for real this time
    for (let i = 6; i < 10; i++) await send(c, [doc(i)]);
    expect(reconnect).toHaveBeenCalledTimes(1);
    expect(texts(await daemon.waitFor(10))).toEqual(docs(0, 10));
    expect(c.stats()).toMatchObject({ datagramsSent: 10, sendErrors: {}, dropped: 0 });
    expect(logger.errors).toEqual([]);
  });

  it('nothing listens yet: ECONNREFUSED is counted and warned about once, and the same socket delivers once the daemon starts', async () => {
    const port = await unusedPort();
    const logger = recordingLogger();
    const connect = vi.spyOn(Socket.prototype, 'connect'); // the real one, counted: one per socket
    const c = client('127.0.0.1', port, { logger });

    // A connected socket hears the host's "port unreachable" answers, in a send callback or as an
    // 'error' from the receiving side; the pause lets each answer come back before the next send.
    let sent = 0;
    while (sent < 200 && (c.stats().sendErrors.ECONNREFUSED ?? 0) < 3) {
      await send(c, [doc(sent++)]);
      await sleep(2);
    }
    const refused = c.stats().sendErrors.ECONNREFUSED ?? 0;
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(logger.warnings).toEqual([expect.stringContaining('is the daemon running?')]);
    expect(logger.errors).toEqual([]);

    const daemon = await receiver('udp4', '127.0.0.1', port);
    for (let i = 0; i < 5; i++) await send(c, [doc(1000 + i)]);
    const received = await daemon.waitFor(5);
    expect(texts(received)).toEqual(docs(1000, 1005));
    expect(new Set(received.map((r) => r.from.port)).size).toBe(1);

    // Each datagram is either sent or refused, never both: a refusal heard afterwards un-counts a send.
    const stats = c.stats();
    expect(stats.datagramsSent + (stats.sendErrors.ECONNREFUSED ?? 0)).toBe(sent + 5);
    expect(stats.sendErrors).toEqual({ ECONNREFUSED: stats.sendErrors.ECONNREFUSED });
    expect(stats.datagramsSent).toBeGreaterThanOrEqual(5);
    expect(logger.warnings).toHaveLength(1);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it.skipIf(!hasSecondLoopback)(
    'when the hostname re-resolves elsewhere, every later datagram goes to the new address, in order',
    async () => {
      const { oldDaemon, newDaemon, lookup, c, move } = await movingDaemon();

      for (let i = 0; i < 3; i++) await send(c, [doc(i)]); // connected to 127.0.0.1 by now
      move();
      await send(c, [doc(3)]); // starts the lookup and, not waiting for it, goes to the old address
      await lookup.answered(2);

      // A burst, then one at a time: the new socket connects between them.
      await Promise.all(docs(4, 10).map((d) => send(c, [d])));
      for (let i = 10; i < 15; i++) await send(c, [doc(i)]);

      expect(texts(await oldDaemon.waitFor(4))).toEqual(docs(0, 4));
      expect(texts(await newDaemon.waitFor(11))).toEqual(docs(4, 15));
      expect(c.stats()).toMatchObject({ datagramsSent: 15, sendErrors: {}, dropped: 0 });
      await sleep(20);
      expect(oldDaemon.received).toHaveLength(4);
    },
  );

  it.skipIf(!hasSecondLoopback)(
    'datagrams waiting for the old address\'s socket to connect go to the new address when it changes meanwhile',
    async () => {
      const { oldDaemon, newDaemon, lookup, c, move } = await movingDaemon();
      slowConnect(50);

      await send(c, [doc(0)]); // the socket for 127.0.0.1 now connects, slowly
      move();
      const waiting = send(c, [doc(1), doc(2)]); // starts the lookup; waits for the connect
      await lookup.answered(2);
      await waiting;
      for (let i = 3; i < 6; i++) await send(c, [doc(i)]);

      expect(texts(await newDaemon.waitFor(5))).toEqual(docs(1, 6));
      expect(c.stats()).toMatchObject({ datagramsSent: 6, sendErrors: {}, dropped: 0 });
      await sleep(80); // past the old socket's connect, which must not send anything
      expect(texts(oldDaemon.received)).toEqual([doc(0)]);
      expect(c.stats()).toMatchObject({ datagramsSent: 6, sendErrors: {}, dropped: 0 });
    },
  );
});

describe('UdpClient accounts for every datagram, whatever happens around its socket', () => {
  type Step = { op: 'send'; n: number } | { op: 'tick' } | { op: 'sleep'; ms: number } | { op: 'move' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('send' as const), n: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.constant({ op: 'tick' as const }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('sleep' as const), ms: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'move' as const }) },
  );

  it.skipIf(!hasSecondLoopback)(
    'sends, turns of the event loop and the daemon moving between a listening and a dead address, in any order: each callback fires once, and every datagram is sent, failed or dropped, once',
    async () => {
      const daemon = await receiver('udp4', '127.0.0.1');
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 40, size: 'max' }), fc.boolean(), async (steps, settleFirst) => {
          let answer = '127.0.0.1';
          const lookup = countingLookup(() => answer);
          vi.useFakeTimers({ toFake: ['Date'] });
          // Nothing listens at 127.0.0.2: its "port unreachable" answers come back to a connected socket.
          const c = new UdpClient({ host: 'xray-daemon', port: daemon.port }, { lookup, refreshMs: 1_000, logger: recordingLogger() });
          let offered = 0;
          const calls: number[] = [];
          try {
            for (const s of steps) {
              if (s.op === 'send') {
                const i = calls.push(0) - 1;
                c.send(docs(offered, offered + s.n), () => calls[i]!++);
                offered += s.n;
              } else if (s.op === 'tick') {
                await new Promise((resolve) => setImmediate(resolve));
              } else if (s.op === 'sleep') {
                await sleep(s.ms);
              } else {
                answer = answer === '127.0.0.1' ? '127.0.0.2' : '127.0.0.1';
                vi.setSystemTime(Date.now() + 1_000);
              }
            }
            if (settleFirst) await sleep(5); // else close() finds work under way
          } finally {
            await c.close();
            vi.useRealTimers();
          }
          expect(calls.every((n) => n === 1)).toBe(true);
          const stats = c.stats();
          const failed = Object.values(stats.sendErrors).reduce((a, b) => a + b, 0);
          expect(stats.datagramsSent + failed + stats.dropped).toBe(offered);
          expect(Object.keys(stats.sendErrors).every((code) => code === 'ECONNREFUSED')).toBe(true);
        }),
        { numRuns: 40 },
      );
    },
  );
});

describe('UdpClient never keeps the process alive', () => {
  let bundleDir: string | undefined;
  afterEach(async () => {
    if (bundleDir !== undefined) await rm(bundleDir, { recursive: true, force: true });
    bundleDir = undefined;
  });

  // The child imports the client bundled fresh from source, so this does not depend on `npm run build`.
  it.each(['127.0.0.1', 'localhost'])(
    'a process that sends to %s and never calls close() exits on its own',
    async (host) => {
      const daemon = await receiver();
      bundleDir = await mkdtemp(join(tmpdir(), 'udp-client-'));
      const bundle = join(bundleDir, 'udp-client.mjs');
      await bundleForNode('src/transport/udp-client.ts', bundle);
      const childScript = fileURLToPath(new URL('./fixtures/udp-unref-child.mjs', import.meta.url));

      const child = spawn(process.execPath, [childScript, bundle, host, String(daemon.port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Only a guard against hanging the suite: a kept-alive socket would never exit at all.
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      clearTimeout(guard);

      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(stdout).toBe('sent 1\n');
      const [r] = await daemon.waitFor(1);
      expect(splitDatagram(r!.data)).toEqual({ ok: true, body: '{"child":true}' });
    },
  );
});
