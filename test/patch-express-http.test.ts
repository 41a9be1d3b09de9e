import dgram from 'node:dgram';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type Express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XRayRecorder } from '../src/recorder/index.js';
import { registerXRay } from '../src/setup/register.js';
import { capturingLogger } from './fixtures/recorder-harness.js';

// patch('http') traces clients only, as X-Ray does; express needs the incoming requests too. One
// http instrumentation serves both, so patching express after http reconfigures it, and
// unpatching express gives it its own configuration back.
const require = createRequire(import.meta.url);

let daemon: dgram.Socket;
let http: typeof Http;
let plain: Http.Server;
let plainUrl: string;
const first = new InMemorySpanExporter();
const recorder = new XRayRecorder({ tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(first)] }), logger: capturingLogger() });

beforeAll(async () => {
  daemon = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  expect(recorder.patch('http').patched).toEqual(['http']);
  http = require('node:http') as typeof Http;
  plain = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => plain.close(() => resolve()));
  await new Promise<void>((resolve) => daemon.close(() => resolve()));
});

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

/** The kinds of the spans `exporter` holds once `call` is done and the server's span has ended. */
async function kinds(exporter: InMemorySpanExporter, call: () => Promise<unknown>, expected: number): Promise<SpanKind[]> {
  exporter.reset();
  await call();
  for (let i = 0; i < 200 && exporter.getFinishedSpans().length < expected; i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  return exporter.getFinishedSpans().map((s) => s.kind);
}

describe("patch('http') and patch('express') share the http instrumentation", () => {
  it('http alone: an outgoing call is traced, the incoming request it makes is not', async () => {
    expect(await kinds(first, () => get(plainUrl), 1)).toEqual([SpanKind.CLIENT]);
  });

  it('express after http: incoming requests become segments; unpatching express turns them off again and keeps the client spans', async () => {
    const second = new InMemorySpanExporter();
    const reg = registerXRay({
      serviceName: 'shop',
      daemonAddress: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
      spanProcessors: [new SimpleSpanProcessor(second)],
      patch: ['express'],
      logger: capturingLogger(),
    });
    expect(reg.patch?.patched.sort()).toEqual(['express', 'http']);
    const express = require('express') as typeof Express;
    const app = express();
    app.get('/hello', (_req, res) => {
      res.send('hi');
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
    // express 4's own `app.use(fn)` and `router.handle(req, res, out)`; wrappers take `...args`.
    const own = (): number[] => [express.application.use.length, (express.Router as unknown as { handle: () => void }).handle.length];
    expect(own()).toEqual([0, 0]);
    try {
      // The outgoing call and the request it makes: a client span and a server span (the segment).
      expect((await kinds(second, () => get(url), 2)).sort()).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
      const segment = second.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
      expect(segment?.name).toBe('GET /hello');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reg.shutdown();
    }
    // Unpatched: express has its own functions back, the instrumentation's and ours removed.
    expect(own()).toEqual([1, 3]);

    // http was patched before registerXRay, so it stays patched; patching it again brings back the first provider.
    expect(recorder.patch('http').patched).toEqual(['http']);
    expect(await kinds(first, () => get(plainUrl), 1)).toEqual([SpanKind.CLIENT]);
  });
});
