import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type BufferConfig,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Attributes } from '@opentelemetry/api';
import { XRayUdpSpanExporter, type XRayUdpSpanExporterOptions } from '../exporter/xray-udp-exporter.js';
import { resolveLogger } from '../logger.js';

export interface RegisterXRayOptions extends XRayUdpSpanExporterOptions {
  /** `service.name`; default env `OTEL_SERVICE_NAME`, else OTel's `unknown_service:…`. */
  serviceName?: string;
  /** More resource attributes (`service.version`, `cloud.platform`, …). */
  resourceAttributes?: Attributes;
  /** The provider's sampler (default: OTel's parent-based always-on). */
  sampler?: Sampler;
  /** The batch processor's settings (queue size, delay, batch size). */
  batch?: BufferConfig;
  /** Processors to run before the X-Ray batch processor. */
  spanProcessors?: SpanProcessor[];
}

export interface XRayRegistration {
  provider: BasicTracerProvider;
  exporter: XRayUdpSpanExporter;
  /** Flushes what is queued, closes the socket and unregisters the globals this call set. */
  shutdown(): Promise<void>;
}

/**
 * One call for services without an OTel setup: X-Ray trace ids, AsyncLocalStorage context,
 * the X-Ray propagator, and batched export to the daemon, all registered as OTel globals.
 */
export function registerXRay(options: RegisterXRayOptions = {}): XRayRegistration {
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME;
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...options.resourceAttributes, ...(serviceName ? { [ATTR_SERVICE_NAME]: serviceName } : {}) }),
  );
  const logger = resolveLogger(options.logger);
  const exporter = new XRayUdpSpanExporter({ ...options, logger });
  const provider = new BasicTracerProvider({
    resource,
    idGenerator: new AWSXRayIdGenerator(),
    ...(options.sampler ? { sampler: options.sampler } : {}),
    spanProcessors: [...(options.spanProcessors ?? []), new BatchSpanProcessor(exporter, options.batch)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(contextManager);
  const ownsPropagator = propagation.setGlobalPropagator(new AWSXRayPropagator());
  const ownsProvider = trace.setGlobalTracerProvider(provider);
  if (!ownsContext || !ownsPropagator || !ownsProvider) {
    // OTel refuses to replace globals and has already said so through diag; keep going with ours.
    logger.warn('registerXRay: another OpenTelemetry setup is already registered; its globals were kept');
  }

  let done: Promise<void> | undefined;
  return {
    provider,
    exporter,
    shutdown() {
      done ??= (async () => {
        await provider.shutdown();
        if (ownsProvider) trace.disable();
        if (ownsPropagator) propagation.disable();
        if (ownsContext) {
          context.disable();
        } else {
          contextManager.disable();
        }
      })();
      return done;
    },
  };
}
