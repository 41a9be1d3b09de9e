import { readFileSync } from 'node:fs';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { propagation } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityDocument } from '../src/exporter/document.js';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';
import { onlySubsegmentOf } from './support/traced.js';

// Required after patching, as an application's modules would be.
const require = createRequire(import.meta.url);
const tls = { key: readFileSync(new URL('./fixtures/tls/localhost.key', import.meta.url)), cert: readFileSync(new URL('./fixtures/tls/localhost.crt', import.meta.url)) };

let t: Tracing;
let http: typeof Http;
let https: typeof Https;
/** The X-Amzn-Trace-Id header each server received, by request path. */
const received = new Map<string, string | undefined>();
let httpUrl: string;
let httpsUrl: string;
const servers: Array<Http.Server> = [];

function handler(req: Http.IncomingMessage, res: Http.ServerResponse): void {
  received.set(req.url ?? '', req.headers['x-amzn-trace-id'] as string | undefined);
  const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end('ok');
}

async function listen(server: Http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  t = setupTracing();
  propagation.setGlobalPropagator(new AWSXRayPropagator());
  // `requests` is the X-Ray Python name: Node's http/https clients and fetch().
  expect(t.recorder.patch('requests').patched.sort()).toEqual(['fetch', 'http']);
  http = require('node:http') as typeof Http;
  https = require('node:https') as typeof Https;
  httpUrl = `http://127.0.0.1:${await listen(http.createServer(handler))}`;
  httpsUrl = `https://localhost:${await listen(https.createServer(tls, handler))}`;
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  propagation.disable();
  await t.teardown();
});

async function traced(call: () => Promise<unknown>): Promise<EntityDocument> {
  return (await onlySubsegmentOf(t, call)).doc;
}

function get(mod: typeof Http | typeof Https, url: string, options: Https.RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    mod
      .get(url, options, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

function expectHeaderNames(path: string, doc: EntityDocument): void {
  expect(received.get(path)).toMatch(new RegExp(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=${doc.id};Sampled=1$`));
}

describe('patch("requests"): outgoing HTTP calls become remote subsegments', () => {
  it('http.get: named after the host, with the http block, and the trace header names the subsegment', async () => {
    const doc = await traced(() => get(http, `${httpUrl}/orders?id=7`));
    expect(doc).toMatchObject({
      name: '127.0.0.1',
      namespace: 'remote',
      http: { request: { method: 'GET', url: `${httpUrl}/orders?id=7` }, response: { status: 200 } },
    });
    expect(doc.error ?? doc.fault).toBeUndefined();
    expectHeaderNames('/orders?id=7', doc);
  });

  it('https.get: the same over TLS', async () => {
    const doc = await traced(() => get(https, `${httpsUrl}/secure`, { ca: tls.cert }));
    expect(doc).toMatchObject({ name: 'localhost', namespace: 'remote', http: { request: { method: 'GET', url: `${httpsUrl}/secure` }, response: { status: 200 } } });
    expectHeaderNames('/secure', doc);
  });

  it('fetch(): traced through undici, with the header', async () => {
    const doc = await traced(async () => (await fetch(`${httpUrl}/fetched`, { method: 'POST', body: 'x' })).text());
    expect(doc).toMatchObject({ name: '127.0.0.1', namespace: 'remote', http: { request: { method: 'POST', url: `${httpUrl}/fetched` }, response: { status: 200 } } });
    expectHeaderNames('/fetched', doc);
  });

  it('a 404 is an error, a 500 a fault, a 429 a throttle', async () => {
    expect(await traced(() => get(http, `${httpUrl}/a?status=404`))).toMatchObject({ error: true, http: { response: { status: 404 } } });
    expect(await traced(async () => (await fetch(`${httpUrl}/b?status=500`)).text())).toMatchObject({ fault: true, http: { response: { status: 500 } } });
    expect(await traced(() => get(http, `${httpUrl}/c?status=429`))).toMatchObject({ error: true, throttle: true });
  });

  it('incoming requests are left to the application: the servers made no segments', async () => {
    t.exporter.reset();
    await get(http, `${httpUrl}/untraced`);
    // Only the client span, with no segment around it: it becomes a segment of its own.
    expect(t.exporter.getFinishedSpans().map((s) => s.kind)).toEqual([2 /* CLIENT */]);
  });
});
