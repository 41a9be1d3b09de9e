import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { splitDatagram } from '../src/transport/header.js';
import type { SegmentDocument } from '../src/exporter/document.js';
import { registerXRay, type XRayRegistration } from '../src/setup/register.js';
import { expectValidDocument } from './support/schema.js';

describe('registerXRay: the one-call setup', () => {
  let reg: XRayRegistration | undefined;
  let socket: dgram.Socket | undefined;
  afterEach(async () => {
    await reg?.shutdown();
    reg = undefined;
    await new Promise<void>((r) => (socket ? socket.close(() => r()) : r()));
    socket = undefined;
  });

  async function listen() {
    socket = dgram.createSocket('udp4');
    const docs: SegmentDocument[] = [];
    socket.on('message', (m) => {
      const v = splitDatagram(m);
      if (v.ok) docs.push(JSON.parse(v.body));
    });
    await new Promise<void>((r) => socket!.bind(0, '127.0.0.1', r));
    return { port: (socket.address() as AddressInfo).port, docs };
  }

  it('registers a provider whose spans reach the daemon as named, X-Ray-timestamped segments', async () => {
    const { port, docs } = await listen();
    reg = registerXRay({ serviceName: 'orders', daemonAddress: `127.0.0.1:${port}` });
    const tracer = trace.getTracer('t');
    await tracer.startActiveSpan('handle', { kind: SpanKind.SERVER }, async (span) => {
      await Promise.resolve();
      // The context manager carries the active span across await.
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
    });
    await reg.provider.forceFlush();
    for (let i = 0; i < 100 && docs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(docs).toHaveLength(1);
    expectValidDocument(docs[0]);
    expect(docs[0]!.name).toBe('orders');
    expect(Math.abs(parseInt(docs[0]!.trace_id.slice(2, 10), 16) - docs[0]!.start_time)).toBeLessThan(60);
  });

  it('installs the X-Ray propagator: X-Amzn-Trace-Id in, X-Amzn-Trace-Id out', () => {
    reg = registerXRay({ serviceName: 'orders', daemonAddress: '127.0.0.1:9' });
    const carrier: Record<string, string> = {};
    const incoming = { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' };
    const ctx = propagation.extract(ROOT_CONTEXT, incoming);
    const span = trace.getTracer('t').startSpan('child', {}, ctx);
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    span.end();
    expect(span.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(carrier['x-amzn-trace-id']).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/);
  });

  it('takes the service name from OTEL_SERVICE_NAME when none is given', async () => {
    const { port, docs } = await listen();
    const before = process.env.OTEL_SERVICE_NAME;
    process.env.OTEL_SERVICE_NAME = 'from-env';
    try {
      reg = registerXRay({ daemonAddress: `127.0.0.1:${port}` });
    } finally {
      if (before === undefined) delete process.env.OTEL_SERVICE_NAME;
      else process.env.OTEL_SERVICE_NAME = before;
    }
    trace.getTracer('t').startSpan('x', { kind: SpanKind.SERVER }).end();
    await reg.provider.forceFlush();
    for (let i = 0; i < 100 && docs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(docs[0]?.name).toBe('from-env');
  });

  it('a malformed AWS_XRAY_DAEMON_ADDRESS never throws at start-up: reported, and the configured address is used', async () => {
    const { port, docs } = await listen();
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void errors.push(m), error: (m: string) => void errors.push(m) };
    vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', 'udp:xray:2000 tcp:');
    try {
      reg = registerXRay({ serviceName: 'orders', daemonAddress: `127.0.0.1:${port}`, logger });
    } finally {
      vi.unstubAllEnvs();
    }
    trace.getTracer('t').startSpan('x', { kind: SpanKind.SERVER }).end();
    await reg.provider.forceFlush();
    for (let i = 0; i < 100 && docs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(docs.map((d) => d.name)).toEqual(['orders']);
    expect(errors).toEqual([expect.stringMatching(/^AWS_XRAY_DAEMON_ADDRESS is ignored: .*"udp:xray:2000 tcp:"/)]);
  });

  it('shutdown() unregisters what it registered, so a second setup can follow', async () => {
    reg = registerXRay({ daemonAddress: '127.0.0.1:9' });
    await reg.shutdown();
    await reg.shutdown();
    expect(trace.getTracer('t').startSpan('noop').isRecording()).toBe(false);
    expect(context.active()).toBe(ROOT_CONTEXT);
    reg = registerXRay({ daemonAddress: '127.0.0.1:9' });
    expect(trace.getTracer('t').startSpan('real').isRecording()).toBe(true);
  });
});
