// The OTel pipeline both OTel-based contenders share: a BasicTracerProvider with X-Ray ids,
// a BatchSpanProcessor in front of this project's XRayUdpSpanExporter, and the
// AsyncLocalStorage context manager registered globally.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadBridge } from './bridge.mjs';

/** BatchSpanProcessor settings: SDK defaults except a 1 s delay instead of 5 s. */
export const BSP_CONFIG = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 };

/** Takes spans and drops them: OTel's own cost, without any export work. */
class NoopSpanExporter {
  export(_spans, resultCallback) {
    resultCallback({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

/**
 * `exporter`: 'xray' (default, XRayUdpSpanExporter to `daemonAddress`), 'xray-worker' (the same,
 * sending from its worker thread: `sendFrom: 'worker-thread'`) or 'noop'.
 */
export async function createOtelPipeline({ daemonAddress, serviceName = 'bench-service', exporter: kind = 'xray' }) {
  const { XRayUdpSpanExporter } = await loadBridge();
  const exporter =
    kind === 'noop'
      ? new NoopSpanExporter()
      : new XRayUdpSpanExporter({ daemonAddress, sendFrom: kind === 'xray-worker' ? 'worker-thread' : 'main-thread' });
  const processor = new BatchSpanProcessor(exporter, BSP_CONFIG);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    exporter,
    processor,
    flush: () => provider.forceFlush(),
    stats: () => (typeof exporter.stats === 'function' ? exporter.stats() : undefined),
    async shutdown() {
      await provider.shutdown();
      contextManager.disable();
    },
  };
}
