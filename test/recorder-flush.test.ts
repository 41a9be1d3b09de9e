import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, type TracerConfig } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { XRayRecorder } from '../src/recorder/index.js';
import { capturingLogger } from './fixtures/recorder-harness.js';

// Spans are batched, and `process.exit()` skips the flush at the end of the event loop: ported
// scripts that end with it (Python's `sys.exit()` came after a synchronous send) need a flush.
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** A provider that would hold spans for a minute: only a flush exports them. */
function batchingProvider(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const config: TracerConfig = { spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })] };
  return { provider: new BasicTracerProvider(config), exporter };
}

afterEach(() => {
  trace.disable();
});

describe('xrayRecorder.flush()', () => {
  it("exports the spans the configured provider holds", async () => {
    const { provider, exporter } = batchingProvider();
    const recorder = new XRayRecorder({ tracerProvider: provider, logger: capturingLogger() });
    recorder.inSegment('job', () => recorder.inSubsegment('step', () => 1));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await recorder.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['job', 'step']);
    await provider.shutdown();
  });

  it('flushes the global provider (the one registered behind the API proxy) when none is configured', async () => {
    const { provider, exporter } = batchingProvider();
    trace.setGlobalTracerProvider(provider);
    const recorder = new XRayRecorder({ logger: capturingLogger() });
    recorder.inSegment('job', () => undefined);
    await recorder.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['job']);
    await provider.shutdown();
  });

  it('resolves for a provider that cannot flush, and warns (without rejecting) when its flush fails', async () => {
    const logger = capturingLogger();
    const silent = new XRayRecorder({ tracerProvider: { getTracer: () => trace.getTracer('none') }, logger });
    await expect(silent.flush()).resolves.toBeUndefined();
    const failing = new XRayRecorder({
      tracerProvider: { getTracer: () => trace.getTracer('none'), forceFlush: () => Promise.reject(new Error('exporter gone')) } as never,
      logger,
    });
    await expect(failing.flush()).resolves.toBeUndefined();
    expect(logger.warnings()).toEqual([expect.stringContaining('flush: the tracer provider could not flush (exporter gone)')]);
  });

  it('lets a script with no OpenTelemetry set-up end with process.exit() and lose nothing', async () => {
    if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run "npm run build" first (npm test does it)');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const received: string[] = [];
    socket.on('message', (m) => received.push(m.toString('utf8')));
    const script = `
      const { xray_recorder } = await import(${JSON.stringify(DIST)});
      xray_recorder.begin_segment('nightly-job');
      xray_recorder.end_segment();
      await xray_recorder.flush();
      process.exit(0);
    `;
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(socket.address() as AddressInfo).port}` };
      delete env.AWS_LAMBDA_FUNCTION_NAME;
      delete env.LAMBDA_TASK_ROOT;
      const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env });
      expect(stderr).toBe('');
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.slice(received[0]!.indexOf('\n') + 1))).toMatchObject({ name: 'nightly-job' });
    } finally {
      socket.close();
    }
  }, 30_000);
});
