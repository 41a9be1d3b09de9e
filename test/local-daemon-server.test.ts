import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError, parseListenAddress, startLocalDaemon, type DatagramEvent, type LocalDaemon } from '../src/local-daemon/server.js';
import type { AssembledTrace } from '../src/local-daemon/traces.js';
import { datagram, segment, sendDatagrams } from './fixtures/daemon-harness.js';

const started: LocalDaemon[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.close()));
});

async function daemon(options: Parameters<typeof startLocalDaemon>[0] = {}): Promise<LocalDaemon> {
  const d = await startLocalDaemon({ address: '127.0.0.1:0', ...options });
  started.push(d);
  return d;
}

function nextEvents<T>(d: LocalDaemon, event: 'datagram' | 'trace', n: number): Promise<T[]> {
  return new Promise((resolve) => {
    const got: T[] = [];
    const listener = (e: T) => {
      got.push(e);
      if (got.length === n) {
        d.off(event, listener as never);
        resolve(got);
      }
    };
    d.on(event, listener as never);
  });
}

describe('startLocalDaemon', () => {
  it('emits a verdict for every datagram, with the sender', async () => {
    const d = await daemon();
    const events = nextEvents<DatagramEvent>(d, 'datagram', 2);
    await sendDatagrams(d.address.udp.port, [datagram(segment()), 'no newline']);
    const [good, bad] = await events;
    expect(good).toMatchObject({ ok: true, errors: [], from: { address: '127.0.0.1' } });
    expect(bad).toMatchObject({ ok: false, document: null });
    expect(d.stats).toMatchObject({ datagrams: 2, accepted: 1, rejected: 1 });
    expect(d.recentRejections()).toEqual([bad]);
  });

  it('emits each trace once it has gone quiet, with its documents assembled', async () => {
    const d = await daemon({ quietMs: 20 });
    const traces = nextEvents<AssembledTrace>(d, 'trace', 1);
    const root = segment({ name: 'api' });
    const child = segment({ trace_id: root.trace_id, type: 'subsegment', parent_id: root.id, name: 'db' });
    await sendDatagrams(d.address.udp.port, [datagram(child), datagram(root)]);
    const [trace] = await traces;
    expect(trace!.traceId).toBe(root.trace_id);
    expect(trace!.roots.map((r) => [r.name, r.children.map((c) => c.name)])).toEqual([['api', ['db']]]);
    expect(d.traces().map((t) => t.traceId)).toEqual([root.trace_id]);
    expect(d.trace(root.trace_id as string)?.entityCount).toBe(2);
  });

  it('reports pending traces when closed, and can be closed twice', async () => {
    const d = await daemon({ quietMs: 600_000 });
    const received = nextEvents<DatagramEvent>(d, 'datagram', 1);
    await sendDatagrams(d.address.udp.port, [datagram(segment({ name: 'slow' }))]);
    await received;
    const traces = nextEvents<AssembledTrace>(d, 'trace', 1);
    await d.close();
    await d.close();
    expect((await traces)[0]!.roots[0]!.name).toBe('slow');
  });

  it('appends accepted documents to `out` as JSON Lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xray-out-'));
    try {
      const out = join(dir, 'accepted.jsonl');
      const d = await daemon({ out });
      const events = nextEvents<DatagramEvent>(d, 'datagram', 3);
      const a = segment();
      const b = segment();
      await sendDatagrams(d.address.udp.port, [datagram(a), datagram(segment({ name: '' })), datagram(b)]);
      await events;
      await d.close();
      expect(readFileSync(out, 'utf8')).toBe(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a ListenError naming the address when the UDP port is taken', async () => {
    const first = await daemon();
    const err = await startLocalDaemon({ address: first.address.daemonAddress }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect(err).toMatchObject({ code: 'EADDRINUSE', message: expect.stringContaining(`UDP ${first.address.daemonAddress} is already in use`) });
  });

  it('releases the UDP port when the TCP port turns out to be taken', async () => {
    const first = await daemon();
    const udpOnly = createSocket('udp4');
    await new Promise<void>((resolve) => udpOnly.bind(0, '127.0.0.1', resolve));
    const freeUdp = udpOnly.address().port;
    await new Promise<void>((resolve) => udpOnly.close(() => resolve()));
    const address = `udp:127.0.0.1:${freeUdp} tcp:127.0.0.1:${first.address.tcp.port}`;

    await expect(startLocalDaemon({ address })).rejects.toThrow(/TCP \(sampling\) 127\.0\.0\.1:\d+ is already in use/);
    await expect(startLocalDaemon({ address })).rejects.toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    const again = await daemon({ address: `127.0.0.1:${freeUdp}` });
    expect(again.address.udp.port).toBe(freeUdp);
  });

  it('listens on separate UDP and TCP addresses when given both', async () => {
    const tcpPort = await freeTcpPort();
    const d = await daemon({ address: `tcp:127.0.0.1:${tcpPort} udp:127.0.0.1:0` });
    expect(d.address.tcp.port).toBe(tcpPort);
    expect(d.address.daemonAddress).toBe(`udp:127.0.0.1:${d.address.udp.port} tcp:127.0.0.1:${tcpPort}`);
  });

  it('listens on IPv6 loopback', async () => {
    const d = await daemon({ address: '[::1]:0' });
    const events = nextEvents<DatagramEvent>(d, 'datagram', 1);
    await sendDatagrams(d.address.udp.port, [datagram(segment())], '::1');
    expect((await events)[0]!.ok).toBe(true);
    expect(d.address.daemonAddress).toBe(`[::1]:${d.address.udp.port}`);
  });
});

describe('parseListenAddress', () => {
  it('accepts the AWS_XRAY_DAEMON_ADDRESS forms, and port 0 for "any free port"', () => {
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
    expect(parseListenAddress('tcp:127.0.0.1:2001 udp:127.0.0.1:0')).toEqual({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 2001 } });
    expect(parseListenAddress('localhost:2000')).toEqual({ udp: { host: 'localhost', port: 2000 }, tcp: { host: 'localhost', port: 2000 } });
  });

  it('rejects what the daemon address rules reject', () => {
    expect(() => parseListenAddress('2000')).toThrow(/Invalid X-Ray daemon address "2000"/);
    expect(() => parseListenAddress('2000')).toThrow(expect.objectContaining({ code: 'ERR_XRAY_DAEMON_ADDRESS' }));
  });
});

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
