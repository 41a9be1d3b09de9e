import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, isValidSpanId, trace, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { fromXRayTraceId } from '../ids.js';
import { EntityMode } from '../recorder/entity.js';
import { Segment as RecorderSegment } from '../recorder/segment.js';
import { pinSegmentName } from '../recorder/segment-name.js';
import { LegacyEntity, type ErrorLike, type HttpData } from './entity.js';
import { runtime } from './runtime.js';

/** How the next `new Segment` is made, set by the drop-in's own callers (middleware, Lambda). */
interface SegmentStart {
  /** The upstream sampling decision (`Sampled=0|1` of a trace header). */
  sampled?: boolean;
  /** A recorder entity to stand for (Lambda's facade, an adopted OTel span) instead of a new span. */
  adopt?: RecorderSegment;
}

let nextStart: SegmentStart | undefined;

/**
 * X-Ray's segment as `aws-xray-sdk-core` has it (`new Segment(name, rootId?, parentId?)`), over an
 * OTel SERVER span that starts when the segment is made. It continues the trace `rootId` names
 * (under `parentId` when given); otherwise it is a new trace, never the child of a local span
 * that happens to be active.
 */
export class Segment extends LegacyEntity {
  declare parent_id?: string;
  declare user?: string;
  declare origin?: string;
  declare service?: Record<string, unknown>;
  /** True for the read-only segment AWS Lambda owns. */
  declare facade?: boolean;
  /** An error a subsegment recorded, as the SDK tracks it. */
  declare exception?: { ex: unknown; cause: string };
  [attribute: string]: unknown;

  constructor(name: string, rootId?: string | null, parentId?: string | null) {
    super(name, 'Segment');
    const start = nextStart;
    nextStart = undefined;
    if (start?.adopt !== undefined) {
      this.inner = start.adopt;
      if (start.adopt.mode === EntityMode.Facade) {
        this.facade = true;
        this.in_progress = undefined;
      }
      return;
    }
    this.inner = startSegment(name, rootId, parentId, start?.sampled);
    if (parentId) this.parent_id = parentId;
    if (start?.sampled === false) this.notTraced = true;
  }

  /** @internal A segment with the given upstream sampling decision. */
  static withSampling(name: string, rootId: string | undefined, parentId: string | undefined, sampled: boolean | undefined): Segment {
    nextStart = { sampled };
    return new Segment(name, rootId, parentId);
  }

  /** @internal A segment standing for a recorder entity (Lambda's facade, an adopted OTel span). */
  static adopting(inner: RecorderSegment): Segment {
    nextStart = { adopt: inner };
    return new Segment(inner.name);
  }

  get segment(): Segment {
    return this;
  }

  /** The incoming request: an `IncomingRequestData` (its `close(res)` adds the response). */
  addIncomingRequestData(data: HttpData): void {
    this.http = data;
  }

  setUser(user: string): void {
    if (typeof user !== 'string') runtime.logger.error(`Set user: ${String(user)} failed. User IDs must be of type string.`);
    this.user = user;
  }

  setSDKData(data: Record<string, unknown>): void {
    if (!data) {
      runtime.logger.error(`Add SDK data: ${String(data)} failed.Must not be empty.`);
      return;
    }
    (this.aws ??= {}).xray = data;
  }

  setServiceData(data: Record<string, unknown>): void {
    if (!data) {
      runtime.logger.error(`Add service data: ${String(data)} failed.Must not be empty.`);
      return;
    }
    this.service = data;
  }

  addPluginData(data: Record<string, unknown>): void {
    Object.assign((this.aws ??= {}), data);
  }

  setMatchedSamplingRule(ruleName: string): void {
    const xray = ((this.aws ??= {}).xray ??= {}) as Record<string, unknown>;
    xray.rule_name = ruleName;
  }

  override addError(err: ErrorLike, remote?: boolean): void {
    if (this.facade) return this.facadeWarn('addError');
    super.addError(err, remote);
  }

  protected trackError(err: ErrorLike): boolean {
    const seen = this.exception;
    if (seen === undefined) return false;
    this.exception = undefined;
    return seen.ex === err;
  }

  override addAnnotation(key: string, value: string | number | boolean): void {
    if (this.facade) return this.facadeWarn('addAnnotation');
    super.addAnnotation(key, value);
  }

  override addMetadata(key: string, value: unknown, namespace?: string): void {
    if (this.facade) return this.facadeWarn('addMetadata');
    super.addMetadata(key, value, namespace);
  }

  /** Ends the segment (recording `err` when given); subsegments still open end later, on their own. */
  close(err?: ErrorLike | null, remote?: boolean): void {
    if (this.facade) return;
    // An end time set by hand before close() is kept, as in the SDK; otherwise the span's own clock.
    const given = this.end_time;
    if (given === undefined) this.end_time = Date.now() / 1000;
    if (err !== undefined && err !== null) this.addError(err, remote);
    this.in_progress = undefined;
    if (this.exception !== undefined) this.exception = undefined;
    this.end(given);
  }

  override isClosed(): boolean {
    return this.facade === true || super.isClosed();
  }

  /** Lambda's facade reads the invocation's trace header on each `getSegment()`: nothing to do here. */
  resolveLambdaTraceData(): void {}

  protected override writeFields(): void {
    super.writeFields();
    if (typeof this.user === 'string' && this.user !== '' && this.inner instanceof RecorderSegment) this.inner.setUser(this.user);
  }

  private facadeWarn(operation: string): void {
    runtime.logger.warn(`Function "${operation}" cannot be called on an AWS Lambda segment. Please use a subsegment to record data.`);
  }
}

function startSegment(name: string, rootId: string | null | undefined, parentId: string | null | undefined, sampled: boolean | undefined): RecorderSegment {
  const traceId = rootId && typeof rootId === 'string' ? fromXRayTraceId(rootId.trim()) : undefined;
  if (rootId && typeof rootId === 'string' && traceId === undefined) runtime.logger.error('Unrecognized trace ID format');
  const options: SpanOptions = { kind: SpanKind.SERVER };
  let parentContext: Context = ROOT_CONTEXT;
  let upstream: string | undefined;
  const tracer = runtime.tracer();
  let span: Span;
  if (traceId !== undefined && typeof parentId === 'string' && isValidSpanId(parentId.toLowerCase())) {
    upstream = parentId.toLowerCase();
    parentContext = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: upstream,
      traceFlags: sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
      isRemote: true,
    });
    span = tracer.startSpan(name || 'segment', options, parentContext);
  } else {
    options.root = true;
    if (traceId !== undefined && !runtime.pinTraceId(traceId)) {
      runtime.logger.warn(`Segment "${name}": trace ${String(rootId)} names no parent, and OpenTelemetry can continue a trace only under a parent span; starting a new trace`);
    }
    // Upstream said "not sampled" and named no parent: nothing to record, ids only for propagation.
    span =
      sampled === false
        ? trace.wrapSpanContext({ traceId: traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.NONE })
        : tracer.startSpan(name || 'segment', options, parentContext);
    runtime.unpin();
  }
  pinSegmentName(span, name);
  return new RecorderSegment(runtime.host, name, span, parentContext, upstream);
}
