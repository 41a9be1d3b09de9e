import { SpanStatusCode, TraceFlags, trace, type Context, type HrTime, type Span, type TimeInput } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_CLIENT_ADDRESS, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_NETWORK_PEER_ADDRESS, EVENT_EXCEPTION } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_RESPONSE_BODY_SIZE } from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTR_XRAY_ANNOTATIONS,
  ATTR_XRAY_ERROR,
  ATTR_XRAY_EXCEPTION_REMOTE,
  ATTR_XRAY_FAULT,
  ATTR_XRAY_METADATA_PREFIX,
  ATTR_XRAY_PREFIX,
  AWS_ATTRIBUTE_PREFIX,
  DB_ATTRIBUTE_PREFIX,
  ATTR_XRAY_THROTTLE,
} from '../common/attributes.js';
import type { SegmentDocument } from '../exporter/document.js';
import { toSegmentDocuments } from '../exporter/to-segment-documents.js';
import { toXRayTraceId } from '../ids.js';
import type { Logger } from '../logger.js';
import { defineAliases, type AliasTable, type Aliases } from './aliases.js';
import { ENTITY_KEY } from './context-store.js';
import { LinkedContext } from './linked-context.js';
import { exceptionAttributes } from './exception.js';
import { AWS_KEYS, HTTP_STRING_KEYS, SQL_KEYS, writeFields } from './fields.js';
import { safeStringify } from './json.js';
import type { Segment } from './segment.js';
import { addMillis, compareHrTime, describeTime, isHrTime, isXRayTime, toTimeInput, type XRayTime } from './time.js';
import { describe, errorMessage, read, toInteger } from './values.js';

/** What an entity needs from the recorder that made it (read at use, so `configure` applies). */
export interface EntityHost {
  readonly logger: Logger;
  /** For a form that is fine once understood (ambiguous argument orders): said once per recorder. */
  warnOnce(kind: string, message: string): void;
}

/** How an entity relates to its span. */
export const enum EntityMode {
  /** The recorder started the span and ends it on `close()`. */
  Owned,
  /** Lambda's segment, known only by its ids: read-only. */
  Facade,
  /**
   * A span someone else started (an OTel server span) that legacy code reaches through
   * `currentSegment()`: writable, but only its owner ends it, so annotation and metadata
   * attributes are written as they change rather than once at close.
   */
  Adopted,
}

export type AnnotationInput = string | number | boolean;

/** `addException`'s options, as Python's `add_exception(exception, stack, remote)`. */
export interface ExceptionOptions {
  /** The exception came from a downstream call rather than from this service. */
  remote?: boolean;
}


/** What ported Python code passes as `add_exception`'s `stack`: a formatted stack or a list of frames. */
export type PythonStack = string | readonly unknown[] | null | undefined;

const RESERVED_METADATA_PREFIX = 'AWS.';
const DEFAULT_NAMESPACE = 'default';

/**
 * What segments and subsegments share: an X-Ray entity over one OTel span. Cheap by design (the
 * recorder's hot path makes one per subsegment): plain fields, state created on first use, and
 * annotation keys and metadata written to the span once, when it closes.
 */
export abstract class EntityMethods {
  /** The OTel span this entity records on. */
  readonly span: Span;
  readonly name: string;
  /** X-Ray id of the parent (segment or subsegment, or any OTel span), when there is one. */
  readonly parentId: string | undefined;
  /** @internal The OTel context in which this entity is the current one. */
  readonly context: Context;
  /** @internal The context that was active when it began: current again when it ends. */
  readonly parentContext: Context;
  /** @internal */
  readonly mode: EntityMode;
  protected readonly host: EntityHost;
  private readonly recording: boolean;
  private ended = false;
  // State made on first use only (`declare`: no initialiser is emitted, so an entity that never
  // has annotations or metadata does not carry those fields at all).
  private declare annotationKeys: string[] | undefined;
  private declare metadata: Record<string, Record<string, unknown>> | undefined;
  private declare clientIp: string | undefined;
  private declare forwarded: boolean | undefined;
  /** `performance.now()` when the span started: this entity's reading of its span's clock. */
  private readonly startedAt: number;
  /** The latest end of a subsegment begun in this entity: this entity never ends before it. */
  private declare childEnd: HrTime | undefined;

  /** Which of the two this is, for messages. */
  abstract readonly kind: 'segment' | 'subsegment';
  /** The segment this entity belongs to (itself for a segment). */
  abstract readonly segment: Segment;

  /** @internal */
  constructor(host: EntityHost, name: string, span: Span, parentContext: Context, parentId: string | undefined, mode: EntityMode) {
    this.host = host;
    this.name = name;
    this.span = span;
    this.parentContext = parentContext;
    this.parentId = parentId;
    this.mode = mode;
    this.recording = mode !== EntityMode.Facade && span.isRecording();
    this.context = trace.setSpan(LinkedContext.from(parentContext), span).setValue(ENTITY_KEY, this);
    this.startedAt = performance.now();
  }

  /** Span id: X-Ray's entity id. */
  get id(): string {
    return this.span.spanContext().spanId;
  }

  /** The trace id in X-Ray's `1-xxxxxxxx-…` form. */
  get traceId(): string {
    return toXRayTraceId(this.span.spanContext().traceId);
  }

  /** Whether the tracer provider's sampler kept this entity's trace. */
  get sampled(): boolean {
    return (this.span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
  }

  /** An indexed, filterable value: attribute `key`, listed in `aws.xray.annotations` at close. */
  putAnnotation(key: string, value: AnnotationInput): void {
    if (!this.writable('putAnnotation')) return;
    if (typeof key !== 'string' || key === '') {
      this.warn(`annotation key ${describe(key)} is not a non-empty string; annotation dropped`);
      return;
    }
    if (key.startsWith(ATTR_XRAY_PREFIX)) {
      this.warn(`annotation "${key}": keys starting with "${ATTR_XRAY_PREFIX}" are reserved; annotation dropped`);
      return;
    }
    const type = typeof value;
    if (type !== 'string' && type !== 'boolean' && !(type === 'number' && Number.isFinite(value))) {
      this.warn(`annotation "${key}": ${describe(value)} is not a string, finite number or boolean; annotation dropped`);
      return;
    }
    this.span.setAttribute(key, value);
    const keys = (this.annotationKeys ??= []);
    if (!keys.includes(key)) keys.push(key);
    if (this.mode === EntityMode.Adopted) this.writeAnnotationKeys();
  }

  /**
   * Free-form data under `namespace` (default `default`). Kept as given and serialized once at
   * close, so later changes to `value` before then are included, as in the X-Ray SDKs.
   *
   * The Python and Node SDKs take `(key, value, namespace)`, Java's `(namespace, key, value)`.
   * A call whose last argument cannot be a namespace (not a string) while the second is one is
   * Java's, and read as such; three strings could be either and are read in this order, which
   * is said once.
   */
  putMetadata(key: string, value: unknown, namespace?: string): void;
  /** Java's order: `putMetadata(namespace, key, value)` with a value that is not a string. */
  putMetadata(namespace: string, key: string, value: unknown): void;
  putMetadata(first: string, second: unknown, third?: unknown): void {
    let key = first;
    let value = second;
    let namespace = third ?? DEFAULT_NAMESPACE;
    if (typeof third !== 'string' && third !== undefined && third !== null && typeof second === 'string') {
      namespace = first;
      key = second;
      value = third;
    } else if (typeof second === 'string' && typeof third === 'string') {
      this.host.warnOnce(
        'metadata-order',
        `putMetadata(${describe(first)}, ${describe(second)}, ${describe(third)}) is read in the Python and Node SDKs' order (key, value, namespace): ` +
          `key ${describe(first)} in namespace ${describe(third)}. Java's putMetadata(namespace, key, value) is recognised when its value is not a string`,
      );
    }
    this.addMetadata(key, value, namespace);
  }

  private addMetadata(key: unknown, value: unknown, namespace: unknown): void {
    if (!this.writable('putMetadata')) return;
    if (typeof key !== 'string' || key === '') {
      this.warn(`metadata key ${describe(key)} is not a non-empty string; metadata dropped`);
      return;
    }
    if (typeof namespace !== 'string' || namespace === '') {
      this.warn(`metadata "${key}": namespace ${describe(namespace)} is not a non-empty string; metadata dropped`);
      return;
    }
    if (namespace.startsWith(RESERVED_METADATA_PREFIX)) {
      this.warn(`metadata "${key}": namespaces starting with "${RESERVED_METADATA_PREFIX}" are reserved for AWS; metadata dropped`);
      return;
    }
    const all = (this.metadata ??= Object.create(null) as Record<string, Record<string, unknown>>);
    const ns = (all[namespace] ??= Object.create(null) as Record<string, unknown>);
    ns[key] = value;
    // An adopted span is written as it changes: only the namespace that changed is serialized again.
    if (this.mode === EntityMode.Adopted) this.writeMetadata(namespace);
  }

  /** Python's `put_http_meta` keys: url, method, user_agent, client_ip, x_forwarded_for, status, content_length. */
  putHttpMeta(key: string, value: unknown): void {
    if (!this.writable('putHttpMeta')) return;
    if (value === undefined || value === null) return;
    switch (key) {
      case 'url':
      case 'method':
      case 'user_agent':
        if (typeof value !== 'string') return this.warnHttp(key, value, 'a string');
        this.span.setAttribute(HTTP_STRING_KEYS[key], value);
        return;
      case 'client_ip':
        if (typeof value !== 'string') return this.warnHttp(key, value, 'a string');
        this.span.setAttribute(ATTR_CLIENT_ADDRESS, value);
        this.clientIp = value;
        if (this.mode === EntityMode.Adopted) this.writePeer();
        return;
      case 'x_forwarded_for':
        this.forwarded = value === true || value === 'true';
        if (this.mode === EntityMode.Adopted) this.writePeer();
        return;
      case 'status': {
        const status = toInteger(value);
        if (status === undefined) return this.warnHttp(key, value, 'an integer');
        this.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        this.applyStatusCode(status);
        return;
      }
      case 'content_length': {
        const length = toInteger(value);
        if (length === undefined || length < 0) return this.warnHttp(key, value, 'a non-negative integer');
        this.span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, length);
        return;
      }
      default:
        this.warn(`http meta key ${describe(key)} is not one of url, method, user_agent, client_ip, x_forwarded_for, status, content_length; ignored`);
    }
  }

  /** Sets error (4xx), throttle (429) and fault (5xx) as the X-Ray SDKs do; never clears a flag. */
  applyStatusCode(code: number): void {
    if (!this.writable('applyStatusCode')) return;
    const status = toInteger(code);
    if (status === undefined) {
      this.warn(`applyStatusCode: ${describe(code)} is not an integer status code; ignored`);
      return;
    }
    if (status === 429) {
      this.span.setAttribute(ATTR_XRAY_THROTTLE, true);
      this.span.setAttribute(ATTR_XRAY_ERROR, true);
    } else if (status >= 400 && status <= 499) {
      this.span.setAttribute(ATTR_XRAY_ERROR, true);
    } else if (status >= 500 && status <= 599) {
      this.span.setAttribute(ATTR_XRAY_FAULT, true);
    }
  }

  /**
   * Records `err` as the span's exception event (type, message, stack: whatever it already carries;
   * nothing is captured here) and marks the entity as a fault (status ERROR), as the SDKs do.
   * Never throws: it runs while the application's own error is on its way up, and an error whose
   * `stack` getter throws (or whose `code` cannot be turned into a string) is recorded with the
   * fields that can be read, with a warning.
   */
  addException(err: unknown, options?: ExceptionOptions): void;
  /** Python's `add_exception(exception, stack, remote)`: the stack is read from `err`, `stack` is not used. */
  addException(err: unknown, stack: PythonStack, remote?: boolean): void;
  addException(err: unknown, options?: ExceptionOptions | PythonStack, remote?: boolean): void {
    if (!this.writable('addException')) return;
    const isRemote = remote === true || (typeof options === 'object' && options !== null && read(() => (options as ExceptionOptions).remote) === true);
    try {
      if (!isRemote && err instanceof Error) this.span.recordException(err);
      // Not an Error (a string, a number, a plain object) or a remote one: the same event, built here.
      else this.addExceptionEvent(err, isRemote);
    } catch (problem) {
      this.warn(`addException: the exception could not be recorded as it is (${errorMessage(problem)}); recorded the fields that can be read`);
      try {
        this.addExceptionEvent(err, isRemote);
      } catch (again) {
        this.warn(`addException: the exception could not be recorded (${errorMessage(again)})`);
      }
    }
    try {
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (problem) {
      this.warn(`addException: the span's status could not be set (${errorMessage(problem)})`);
    }
  }

  addErrorFlag(): void {
    if (this.writable('addErrorFlag')) this.span.setAttribute(ATTR_XRAY_ERROR, true);
  }

  addFaultFlag(): void {
    if (this.writable('addFaultFlag')) this.span.setAttribute(ATTR_XRAY_FAULT, true);
  }

  addThrottleFlag(): void {
    if (this.writable('addThrottleFlag')) this.span.setAttribute(ATTR_XRAY_THROTTLE, true);
  }

  /** The `aws` block's fields (operation, region, request_id, queue_url, table_name(s), account_id). */
  setAws(fields: Record<string, unknown>): void {
    if (!this.writable('setAws')) return;
    writeFields(this.span, (m) => this.warn(m), 'setAws', fields, AWS_KEYS, AWS_ATTRIBUTE_PREFIX);
  }

  /** The `sql` block's fields (url, connection_string, sanitized_query, database_type, user, …). */
  setSql(fields: Record<string, unknown>): void {
    if (!this.writable('setSql')) return;
    writeFields(this.span, (m) => this.warn(m), 'setSql', fields, SQL_KEYS, DB_ATTRIBUTE_PREFIX);
  }

  /** Ends the span (at `endTime`: epoch seconds as in the X-Ray SDKs, or a Date / HrTime). */
  close(endTime?: XRayTime): void;
  /**
   * The Node SDK's `close(err, remote)`: records `err` (an Error, or a message) as `addException`
   * does, then ends the span now.
   */
  close(error: unknown, remote?: boolean): void;
  close(endTimeOrError?: unknown, remote?: boolean): void {
    let endTime: XRayTime | undefined;
    if (isXRayTime(endTimeOrError)) endTime = endTimeOrError;
    else if (endTimeOrError !== undefined && endTimeOrError !== null && !this.ended) this.addException(endTimeOrError, { remote: remote === true });
    if (this.mode === EntityMode.Facade) {
      this.warn('is the Lambda function segment, which Lambda closes; close() ignored');
      return;
    }
    if (this.mode === EntityMode.Adopted) {
      this.warn('was started by OpenTelemetry code, which ends it; close() ignored');
      return;
    }
    if (this.ended) {
      this.warn('is already closed; close() ignored');
      return;
    }
    this.ended = true;
    // Never throws into the application: close() runs in `finally`-like paths of capture and inSegment.
    try {
      this.flush();
    } catch (problem) {
      this.warn(`annotations and metadata could not be written (${errorMessage(problem)})`);
    }
    try {
      this.span.end(this.endTimeFor(endTime));
    } catch (problem) {
      this.warn(`its span could not be ended (${errorMessage(problem)})`);
    }
    this.closed();
  }

  isClosed(): boolean {
    return this.ended;
  }

  /**
   * The document this entity is (or will be) exported as, by this project's exporter; an open
   * entity shows `in_progress`. For a span the exporter cannot read (no SDK tracer provider, not
   * sampled), the identity fields only.
   */
  toJSON(): SegmentDocument {
    // An adopted span already carries everything (it is written as it changes).
    if (!this.ended && this.mode !== EntityMode.Adopted) this.flush();
    if (isReadableSpan(this.span)) {
      const doc = toSegmentDocuments([this.span])[0];
      if (doc !== undefined) return doc;
    }
    const doc: SegmentDocument = { name: this.name, id: this.id, trace_id: this.traceId, start_time: Date.now() / 1000, in_progress: true };
    if (this.parentId !== undefined) doc.parent_id = this.parentId;
    if (this.kind === 'subsegment') doc.type = 'subsegment';
    return doc;
  }

  protected describeSelf(): string {
    return `${this.kind} "${this.name}"`;
  }

  /** @internal The host's logger never throws (the recorder wraps every logger it is given). */
  warn(message: string): void {
    this.host.logger.warn(`${this.describeSelf()}: ${message}`);
  }

  /** @internal A subsegment begun in this entity has ended: this entity will not end before it. */
  childEnded(child: Span): void {
    if (this.ended) return;
    const end = (child as Partial<ReadableSpan>).endTime;
    if (!isHrTime(end) || (end[0] === 0 && end[1] === 0)) return;
    if (this.childEnd === undefined || compareHrTime(end, this.childEnd) > 0) this.childEnd = end;
  }

  /** Called once the span has ended (a subsegment tells its parent). */
  protected closed(): void {}

  /**
   * The end time to give `span.end()`: the one asked for; else, when a subsegment ended after
   * what this span's clock reads now, that subsegment's end. Each SDK span anchors its clock to
   * `Date.now()` (whole milliseconds) when it starts, so a child's clock can run up to 1 ms ahead
   * of its parent's and a parent ended after its child could otherwise show an earlier end_time.
   */
  private endTimeFor(endTime: XRayTime | undefined): TimeInput | undefined {
    const given = toTimeInput(endTime);
    if (given === undefined && endTime !== undefined) {
      // NaN, Infinity, a negative time or an invalid Date would reach X-Ray as `"end_time": null`.
      this.warn(`close: end time ${describeTime(endTime)} is not a valid time (finite, not before 1970); ended now instead`);
    }
    if (given !== undefined || this.childEnd === undefined) return given;
    const start = (this.span as Partial<ReadableSpan>).startTime;
    if (!isHrTime(start)) return undefined;
    const now = addMillis(start, performance.now() - this.startedAt);
    return compareHrTime(now, this.childEnd) >= 0 ? now : this.childEnd;
  }

  /** Whether a write may proceed: warns for closed entities and the read-only facade. */
  protected writable(operation: string): boolean {
    if (this.ended) {
      this.warn(`is already closed; ${operation} ignored`);
      return false;
    }
    if (this.mode === EntityMode.Facade) {
      this.warn(`is the Lambda function segment, which is read-only; ${operation} ignored`);
      return false;
    }
    return this.recording;
  }

  /** Writes what is kept until close: the annotation key list, metadata, the socket peer. */
  private flush(): void {
    if (!this.recording) return;
    this.writeAnnotationKeys();
    if (this.metadata !== undefined) for (const namespace of Object.keys(this.metadata)) this.writeMetadata(namespace);
    this.writePeer();
  }

  private writeAnnotationKeys(): void {
    if (this.annotationKeys !== undefined) this.span.setAttribute(ATTR_XRAY_ANNOTATIONS, this.annotationKeys.slice());
  }

  private writeMetadata(namespace: string): void {
    const values = this.metadata?.[namespace];
    if (values === undefined) return;
    const json = safeStringify(values, (key, problem) => this.warn(`metadata "${namespace}"."${key}": ${problem}`));
    this.span.setAttribute(ATTR_XRAY_METADATA_PREFIX + namespace, json);
  }

  /**
   * X-Ray's `x_forwarded_for` is the exporter's reading of a client address that differs from
   * (or comes without) the socket peer: the peer is written only when the address is the peer.
   */
  private writePeer(): void {
    if (this.clientIp !== undefined && this.forwarded !== true) this.span.setAttribute(ATTR_NETWORK_PEER_ADDRESS, this.clientIp);
  }

  private addExceptionEvent(err: unknown, isRemote: boolean): void {
    const attributes = exceptionAttributes(err);
    if (isRemote) attributes[ATTR_XRAY_EXCEPTION_REMOTE] = true;
    this.span.addEvent(EVENT_EXCEPTION, attributes);
  }

  private warnHttp(key: string, value: unknown, expected: string): void {
    this.warn(`http meta "${key}": ${describe(value)} is not ${expected}; ignored`);
  }
}

/** Python's names (the X-Ray SDK for Python's `Entity`); see aliases.ts. */
const ENTITY_ALIASES = {
  trace_id: 'traceId',
  parent_id: 'parentId',
  put_annotation: 'putAnnotation',
  put_metadata: 'putMetadata',
  put_http_meta: 'putHttpMeta',
  apply_status_code: 'applyStatusCode',
  add_exception: 'addException',
  add_error_flag: 'addErrorFlag',
  add_fault_flag: 'addFaultFlag',
  add_throttle_flag: 'addThrottleFlag',
  set_aws: 'setAws',
  set_sql: 'setSql',
  is_closed: 'isClosed',
  to_json: 'toJSON',
} as const satisfies AliasTable<EntityMethods>;

/**
 * What segments and subsegments share, under every SDK's names. The methods are `EntityMethods`'s;
 * the aliases come from `ENTITY_ALIASES`.
 */
export interface Entity extends Aliases<EntityMethods, typeof ENTITY_ALIASES> {}
export abstract class Entity extends EntityMethods {}
defineAliases(Entity, ENTITY_ALIASES);

function isReadableSpan(span: Span): span is Span & ReadableSpan {
  const s = span as Partial<ReadableSpan>;
  return s.attributes !== undefined && Array.isArray(s.startTime) && Array.isArray(s.events);
}
