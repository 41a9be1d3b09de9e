import { trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { warnOnce, type Logger } from '../logger.js';
import { ContextStore, ENTITY_KEY } from '../recorder/context-store.js';
import type { EntityHost } from '../recorder/entity.js';
import { autoPipeline } from '../setup/auto.js';
import { LoggerHolder, type LegacyLogger } from './logger.js';

const TRACER_NAME = 'xray-otel-bridge/aws-xray-sdk-core';

/** Host-wide state of the drop-in: logger, context store, and the OTel pipeline it may register. */
export class Runtime {
  readonly loggers = new LoggerHolder();
  /** The SDK's logger, made safe to call. */
  readonly logger: LegacyLogger = this.loggers.safe;
  /** What the recorder's entities log through: the same logger. */
  readonly host: EntityHost;
  readonly store: ContextStore;
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
    this.host = { logger: adapter, warnOnce: (kind, message) => warnOnce(this, adapter, kind, message) };
    this.store = new ContextStore((m) => logger.warn(m));
  }

  /**
   * The tracer every entity is made with. At first use, when the application registered no
   * tracer provider, the X-Ray pipeline is registered (setup/auto.ts), as the SDK "just worked".
   */
  tracer(): Tracer {
    if (!autoPipeline.settled) autoPipeline.ensure(this.host.logger);
    const provider = trace.getTracerProvider();
    if (provider !== this.provider || this.cachedTracer === undefined) {
      this.provider = provider;
      this.cachedTracer = provider.getTracer(TRACER_NAME);
    }
    return this.cachedTracer;
  }

  ensurePipeline(): void {
    autoPipeline.ensure(this.host.logger);
  }

  /** Whether the pipeline in use is the one the drop-in registered (no application provider). */
  get ownsPipeline(): boolean {
    return autoPipeline.owned;
  }

  /** Resource attributes (from plugins) for the pipeline registered at first use. */
  addResourceAttributes(attributes: Attributes): void {
    if (autoPipeline.settled) {
      this.logger.warn('config: the tracing pipeline is already set up (the first segment was made); plugins apply only before that');
      return;
    }
    Object.assign(autoPipeline.resourceAttributes, attributes);
  }

  /** The daemon address for the pipeline registered at first use. */
  setDaemonAddress(address: string): void {
    autoPipeline.daemonAddress = address;
    if (autoPipeline.settled) {
      this.logger.warn('setDaemonAddress: the tracing pipeline is already set up (the first segment was made); the address applies only before that');
    }
  }

  pinTraceId(otelTraceId: string): boolean {
    return autoPipeline.pinTraceId(otelTraceId);
  }

  unpin(): void {
    autoPipeline.unpin();
  }

  /** Flushes and unregisters the pipeline registered at first use, if it was (tests, graceful exit). */
  shutdown(): Promise<void> {
    return autoPipeline.shutdown();
  }

  /**
   * The context a child of `parent` starts in: the active one when `parent` is current there (so
   * an OTel span begun inside the parent becomes the child's parent), else the parent's own.
   */
  parentContextFor(parent: { inner: { context: Context } | undefined }): Context {
    const active = this.store.active();
    if (active.getValue(ENTITY_KEY) === parent.inner) return active;
    return parent.inner!.context;
  }
}

/**
 * One runtime per process, even when the package is loaded both as ESM and as CommonJS (the dual
 * package hazard): legacy code often mixes `require` and `import` of the SDK.
 */
const GLOBAL_KEY = Symbol.for('xray-otel-bridge.aws-xray-sdk-core.runtime');
const holder = globalThis as typeof globalThis & { [GLOBAL_KEY]?: Runtime };
export const runtime: Runtime = (holder[GLOBAL_KEY] ??= new Runtime());
