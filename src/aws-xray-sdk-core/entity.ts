import { SpanKind, SpanStatusCode, TraceFlags, trace, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE, EVENT_EXCEPTION } from '@opentelemetry/semantic-conventions';
import {
  ATTR_XRAY_AWS_FIELDS,
  ATTR_XRAY_EXCEPTION_REMOTE,
  ATTR_XRAY_NAMESPACE,
  ATTR_XRAY_PRECURSOR_IDS,
  ATTR_XRAY_SQL_FIELDS,
  ATTR_XRAY_TRACED,
} from '../common/attributes.js';
import type { SegmentDocument } from '../exporter/document.js';
import type { Entity as RecorderEntity } from '../recorder/entity.js';
import { Subsegment as RecorderSubsegment } from '../recorder/subsegment.js';
import { runtime } from './runtime.js';

/** The `http` block as the SDK's middleware and patchers fill it. */
export interface HttpData {
  request?: Record<string, unknown>;
  response?: Record<string, unknown>;
  close?(res: unknown): void;
}

/** What the SDK's `addError` accepts. */
export type ErrorLike = Error | string | Record<string, unknown>;

const INTERNAL: SpanOptions = { kind: SpanKind.INTERNAL };
const HTTP_REQUEST_KEYS = ['url', 'method', 'user_agent', 'client_ip', 'x_forwarded_for'] as const;
const HTTP_RESPONSE_KEYS = ['status', 'content_length'] as const;

/**
 * What the SDK's `Segment` and `Subsegment` share, over one OTel span (held by the recorder's
 * entity, which maps each X-Ray field to the attributes the exporter reads).
 *
 * The SDK's entities are plain objects that legacy code reads and writes field by field
 * (`segment.http.close(res)`, `segment[cause] = true`, `subsegment.namespace = 'remote'`), so the
 * drop-in keeps those fields and writes what they hold to the span when the entity closes.
 * Annotations and metadata go to the recorder entity at once (it serializes metadata at close, so
 * later changes to a value are included, as in the SDK).
 */
export abstract class LegacyEntity {
  // Only the fields every entity has are set when it is made; the others (`declare`d, so no
  // initialiser is emitted) exist once legacy code or the drop-in gives them a value.
  name: string;
  /** Epoch seconds, as the SDK has them. */
  start_time: number;
  declare end_time?: number;
  /** True while open; `undefined` once closed (the SDK deletes it, which would make V8 give this object a slow dictionary shape). */
  in_progress?: boolean;
  declare annotations?: Record<string, string | number | boolean>;
  declare metadata?: Record<string, Record<string, unknown>>;
  declare http?: HttpData;
  declare aws?: Record<string, unknown>;
  declare sql?: object;
  declare fault?: boolean;
  declare error?: boolean;
  declare throttle?: boolean;
  declare namespace?: string;
  declare subsegments?: Subsegment[];
  counter: number;
  declare notTraced?: boolean;
  /** @internal The recorder entity over the span; undefined for a subsegment not yet added to a parent. */
  inner: RecorderEntity | undefined;

  constructor(name: string, kind: 'Segment' | 'Subsegment') {
    if (typeof name !== 'string') throw new Error(`${kind} name must be of type string.`);
    this.name = name;
    this.start_time = Date.now() / 1000;
    this.in_progress = true;
    this.counter = 0;
    this.inner = undefined;
  }

  /** The segment this entity belongs to. */
  abstract get segment(): LegacyEntity | undefined;

  /** X-Ray id: the span id. */
  get id(): string {
    return this.inner?.id ?? '0000000000000000';
  }

  set id(_: string) {
    runtime.logger.warn(`Entity "${this.name}": its id is its OpenTelemetry span id and cannot be changed; ignored.`);
  }

  get trace_id(): string {
    return this.inner?.traceId ?? '1-00000000-000000000000000000000000';
  }

  set trace_id(_: string) {
    runtime.logger.warn(`Entity "${this.name}": its trace id is its OpenTelemetry trace id and cannot be changed; ignored.`);
  }

  /** The OTel span, for code that mixes the SDK's API with OpenTelemetry's. */
  get span(): Span | undefined {
    return this.inner?.span;
  }

  addNewSubsegment(name: string): Subsegment {
    const subsegment = new Subsegment(name);
    this.addSubsegment(subsegment);
    return subsegment;
  }

  addNewSubsegmentWithoutSampling(name: string): Subsegment {
    const subsegment = new Subsegment(name);
    subsegment.notTraced = true;
    this.addSubsegment(subsegment);
    return subsegment;
  }

  addSubsegmentWithoutSampling(subsegment: Subsegment): void {
    if (subsegment instanceof Subsegment) subsegment.notTraced = true;
    this.addSubsegment(subsegment);
  }

  /** Makes `subsegment` a child of this entity; its span starts now (at its recorded start time). */
  addSubsegment(subsegment: Subsegment): void {
    if (!(subsegment instanceof Subsegment)) {
      throw new Error(`Failed to add subsegment:${String(subsegment)} to ${this.describe()}.  Not a subsegment.`);
    }
    (this.subsegments ??= []).push(subsegment);
    subsegment.parent = this;
    if (this.notTraced) subsegment.notTraced = true;
    if (subsegment.end_time === undefined) this.incrementCounter(subsegment.counter);
    if (this.inner !== undefined) subsegment.start(this);
  }

  removeSubsegment(subsegment: Subsegment): void {
    if (!(subsegment instanceof Subsegment)) {
      throw new Error(`Failed to remove subsegment:${String(subsegment)} from ${this.describe()}.  Not a subsegment.`);
    }
    const index = this.subsegments?.indexOf(subsegment) ?? -1;
    if (index >= 0) this.subsegments!.splice(index, 1);
  }

  addAnnotation(key: string, value: string | number | boolean): void {
    if (typeof value !== 'boolean' && typeof value !== 'string' && !Number.isFinite(value)) {
      runtime.logger.error(
        `Failed to add annotation key: ${String(key)} value: ${String(value)} to subsegment ${this.name}. Value must be of type string, number or boolean.`,
      );
      return;
    }
    if (typeof key !== 'string') {
      runtime.logger.error(`Failed to add annotation key: ${String(key)} value: ${String(value)} to subsegment ${this.name}. Key must be of type string.`);
      return;
    }
    (this.annotations ??= {})[key] = value;
    this.inner?.putAnnotation(key, value);
  }

  addMetadata(key: string, value: unknown, namespace?: string): void {
    if (typeof key !== 'string') {
      runtime.logger.error(`Failed to add metadata key: ${String(key)} value: ${String(value)} to ${this.kindName()} ${this.name}. Key must be of type string.`);
      return;
    }
    if (namespace && typeof namespace !== 'string') {
      runtime.logger.error(`Failed to add metadata key: ${key} value: ${String(value)} to ${this.kindName()} ${this.name}. Namespace must be of type string.`);
      return;
    }
    const ns = namespace || 'default';
    if (ns === '__proto__') return;
    const stored = value !== null && value !== undefined ? value : '';
    const all = (this.metadata ??= {});
    (all[ns] ??= {})[key] = stored;
    this.inner?.putMetadata(key, stored, ns);
  }

  /**
   * Records `err` (an Error, a string, or an error-like object) on the span and sets the fault
   * flag. An error a subsegment of the same segment already recorded (one rethrown through nested
   * captures) is recorded once, where it happened: the entities it passes through on its way up
   * get the fault flag and an ERROR status only, where the SDK writes `cause: {id}` referring to
   * the first (docs/aws-xray-sdk-core.md).
   */
  addError(err: ErrorLike, remote?: boolean): void {
    if (err === null || err === undefined || (typeof err !== 'object' && typeof err !== 'string')) {
      runtime.logger.error(`Failed to add error:${String(err)} to subsegment "${this.name}".  Not an object or string literal.`);
      return;
    }
    this.addFaultFlag();
    const recordedBelow = this.trackError(err);
    const inner = this.inner;
    if (inner === undefined || inner.isClosed() || !inner.span.isRecording()) return;
    if (recordedBelow) {
      inner.span.setStatus({ code: SpanStatusCode.ERROR });
      return;
    }
    // As the SDK's CapturedException: type is the error's `name` ('' for a string), never its `code`.
    const attributes: Record<string, string | boolean> = {};
    try {
      const e = typeof err === 'string' ? { name: '', message: err, stack: undefined } : (err as { name?: unknown; message?: unknown; stack?: unknown });
      attributes[ATTR_EXCEPTION_TYPE] = e.name === undefined ? '' : String(e.name);
      if (e.message !== undefined) attributes[ATTR_EXCEPTION_MESSAGE] = String(e.message);
      if (typeof e.stack === 'string') attributes[ATTR_EXCEPTION_STACKTRACE] = e.stack;
    } catch {
      attributes[ATTR_EXCEPTION_TYPE] = 'Error';
    }
    if (remote === true) attributes[ATTR_XRAY_EXCEPTION_REMOTE] = true;
    inner.span.addEvent(EVENT_EXCEPTION, attributes);
    inner.span.setStatus({ code: SpanStatusCode.ERROR });
  }

  /**
   * The SDK's bookkeeping of the last error a subsegment recorded (`segment.exception`): true when
   * `err` is that error, already recorded below this entity.
   */
  protected abstract trackError(err: ErrorLike): boolean;

  addFaultFlag(): void {
    this.fault = true;
  }

  addErrorFlag(): void {
    this.error = true;
  }

  addThrottleFlag(): void {
    this.throttle = true;
  }

  isClosed(): boolean {
    return !this.in_progress;
  }

  incrementCounter(additional?: number): void {
    this.counter = additional ? this.counter + additional + 1 : this.counter + 1;
  }

  decrementCounter(): void {
    this.counter--;
  }

  /** The document this entity is exported as (the exporter's translation of its span). */
  toJSON(): SegmentDocument | Record<string, unknown> {
    if (this.inner === undefined) return { name: this.name, start_time: this.start_time, in_progress: true };
    this.writeFields();
    return this.inner.toJSON();
  }

  format(): string {
    return JSON.stringify(this.toJSON(), bigintReplacer);
  }

  toString(): string {
    return this.format();
  }

  serialize(object?: unknown): string {
    return JSON.stringify(object ?? this.toJSON(), bigintReplacer);
  }

  /**
   * The SDK sends a closed entity to the daemon here. Spans are exported by the tracer provider's
   * processor when they end, so there is nothing to send on demand.
   */
  flush(): void {}

  /** Closes the entity: its span ends, and what its fields hold is written to the span first. */
  protected end(endTime?: number): void {
    const inner = this.inner;
    if (inner === undefined) return;
    this.writeFields();
    if (!inner.isClosed()) inner.close(endTime);
  }

  /** Writes the fields legacy code sets directly (flags, http, aws, sql, namespace) to the span. */
  protected writeFields(): void {
    const inner = this.inner;
    if (inner === undefined || inner.isClosed()) return;
    if (this.fault === true) inner.addFaultFlag();
    if (this.error === true) inner.addErrorFlag();
    if (this.throttle === true) inner.addThrottleFlag();
    const http = this.http;
    if (http !== undefined && http !== null) {
      for (const key of HTTP_REQUEST_KEYS) {
        const v = http.request?.[key];
        if (v !== undefined && v !== '') inner.putHttpMeta(key, v);
      }
      for (const key of HTTP_RESPONSE_KEYS) {
        const v = http.response?.[key];
        if (v !== undefined) inner.putHttpMeta(key, v);
      }
    }
    if (typeof this.namespace === 'string' && this.namespace !== '') inner.span.setAttribute(ATTR_XRAY_NAMESPACE, this.namespace);
    const self = this as LegacyEntity & { traced?: unknown; precursor_ids?: unknown };
    if (self.traced === true) inner.span.setAttribute(ATTR_XRAY_TRACED, true);
    if (Array.isArray(self.precursor_ids)) inner.span.setAttribute(ATTR_XRAY_PRECURSOR_IDS, self.precursor_ids.filter((id) => typeof id === 'string'));
    if (this.aws !== undefined && this.aws !== null) this.writeAws(inner, this.aws);
    // The SDK's `SqlData` names no database system, which the attribute conventions need: the block goes as it is.
    if (this.sql !== undefined && this.sql !== null) inner.span.setAttribute(ATTR_XRAY_SQL_FIELDS, safeJson(this.sql));
  }

  /**
   * The `aws` block: what the attribute conventions name becomes those attributes; the rest
   * (`retries`, the call's parameters, nested objects) rides as one JSON attribute.
   */
  private writeAws(inner: RecorderEntity, aws: Record<string, unknown>): void {
    const known: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    let hasRest = false;
    for (const key of Object.keys(aws)) {
      if (key === 'xray') continue;
      const v = aws[key];
      if (AWS_ATTRIBUTE_KEYS.has(key) && (typeof v === 'string' || (Array.isArray(v) && v.every((t) => typeof t === 'string')))) known[key] = v;
      else {
        rest[key] = v;
        hasRest = true;
      }
    }
    inner.setAws(known);
    if (hasRest) inner.span.setAttribute(ATTR_XRAY_AWS_FIELDS, safeJson(rest));
  }

  protected describe(): string {
    return `${this.kindName()} "${this.name}"`;
  }

  private kindName(): 'segment' | 'subsegment' {
    return this instanceof Subsegment ? 'subsegment' : 'segment';
  }
}

/**
 * X-Ray's subsegment. The SDK makes one detached (`new Subsegment(name)`) and gives it a parent
 * later, while an OTel span needs its parent when it starts: the span starts when the subsegment
 * is added to a parent, with the start time recorded at construction.
 */
export class Subsegment extends LegacyEntity {
  parent: LegacyEntity | undefined;
  /** Names given to `addAttribute` that are not X-Ray fields the drop-in maps. */
  private declare extraAttributes?: string[];
  declare precursor_ids?: string[];
  declare traced?: boolean;
  declare type?: string;
  [attribute: string]: unknown;

  constructor(name: string) {
    super(name, 'Subsegment');
  }

  get segment(): LegacyEntity | undefined {
    return this.parent?.segment;
  }

  set segment(_: LegacyEntity | undefined) {
    // The SDK assigns `segment` when adding a subsegment; here it follows from `parent`.
  }

  get parent_id(): string | undefined {
    return this.parent?.id;
  }

  /** @internal Starts the span under `parent`'s (or an OTel span active inside it). */
  start(parent: LegacyEntity): void {
    const parentInner = parent.inner;
    if (this.inner !== undefined || parentInner === undefined) return;
    let parentContext: Context = runtime.parentContextFor(parent);
    if (this.notTraced) {
      const sc = trace.getSpanContext(parentContext) ?? parentInner.span.spanContext();
      parentContext = trace.setSpanContext(parentContext, { ...sc, traceFlags: TraceFlags.NONE });
    }
    // Made and added at once (addNewSubsegment, the common case): the span's own clock, finer than Date.now().
    const madeEarlier = Date.now() / 1000 - this.start_time > 0.001;
    const options: SpanOptions = madeEarlier ? { kind: SpanKind.INTERNAL, startTime: this.start_time * 1000 } : INTERNAL;
    const span = runtime.tracer().startSpan(this.name, options, parentContext);
    const parentSpanId = trace.getSpanContext(parentContext)?.spanId;
    this.inner = new RecorderSubsegment(runtime.host, this.name, span, parentContext, parentSpanId, parentInner, undefined);
    // What was written before the span existed.
    if (this.annotations) for (const key of Object.keys(this.annotations)) this.inner.putAnnotation(key, this.annotations[key]!);
    if (this.metadata) {
      for (const ns of Object.keys(this.metadata)) for (const key of Object.keys(this.metadata[ns]!)) this.inner.putMetadata(key, this.metadata[ns]![key], ns);
    }
    if (this.subsegments) for (const child of this.subsegments) child.start(this);
    if (this.end_time !== undefined && !this.in_progress) this.end(this.end_time);
  }

  /**
   * The SDK writes `data` as the document's field `name`. Names the drop-in maps (namespace, aws,
   * http, sql, traced, precursor_ids, the flags) are written as those fields when the subsegment
   * closes; any other name is not an X-Ray field (X-Ray's schema lets it through, but X-Ray
   * neither indexes nor shows it), so it is kept where X-Ray shows it: metadata, in the
   * `attributes` namespace (docs/aws-xray-sdk-core.md).
   */
  addAttribute(name: string, data: unknown): void {
    this[name] = data;
    if (typeof name === 'string' && !MAPPED_ATTRIBUTES.has(name)) {
      const names = (this.extraAttributes ??= []);
      if (!names.includes(name)) names.push(name);
    }
  }

  protected trackError(err: ErrorLike): boolean {
    const segment = this.segment as { exception?: { ex: unknown; cause: string } } | undefined;
    if (segment === undefined) return false;
    if (segment.exception !== undefined) {
      if (segment.exception.ex === err) return true;
      segment.exception = undefined;
    }
    segment.exception = { ex: err, cause: this.id };
    return false;
  }

  addPrecursorId(id: string): void {
    if (typeof id !== 'string') {
      runtime.logger.error(`Failed to add id:${String(id)} to subsegment ${this.name}.  Precursor Ids must be of type string.`);
    }
    (this.precursor_ids ??= []).push(id);
  }

  addSqlData(sqlData: object): void {
    this.sql = sqlData;
  }

  /** The request and response of a downstream HTTP call, as the SDK's http patcher records them. */
  addRemoteRequestData(req: RemoteRequest, res: RemoteResponse | null | undefined, downstreamXRayEnabled?: boolean): void {
    const request: Record<string, unknown> = {
      url: req.agent?.protocol ? `${req.agent.protocol}//${req.host ?? req.getHeader?.('host') ?? ''}${stripQuery(req.path)}` : '',
      method: req.method ?? '',
    };
    const http: HttpData = { request };
    if (res) http.response = httpResponseData(res);
    this.http = http;
    if (downstreamXRayEnabled) this.traced = true;
  }

  protected override writeFields(): void {
    super.writeFields();
    const inner = this.inner;
    if (this.extraAttributes === undefined || inner === undefined || inner.isClosed()) return;
    for (const name of this.extraAttributes) {
      const value = this[name];
      if (value !== undefined) inner.putMetadata(name, value, ATTRIBUTES_NAMESPACE);
    }
  }

  close(err?: ErrorLike | null, remote?: boolean): void {
    this.end_time = Date.now() / 1000;
    this.in_progress = undefined;
    if (err) this.addError(err, remote);
    this.parent?.decrementCounter();
    this.end();
  }

  override decrementCounter(): void {
    this.counter--;
    this.parent?.decrementCounter();
  }

  override incrementCounter(additional?: number): void {
    super.incrementCounter(additional);
    this.parent?.incrementCounter(additional);
  }

  /** The SDK streams closed subsegments out of a large segment; the exporter sizes its own documents. */
  streamSubsegments(): boolean | undefined {
    return this.isClosed() && this.counter <= 0 ? true : undefined;
  }

  override toJSON(): SegmentDocument | Record<string, unknown> {
    return super.toJSON();
  }
}

/** The parts of Node's `ClientRequest` the SDK reads for `addRemoteRequestData`. */
export interface RemoteRequest {
  agent?: { protocol?: string } | null;
  host?: string;
  path?: string;
  method?: string;
  getHeader?(name: string): unknown;
}

export interface RemoteResponse {
  statusCode?: number | string;
  headers?: Record<string, unknown>;
}

/** `{status, content_length}` of a response, as the SDK's `getHttpResponseData`. */
export function httpResponseData(res: RemoteResponse | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!res) return out;
  const status = safeParseInt(res.statusCode);
  if (status !== 0) out.status = status;
  const length = res.headers?.['content-length'];
  if (length) out.content_length = safeParseInt(length);
  return out;
}

export function safeParseInt(value: unknown): number {
  const n = parseInt(String(value), 10);
  return Number.isNaN(n) ? 0 : n;
}

function stripQuery(path: string | undefined): string {
  return path ? path.split('?')[0]! : '';
}

/** The metadata namespace of `addAttribute` names that are not X-Ray fields. */
const ATTRIBUTES_NAMESPACE = 'attributes';

/** `addAttribute` names written as X-Ray fields, or that are the entity's own state. */
const MAPPED_ATTRIBUTES = new Set([
  'name', 'id', 'trace_id', 'parent_id', 'start_time', 'end_time', 'in_progress', 'namespace', 'aws', 'http', 'sql', 'traced', 'precursor_ids',
  'fault', 'error', 'throttle', 'annotations', 'metadata', 'subsegments', 'type', 'parent', 'segment', 'counter', 'notTraced',
]);

/** `aws` fields that have attributes of their own (the recorder's `setAws` keys). */
const AWS_ATTRIBUTE_KEYS = new Set(['operation', 'region', 'request_id', 'queue_url', 'table_name', 'table_names', 'account_id']);

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, bigintReplacer) ?? '{}';
  } catch {
    return '{}';
  }
}

function bigintReplacer(_: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
