import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { splitDatagram } from '../src/transport/header.js';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { XRayUdpSpanExporter } from '../src/exporter/xray-udp-exporter.js';
import { expectValidDocument } from './support/schema.js';

/** A stand-in daemon: a UDP socket on loopback that applies the daemon's header rules. */
function daemon() {
  const socket = dgram.createSocket('udp4');
  const docs: SegmentDocument[] = [];
  const rejected: string[] = [];
  const sizes: number[] = [];
  socket.on('message', (msg) => {
    sizes.push(msg.length);
    const verdict = splitDatagram(msg);
    if (verdict.ok) docs.push(JSON.parse(verdict.body));
    else rejected.push(verdict.reason);
  });
  return {
    docs,
    rejected,
    sizes,
    async start() {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return (socket.address() as AddressInfo).port;
    },
    async waitFor(n: number) {
      for (let i = 0; i < 200 && docs.length + rejected.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('XRayUdpSpanExporter end to end: a real provider, batch processor and UDP socket', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  let stand: ReturnType<typeof daemon> | undefined;
  afterEach(async () => {
    await stand?.close();
    stand = undefined;
  });

  it('a traced request arrives as one valid segment document with its subsegments embedded', async () => {
    stand = daemon();
    const port = await stand.start();
    const received = stand;
    const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}`, collectSqlQueries: true });
    const provider = new BasicTracerProvider({
      idGenerator: new AWSXRayIdGenerator(),
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.3' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('e2e');

    await tracer.startActiveSpan('GET /cart', { kind: SpanKind.SERVER, attributes: {
      'http.request.method': 'GET', 'url.full': 'http://shop.local/cart', 'http.response.status_code': 200,
      'aws.xray.annotations': ['customer'], customer: 'c-42',
    } }, async (server) => {
      await tracer.startActiveSpan('load cart', async (internal) => {
        await new Promise((r) => setImmediate(r));
        tracer.startActiveSpan('SELECT carts', { kind: SpanKind.CLIENT, attributes: {
          'db.system': 'postgresql', 'db.name': 'shop', 'server.address': 'db.local', 'db.statement': 'SELECT * FROM carts WHERE id = $1',
        } }, (db) => db.end());
        internal.end();
      });
      tracer.startActiveSpan('price', (price) => {
        const err = new TypeError('price missing');
        price.recordException(err);
        price.setStatus({ code: SpanStatusCode.ERROR });
        price.end();
      });
      server.end();
    });
    await provider.forceFlush();
    await received.waitFor(1);

    expect(received.rejected).toEqual([]);
    expect(received.docs).toHaveLength(1);
    const seg = received.docs[0]!;
    expectValidDocument(seg);
    expect(seg.name).toBe('checkout');
    expect(seg.trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    // AWSXRayIdGenerator puts the start epoch in the trace id.
    expect(Math.abs(parseInt(seg.trace_id.slice(2, 10), 16) - seg.start_time)).toBeLessThan(60);
    expect(seg.http?.request?.method).toBe('GET');
    expect(seg.http?.response?.status).toBe(200);
    expect(seg.annotations).toEqual({ customer: 'c-42' });
    expect(seg.service).toEqual({ version: '1.2.3' });

    const byName = new Map<string, EntityDocument>();
    const walk = (d: EntityDocument) => {
      byName.set(d.name, d);
      d.subsegments?.forEach(walk);
    };
    walk(seg);
    expect([...byName.keys()].sort()).toEqual(['checkout', 'load cart', 'price', 'shop@db.local'].sort());
    const db = byName.get('shop@db.local')!;
    expect(db.namespace).toBe('remote');
    expect(db.sql?.sanitized_query).toBe('SELECT * FROM carts WHERE id = $1');
    const price = byName.get('price')!;
    expect(price.fault).toBe(true);
    const cause = price.cause;
    expect(typeof cause === 'object' && cause.exceptions?.[0]).toMatchObject({ type: 'TypeError', message: 'price missing' });

    const stats = exporter.stats();
    expect(stats).toMatchObject({ spansReceived: 4, documentsExported: 1, datagramsSent: 1, datagramsDropped: 0, spansDropped: 0 });
    expect(stats.bytesSent).toBe(received.sizes[0]);
    await provider.shutdown();
  });

  describe('a provider without service.name (the setup above, as many applications write it)', () => {
    afterEach(() => vi.unstubAllEnvs());

    async function segmentNames(env: Record<string, string>): Promise<{ names: string[]; warnings: string[] }> {
      vi.stubEnv('OTEL_SERVICE_NAME', env.OTEL_SERVICE_NAME ?? '');
      vi.stubEnv('AWS_XRAY_TRACING_NAME', env.AWS_XRAY_TRACING_NAME ?? '');
      stand = daemon();
      const port = await stand.start();
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
      const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}`, logger });
      const provider = new BasicTracerProvider({ idGenerator: new AWSXRayIdGenerator(), spanProcessors: [new BatchSpanProcessor(exporter)] });
      const tracer = provider.getTracer('e2e');
      for (const verb of ['GET', 'POST']) tracer.startSpan(verb, { kind: SpanKind.SERVER, attributes: { 'http.request.method': verb } }).end();
      await provider.shutdown();
      await stand.waitFor(2);
      for (const d of stand.docs) expectValidDocument(d);
      return { names: stand.docs.map((d) => d.name), warnings };
    }

    it('names segments after OTEL_SERVICE_NAME, else AWS_XRAY_TRACING_NAME, not after the HTTP verb', async () => {
      expect(await segmentNames({ OTEL_SERVICE_NAME: 'storefront', AWS_XRAY_TRACING_NAME: 'legacy' })).toEqual({ names: ['storefront', 'storefront'], warnings: [] });
      await stand?.close();
      expect(await segmentNames({ AWS_XRAY_TRACING_NAME: 'legacy' })).toEqual({ names: ['legacy', 'legacy'], warnings: [] });
    });

    it('with no name anywhere: the placeholder, and one warning naming the fix', async () => {
      const { names, warnings } = await segmentNames({});
      expect(names).toEqual(['unknown_service', 'unknown_service']);
      expect(warnings).toEqual([expect.stringContaining('OTEL_SERVICE_NAME')]);
    });
  });

  it('with a small datagram limit, a wide trace is split and still arrives whole', async () => {
    stand = daemon();
    const port = await stand.start();
    const received = stand;
    const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}`, maxDatagramBytes: 2048 });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer('e2e');
    tracer.startActiveSpan('root', { kind: SpanKind.SERVER }, (root) => {
      for (let i = 0; i < 30; i++) tracer.startSpan(`child ${i}`, { attributes: { note: 'n'.repeat(200) } }).end();
      root.end();
    });
    await provider.forceFlush();
    await received.waitFor(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(received.rejected).toEqual([]);
    expect(received.sizes.every((s) => s <= 2048)).toBe(true);
    received.docs.forEach(expectValidDocument);
    const count = (d: EntityDocument): number => 1 + (d.subsegments ?? []).reduce((n, s) => n + count(s), 0);
    expect(received.docs.reduce((n, d) => n + count(d), 0)).toBe(31);
    await provider.shutdown();
  });

  it('export() calls back even when no daemon listens, and shutdown() resolves', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}` });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.getTracer('e2e').startSpan('lonely').end();
    await provider.forceFlush();
    await expect(provider.shutdown()).resolves.toBeUndefined();
    await expect(exporter.forceFlush()).resolves.toBeUndefined();
  });

  it('after shutdown, export() reports failure instead of throwing', async () => {
    const exporter = new XRayUdpSpanExporter({ daemonAddress: '127.0.0.1:9' });
    await exporter.shutdown();
    const result = await new Promise<ExportResult>((resolve) => exporter.export([], resolve));
    expect(result.code).toBe(1);
    expect(result.error).toMatchObject({ code: 'ERR_XRAY_EXPORTER_SHUT_DOWN' });
  });

  it('a logger that throws cannot crash the process from a socket callback', async () => {
    const calls: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn(m: string) {
        calls.push(m);
        throw new Error('logger boom');
      },
      error(m: string) {
        calls.push(m);
        throw new Error('logger boom');
      },
    };
    // Sending to the broadcast address without SO_BROADCAST fails in the socket callback (EACCES).
    const exporter = new XRayUdpSpanExporter({ daemonAddress: '255.255.255.255:2000', logger });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.getTracer('e2e').startSpan('doomed').end();
    await provider.forceFlush();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.length).toBeGreaterThan(0);
    expect(exporter.stats().sendErrors).not.toEqual({});
    await provider.shutdown();
  });

  it('a malformed daemonAddress option (the application\'s own code) is a configuration error naming the value', () => {
    expect(() => new XRayUdpSpanExporter({ daemonAddress: 'nope' })).toThrow(/nope/);
    expect(() => new XRayUdpSpanExporter({ daemonAddress: 'nope' })).toThrow(expect.objectContaining({ code: 'ERR_XRAY_DAEMON_ADDRESS' }));
  });

  describe('a malformed AWS_XRAY_DAEMON_ADDRESS (an operator\'s typo)', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('does not stop the exporter: it is reported once and the configured address is used', async () => {
      vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', 'xray-daemon');
      stand = daemon();
      const port = await stand.start();
      const errors: string[] = [];
      const logger = { debug() {}, info() {}, warn: (m: string) => void errors.push(m), error: (m: string) => void errors.push(m) };
      const exporter = new XRayUdpSpanExporter({ daemonAddress: `127.0.0.1:${port}`, logger });
      const provider = new BasicTracerProvider({
        idGenerator: new AWSXRayIdGenerator(),
        resource: resourceFromAttributes({ 'service.name': 'checkout' }),
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      provider.getTracer('e2e').startSpan('GET', { kind: SpanKind.SERVER }).end();
      await provider.shutdown();
      await stand.waitFor(1);
      expect(stand.docs.map((d) => d.name)).toEqual(['checkout']);
      expect(errors).toEqual([expect.stringMatching(/^AWS_XRAY_DAEMON_ADDRESS is ignored: .*"xray-daemon"/)]);
    });

    it('without a logger, the default one says so on stderr', () => {
      vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', '127.0.0.1:99999');
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        void new XRayUdpSpanExporter().shutdown();
        expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^\[xray-otel-bridge\] ERROR AWS_XRAY_DAEMON_ADDRESS is ignored: .*99999.*127\.0\.0\.1:2000/)]);
      } finally {
        stderr.mockRestore();
      }
    });
  });
});
