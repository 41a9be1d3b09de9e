import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type BufferConfig,
  type IdGenerator,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Attributes } from '@opentelemetry/api';
import { resolveDaemonAddress } from '../transport/address.js';
import { XRayUdpSpanExporter, type XRayUdpSpanExporterOptions } from '../exporter/xray-udp-exporter.js';
import { resolveLogger } from '../logger.js';
import { resolveSampler, type SamplingOption } from '../sampling/create.js';
import { XRayPropagator } from '../sampling/propagator.js';
import { patchedModules, patchModules, unpatchModules, type PatchRequest, type PatchResult } from '../patch/patch.js';

export interface RegisterXRayOptions extends XRayUdpSpanExporterOptions {
  /** `service.name`; default env `OTEL_SERVICE_NAME`, else OTel's `unknown_service:…`. */
  serviceName?: string;
  /** More resource attributes (`service.version`, `cloud.platform`, …). */
  resourceAttributes?: Attributes;
  /**
   * X-Ray sampling: `'remote'` (the console's rules through the daemon's TCP address), `'local'`
   * (X-Ray's default rule, 1 request/s then 5%), a local rules file's path or object, or `false`
   * (the default: every trace). In every case an upstream `Sampled=1`/`Sampled=0` wins.
   */
  sampling?: SamplingOption;
  /** A sampler of your own instead of `sampling` (it then decides alone, parents included). */
  sampler?: Sampler;
  /** The batch processor's settings (queue size, delay, batch size). */
  batch?: BufferConfig;
  /** Processors to run before the X-Ray batch processor. */
  spanProcessors?: SpanProcessor[];
  /** Trace and span ids (default: X-Ray's, whose trace ids start with the epoch seconds). */
  idGenerator?: IdGenerator;
  /**
   * Libraries to trace, as X-Ray's `patch()` takes them (`['aws-sdk', 'pg']`, `['boto3']`), or
   * `'all'` for `patch_all()`. Warnings go to `logger`, else stderr.
   */
  patch?: PatchRequest;
}

export interface XRayRegistration {
  provider: BasicTracerProvider;
  exporter: XRayUdpSpanExporter;
  /** What `patch` did, when it was given. */
  patch?: PatchResult;
  /** Flushes what is queued, closes the socket and unregisters the globals this call set. */
  shutdown(): Promise<void>;
}

/**
 * One call for services without an OTel setup: X-Ray trace ids, AsyncLocalStorage context,
 * the X-Ray propagator, X-Ray sampling (`sampling`), and batched export to the daemon, all registered as OTel globals.
 */
export function registerXRay(options: RegisterXRayOptions = {}): XRayRegistration {
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME;
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...options.resourceAttributes, ...(serviceName ? { [ATTR_SERVICE_NAME]: serviceName } : {}) }),
  );
  const logger = resolveLogger(options.logger);
  const exporter = new XRayUdpSpanExporter({ ...options, logger });
  if (options.sampler && options.sampling !== undefined) logger.warn('registerXRay: both "sampler" and "sampling" are set; "sampler" is used');
  const sampling = options.sampler
    ? { sampler: options.sampler, close: () => {} }
    : resolveSampler(options.sampling ?? false, { daemon: resolveDaemonAddress(options.daemonAddress).tcp, resource, logger });
  const provider = new BasicTracerProvider({
    resource,
    idGenerator: options.idGenerator ?? new AWSXRayIdGenerator(),
    sampler: sampling.sampler,
    spanProcessors: [...(options.spanProcessors ?? []), new BatchSpanProcessor(exporter, options.batch)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(contextManager);
  const ownsPropagator = propagation.setGlobalPropagator(new XRayPropagator());
  const ownsProvider = trace.setGlobalTracerProvider(provider);
  if (!ownsContext || !ownsPropagator || !ownsProvider) {
    // OTel refuses to replace globals and has already said so through diag; keep going with ours.
    logger.warn('registerXRay: another OpenTelemetry setup is already registered; its globals were kept');
  }

  let patch: PatchResult | undefined;
  let ownPatches: string[] = [];
  if (options.patch !== undefined) {
    const before = new Set(patchedModules());
    patch = patchModules(options.patch, { tracerProvider: provider, logger });
    ownPatches = patch.patched.filter((name) => !before.has(name));
  }

  let done: Promise<void> | undefined;
  return {
    provider,
    exporter,
    ...(patch ? { patch } : {}),
    shutdown() {
      done ??= (async () => {
        sampling.close();
        unpatchModules(ownPatches);
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
