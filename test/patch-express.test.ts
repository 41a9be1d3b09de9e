import dgram from 'node:dgram';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type Express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { XRayRecorder } from '../src/recorder/index.js';
import { registerXRay, type XRayRegistration } from '../src/setup/register.js';
import { capturingLogger, type CapturingLogger } from './fixtures/recorder-harness.js';
import { expectValidDocuments } from './support/schema.js';

// Required after patching, as an application's modules would be.
const require = createRequire(import.meta.url);

const UPSTREAM = { root: '1-5759e988-bd862e3fe1be46a994272793', parent: '53995c3f42cd8ad8' };

let spans: InMemorySpanExporter;
let registration: XRayRegistration;
let logger: CapturingLogger;
let daemon: dgram.Socket;
let app: string;
let inventory: string;
const servers: Http.Server[] = [];

async function listen(server: Http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function get(http: typeof Http, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  // The exporter's datagrams go to a socket that drops them; the documents are read from the spans.
  daemon = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  spans = new InMemorySpanExporter();
  logger = capturingLogger();
  registration = registerXRay({
    serviceName: 'shop',
    daemonAddress: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
    spanProcessors: [new SimpleSpanProcessor(spans)],
    patch: ['express'],
    logger,
  });

  const express = require('express') as typeof Express;
  const http = require('node:http') as typeof Http;
  const recorder = new XRayRecorder({ logger });

  inventory = await listen(http.createServer((_req, res) => res.end('3')));

  const orders = express.Router();
  orders.get('/:id', async (req, res, next) => {
    try {
      // The request's segment, as X-Ray's express middleware makes it current.
      recorder.currentSegment()?.putAnnotation('order', req.params.id);
      const stock = await get(http, `${inventory}/stock/${req.params.id}`);
      res.json({ id: req.params.id, stock: Number(stock) });
    } catch (err) {
      next(err);
    }
  });
  orders.get('/:id/fail', () => {
    throw new Error('inventory unavailable');
  });
  const shop = express();
  shop.use(express.json());
  shop.use((_req, res, next) => {
    res.setHeader('x-shop', '1');
    next();
  });
  shop.use('/orders', orders);
  app = await listen(http.createServer(shop));
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  await registration.shutdown();
  await new Promise<void>((resolve) => daemon.close(() => resolve()));
});

/**
 * Sends a request the way an upstream client would (with fetch, which nothing here traces) and
 * returns the segment the express app made for it, once its span has ended.
 */
async function request(path: string, headers: Record<string, string> = {}): Promise<{ status: number; segment: SegmentDocument; all: SegmentDocument[] }> {
  spans.reset();
  const res = await fetch(`${app}${path}`, { headers });
  await res.text();
  for (let i = 0; i < 200; i++) {
    const all = toSegmentDocuments(spans.getFinishedSpans());
    const segment = all.find((d) => d.http?.request?.url === `${app}${path}`);
    if (segment !== undefined) {
      expectValidDocuments(all);
      return { status: res.status, segment, all };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no segment for ${path}: ${JSON.stringify(toSegmentDocuments(spans.getFinishedSpans()))}`);
}

describe("patch('express'): one segment per request, as X-Ray's express middleware makes", () => {
  it('patches express together with http, whose incoming requests are the segments', () => {
    expect(registration.patch?.patched.sort()).toEqual(['express', 'http']);
    expect(logger.warnings()).toEqual([]);
  });

  it('a request without X-Amzn-Trace-Id: a new trace, a segment named after the service with the http block; middleware makes no subsegments', async () => {
    const { status, segment, all } = await request('/orders/7');
    expect(status).toBe(200);
    expect(segment).toMatchObject({
      name: 'shop',
      http: { request: { method: 'GET', url: `${app}/orders/7` }, response: { status: 200 } },
      annotations: { order: '7' },
    });
    expect(segment.parent_id).toBeUndefined();
    expect(segment.error ?? segment.fault).toBeUndefined();
    // The handler's call is the segment's only subsegment: no middleware, router or handler spans.
    expect(segment.subsegments).toEqual([
      expect.objectContaining({ name: '127.0.0.1', namespace: 'remote', http: expect.objectContaining({ request: expect.objectContaining({ url: `${inventory}/stock/7` }) }) }),
    ]);
    // The inventory service continues the trace under that subsegment.
    const downstream = all.find((d) => d.http?.request?.url === `${inventory}/stock/7`);
    expect(downstream).toMatchObject({ trace_id: segment.trace_id, parent_id: segment.subsegments![0]!.id });
  });

  it('a request with X-Amzn-Trace-Id: the segment continues the upstream trace', async () => {
    const { segment } = await request('/orders/8', { 'X-Amzn-Trace-Id': `Root=${UPSTREAM.root};Parent=${UPSTREAM.parent};Sampled=1` });
    expect(segment).toMatchObject({ name: 'shop', trace_id: UPSTREAM.root, parent_id: UPSTREAM.parent, annotations: { order: '8' } });
  });

  it('a 404 (no route) is an error, with no exception', async () => {
    const { status, segment } = await request('/nowhere');
    expect(status).toBe(404);
    expect(segment).toMatchObject({ name: 'shop', error: true, http: { response: { status: 404 } } });
    expect(segment.fault).toBeUndefined();
    expect(segment.cause).toBeUndefined();
    expect(segment.subsegments ?? []).toEqual([]);
  });

  it('a handler that throws: a 500, a fault, and the exception in the segment, as closeSegment() records it', async () => {
    const { status, segment } = await request('/orders/9/fail', { 'X-Amzn-Trace-Id': `Root=${UPSTREAM.root};Parent=${UPSTREAM.parent};Sampled=1` });
    expect(status).toBe(500);
    expect(segment).toMatchObject({ name: 'shop', fault: true, trace_id: UPSTREAM.root, http: { response: { status: 500 } } });
    const exceptions = (segment.cause as { exceptions?: Array<Record<string, unknown>> } | undefined)?.exceptions;
    expect(exceptions).toEqual([expect.objectContaining({ message: 'inventory unavailable', type: 'Error' })]);
    expect(segment.subsegments ?? []).toEqual([]);
  });

  it('no span is left over from middleware: every span is a segment or a subsegment above', async () => {
    const { all } = await request('/orders/10');
    const names = (docs: readonly EntityDocument[]): string[] => docs.flatMap((d) => [d.name, ...names(d.subsegments ?? [])]);
    expect(names(all).sort()).toEqual(['127.0.0.1', 'shop', 'shop']);
  });
});
