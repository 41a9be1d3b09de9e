import dgram from 'node:dgram';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { registerXRay } from '../src/setup/register.js';
import { splitDatagram } from '../src/transport/header.js';
import { capturingLogger } from './fixtures/recorder-harness.js';
import { expectValidDocuments } from './support/schema.js';

const require = createRequire(import.meta.url);
let socket: dgram.Socket;
let daemon: string;
const docs: SegmentDocument[] = [];
let server: Http.Server;
let url: string;

beforeAll(async () => {
  socket = dgram.createSocket('udp4');
  socket.on('message', (m) => {
    const v = splitDatagram(m);
    if (v.ok) docs.push(JSON.parse(v.body) as SegmentDocument);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  daemon = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => socket.close(() => r()));
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function get(http: typeof Http): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

describe('registerXRay({ patch })', () => {
  it('patches against its own provider, so patched calls reach the daemon; shutdown undoes its patches', async () => {
    const logger = capturingLogger();
    const reg = registerXRay({ serviceName: 'shop', daemonAddress: daemon, patch: ['requests', 'sqlite3'], logger });
    expect(reg.patch?.patched.sort()).toEqual(['fetch', 'http']);
    expect(reg.patch?.skipped.map((s) => s.name)).toEqual(['sqlite3']);
    expect(logger.warnings()).toEqual([expect.stringMatching(/^patch\('sqlite3'\)/)]);

    const http = require('node:http') as typeof Http;
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cart`;

    await trace.getTracer('app').startActiveSpan('checkout', { kind: SpanKind.SERVER }, async (span) => {
      await get(http);
      span.end();
    });
    await reg.shutdown();
    for (let i = 0; i < 100 && docs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expectValidDocuments(docs);
    const segment = docs.find((d) => d.name === 'shop');
    expect(segment?.subsegments).toEqual([expect.objectContaining({ name: '127.0.0.1', namespace: 'remote', http: expect.objectContaining({ response: { status: 200 } }) })]);

    // After shutdown the http instrumentation is off: a new registration without patch sees no client span.
    docs.length = 0;
    const again = registerXRay({ serviceName: 'shop', daemonAddress: daemon });
    await trace.getTracer('app').startActiveSpan('checkout', { kind: SpanKind.SERVER }, async (span) => {
      await get(http);
      span.end();
    });
    await again.shutdown();
    for (let i = 0; i < 100 && docs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(docs.map((d) => [d.name, d.subsegments?.length ?? 0])).toEqual([['shop', 0]]);
  });
});
