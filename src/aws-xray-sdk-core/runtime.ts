import { ProxyTracerProvider, createContextKey, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { Logger } from '../logger.js';
import { ContextStore } from '../recorder/context-store.js';
import type { EntityHost } from '../recorder/entity.js';
import { registerXRay, type XRayRegistration } from '../setup/register.js';
import { LoggerHolder, type LegacyLogger } from './logger.js';

const TRACER_NAME = 'xray-otel-bridge/aws-xray-sdk-core';

/** Where the drop-in's current entity rides in the OTel context, next to its span. */
export const LEGACY_ENTITY_KEY = createContextKey('xray-otel-bridge aws-xray-sdk-core entity');

/**
 * X-Ray ids, with one twist: a segment that continues a trace named by a header with a `Root`
 * and no `Parent` (a load balancer's) must carry that trace id without a parent span, and OTel
 * takes a root span's trace id from the id generator. Only used when the drop-in registered the
 * pipeline itself.
 */
class PinnableIdGenerator implements IdGenerator {
  private readonly xray = new AWSXRayIdGenerator();
  pinned: string | undefined;

  generateTraceId(): string {
    const pinned = this.pinned;
    if (pinned === undefined) return this.xray.generateTraceId();
    this.pinned = undefined;
    return pinned;
  }

  generateSpanId(): string {
    return this.xray.generateSpanId();
  }
}

/** Host-wide state of the drop-in: logger, context store, and the OTel pipeline it may register. */
export class Runtime {
  readonly loggers = new LoggerHolder();
  /** The SDK's logger, made safe to call. */
  readonly logger: LegacyLogger = this.loggers.safe;
  /** What the recorder's entities log through: the same logger. */
  readonly host: EntityHost;
  readonly store: ContextStore;
  daemonAddress: string | undefined;
  private readonly resourceAttributes: Attributes = {};
  private checked = false;
  private registration: XRayRegistration | undefined;
  private readonly ids = new PinnableIdGenerator();
  private provider: unknown;
  private cachedTracer: Tracer | undefined;

  constructor() {
    const logger = this.logger;
    const adapter: Logger = {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    };
    this.host = { logger: adapter };
    this.store = new ContextStore((m) => logger.warn(m));
  }

  /**
   * The tracer every entity is made with. At first use, when the application registered no
   * tracer provider, the X-Ray pipeline is registered here, as the SDK "just worked" without one.
   */
  tracer(): Tracer {
    if (!this.checked) this.ensurePipeline();
    const provider = trace.getTracerProvider();
    if (provider !== this.provider || this.cachedTracer === undefined) {
      this.provider = provider;
      this.cachedTracer = provider.getTracer(TRACER_NAME);
    }
    return this.cachedTracer;
  }

  /** Registers the X-Ray pipeline unless a tracer provider is already registered (or the SDK is disabled). */
  ensurePipeline(): void {
    if (this.checked) return;
    this.checked = true;
    if (process.env.AWS_XRAY_SDK_ENABLED?.trim().toLowerCase() === 'false') {
      this.logger.info('AWS_XRAY_SDK_ENABLED is false: no tracing pipeline is registered; entities record nothing.');
      return;
    }
    if (!noGlobalProvider()) return;
    try {
      this.registration = registerXRay({
        daemonAddress: this.daemonAddress,
        idGenerator: this.ids,
        logger: this.host.logger,
        resourceAttributes: this.resourceAttributes,
        // The SDK's segments carry what the program recorded, not the process's description.
        resourceMetadata: false,
      });
    } catch (err) {
      this.logger.error(`Could not register the X-Ray pipeline: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.logger.info(
      'No OpenTelemetry tracer provider is registered: registered the X-Ray pipeline (X-Ray ids, AsyncLocalStorage context, ' +
        `X-Ray propagator, export to the daemon at ${this.daemonAddress ?? process.env.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000'}).`,
    );
    const provider = this.registration.provider;
    // A short script must lose nothing: what is queued is sent when the event loop empties.
    process.on('beforeExit', () => {
      void provider.forceFlush().catch(() => {});
    });
  }

  /** Resource attributes (from plugins) for the pipeline this runtime registers. */
  addResourceAttributes(attributes: Attributes): void {
    if (this.checked) {
      this.logger.warn('config: the tracing pipeline is already set up (the first segment was made); plugins apply only before that');
      return;
    }
    Object.assign(this.resourceAttributes, attributes);
  }

  /** The daemon address for the pipeline this runtime registers. */
  setDaemonAddress(address: string): void {
    this.daemonAddress = address;
    if (this.checked) {
      this.logger.warn('setDaemonAddress: the tracing pipeline is already set up (the first segment was made); the address applies only before that');
    }
  }

  /** Whether this runtime registered the pipeline (so a trace id can be pinned). */
  get ownsPipeline(): boolean {
    return this.registration !== undefined;
  }

  /** Makes the next root span carry `otelTraceId`; false when the pipeline is the application's. */
  pinTraceId(otelTraceId: string): boolean {
    if (this.registration === undefined) return false;
    this.ids.pinned = otelTraceId;
    return true;
  }

  /** Clears a pin the tracer did not consume (a provider that made no span). */
  unpin(): void {
    this.ids.pinned = undefined;
  }

  /** Flushes and unregisters a pipeline this runtime registered (tests, `shutdown` at exit). */
  async shutdown(): Promise<void> {
    const registration = this.registration;
    this.registration = undefined;
    this.checked = false;
    if (registration !== undefined) await registration.shutdown();
  }

  /**
   * The context a child of `parent` starts in: the active one when `parent` is current there (so
   * an OTel span begun inside the parent becomes the child's parent), else the parent's own.
   */
  parentContextFor(parent: { inner: { context: Context } | undefined }): Context {
    const active = this.store.active();
    if (active.getValue(LEGACY_ENTITY_KEY) === parent) return active;
    return parent.inner!.context;
  }
}

function noGlobalProvider(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer(TRACER_NAME) === undefined;
}

/**
 * One runtime per process, even when the package is loaded both as ESM and as CommonJS (the dual
 * package hazard): legacy code often mixes `require` and `import` of the SDK.
 */
const GLOBAL_KEY = Symbol.for('xray-otel-bridge.aws-xray-sdk-core.runtime');
const holder = globalThis as typeof globalThis & { [GLOBAL_KEY]?: Runtime };
export const runtime: Runtime = (holder[GLOBAL_KEY] ??= new Runtime());
