import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MainThreadSender } from '../src/transport/document-sender.js';

// The default sender (from the main thread): flush() is what `exporter.forceFlush()` waits on.

const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const doc = (name: string) => {
  const json = JSON.stringify({ name });
  return { json, bytes: Buffer.byteLength(json) };
};

describe('MainThreadSender.flush()', () => {
  it('waits for sends still waiting for the daemon name to resolve, so stats are complete when it resolves', async () => {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    // A name, not an address: the first send waits for a DNS lookup before it reaches the socket.
    const sender = new MainThreadSender({ host: 'localhost', port: (socket.address() as AddressInfo).port }, { logger: silent });
    const calledBack: string[] = [];
    sender.send([doc('a')], () => calledBack.push('a'));
    sender.send([doc('b'), doc('c')], () => calledBack.push('b+c'));
    expect(calledBack).toEqual([]);
    await sender.flush();
    expect(calledBack).toEqual(['a', 'b+c']);
    expect(sender.stats()).toMatchObject({ datagramsSent: 3, dropped: 0 });
    await sender.close();
  });

  it('is not overtaken by an empty send: it still waits for the sends before it', async () => {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const sender = new MainThreadSender({ host: '127.0.0.1', port: (socket.address() as AddressInfo).port }, { logger: silent });
    sender.send(
      Array.from({ length: 200 }, (_, i) => doc(`d${i}`)),
      () => {},
    );
    const flushed = sender.flush();
    // An export whose every span was dropped sends nothing, and calls back all the same.
    let emptyCalledBack = false;
    sender.send([], () => (emptyCalledBack = true));
    await flushed;
    expect(sender.stats()).toMatchObject({ datagramsSent: 200 });
    expect(emptyCalledBack).toBe(true);
    await sender.close();
  });

  it('resolves at once when nothing is in flight', async () => {
    const sender = new MainThreadSender({ host: '127.0.0.1', port: 9 }, { logger: silent });
    let resolved = false;
    void sender.flush().then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
    await sender.close();
  });
});
