import { ProxyTracerProvider, trace, type Attributes } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.js';
import { requestedDaemonAddress } from '../recorder/pipeline-hook.js';
import { DEFAULT_DAEMON_ADDRESS, parseDaemonAddress } from '../transport/address.js';
import { registerXRay, type XRayRegistration } from './register.js';

/**
 * X-Ray ids, with one twist: a segment that continues a trace named by a header with a `Root`
 * and no `Parent` (a load balancer's) must carry that trace id without a parent span, and OTel
 * takes a root span's trace id from the id generator.
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

/**
 * The X-Ray pipeline registered on first use, as the X-Ray SDKs "just worked" without any setup:
 * when the recorder facade or the aws-xray-sdk-core drop-in makes its first span and no tracer
 * provider is registered, `ensure` registers one (`registerXRay`: X-Ray ids, AsyncLocalStorage,
 * the X-Ray propagator, the exporter to `AWS_XRAY_DAEMON_ADDRESS`), says so once at info level,
 * and flushes what is queued when the event loop empties, so a short script loses nothing. When
 * the application registered its own provider, nothing is done. One per process.
 */
export class AutoPipeline {
  /** Where the exporter sends (`setDaemonAddress`); `AWS_XRAY_DAEMON_ADDRESS` wins, as always. */
  daemonAddress: string | undefined;
  /** Resource attributes (the SDK's plugins). */
  readonly resourceAttributes: Attributes = {};
  private decided = false;
  private registration: XRayRegistration | undefined;
  private readonly ids = new PinnableIdGenerator();

  /** Whether the first use has happened (and with it the decision to register or not). */
  get settled(): boolean {
    return this.decided;
  }

  /** Whether this process's pipeline is the one registered here (so a trace id can be pinned). */
  get owned(): boolean {
    return this.registration !== undefined;
  }

  ensure(logger: Logger): void {
    if (this.decided) return;
    this.decided = true;
    if (process.env.AWS_XRAY_SDK_ENABLED?.trim().toLowerCase() === 'false') {
      logger.info('AWS_XRAY_SDK_ENABLED is false: no tracing pipeline is registered; segments record nothing.');
      return;
    }
    if (!noGlobalProvider()) return;
    const daemonAddress = this.daemonAddress ?? recorderDaemonAddress(logger);
    try {
      this.registration = registerXRay({
        daemonAddress,
        idGenerator: this.ids,
        logger,
        resourceAttributes: this.resourceAttributes,
        // Segments carry what the program recorded, not the process's description.
        resourceMetadata: false,
      });
    } catch (err) {
      logger.error(`Could not register the X-Ray pipeline: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    logger.info(
      'No OpenTelemetry tracer provider is registered: registered the X-Ray pipeline (X-Ray ids, AsyncLocalStorage context, ' +
        `X-Ray propagator, export to the daemon at ${process.env.AWS_XRAY_DAEMON_ADDRESS || daemonAddress || DEFAULT_DAEMON_ADDRESS}).`,
    );
    const provider = this.registration.provider;
    process.on('beforeExit', () => {
      void provider.forceFlush().catch(() => {});
    });
  }

  /** Makes the next root span carry `otelTraceId`; false when the pipeline is the application's. */
  pinTraceId(otelTraceId: string): boolean {
    if (this.registration === undefined) return false;
    this.ids.pinned = otelTraceId;
    return true;
  }

  /** Clears a pin the tracer did not consume. */
  unpin(): void {
    this.ids.pinned = undefined;
  }

  /** Flushes and unregisters what `ensure` registered; the next first use decides again. */
  async shutdown(): Promise<void> {
    const registration = this.registration;
    this.registration = undefined;
    this.decided = false;
    if (registration !== undefined) await registration.shutdown();
  }
}

/** The recorder's `configure({ daemon_address })`, when it is one; a malformed one is reported and left out. */
function recorderDaemonAddress(logger: Logger): string | undefined {
  const address = requestedDaemonAddress();
  if (address === undefined) return undefined;
  try {
    parseDaemonAddress(address);
    return address;
  } catch (err) {
    logger.error(`configure: daemon_address ${JSON.stringify(address)} is ignored: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function noGlobalProvider(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer('xray-otel-bridge') === undefined;
}

// One per process, even when the package is loaded both as ESM and as CommonJS.
const KEY = Symbol.for('xray-otel-bridge.auto-pipeline');
const holder = globalThis as typeof globalThis & { [KEY]?: AutoPipeline };
export const autoPipeline: AutoPipeline = (holder[KEY] ??= new AutoPipeline());
