import { requestDaemonAddress, runPipelineHook } from './pipeline-hook.js';
import { randomBytes } from 'node:crypto';
import {
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  isSpanContextValid,
  isValidSpanId,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { ATTR_RPC_SYSTEM } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_AWS_LOCAL_SERVICE, RPC_SYSTEM_AWS_API, RECORDER_SCOPE } from '../common/attributes.js';
import { fromXRayTraceId } from '../ids.js';
import { resolveLogger, warnOnce, type Logger } from '../logger.js';
import { patchAll, patchModules, type PatchRequest, type PatchResult } from '../patch/patch.js';
import { endWhenSettled, finish, makeCapture, type AnyFunction, type Capture } from './capture.js';
import { handleContextMissing, parseContextMissing, type ContextMissingStrategy } from './context-missing.js';
import { ContextStore, entityOf } from './context-store.js';
import { defineAliases, type AliasTable, type Aliases } from './aliases.js';
import { Entity, EntityMode, type EntityHost } from './entity.js';
import { LambdaFacade, isLambda } from './lambda.js';
import { Segment } from './segment.js';
import { Subsegment, type SubsegmentNamespace } from './subsegment.js';
import type { XRayTime } from './time.js';
import { describe } from './values.js';
import { markUndecided, withDecision } from '../sampling/decision-context.js';
import { LocalRulesSampler, samplingRequestOf } from '../sampling/local-sampler.js';
import { HTTP_STRING_KEYS } from './fields.js';
import { loadSamplingRules, type SamplingRulesDocument } from '../sampling/rules-file.js';

/** SDK tracer providers can flush; the API's interface does not say so. */
type FlushableProvider = TracerProvider & { forceFlush?: () => Promise<void> };

const TRACER_NAME = RECORDER_SCOPE;
/** Segments name the service: the exporter (and the Collector) read the X-Ray segment name here. */

export interface RecorderOptions {
  /** Default segment name; the environment variable `AWS_XRAY_TRACING_NAME` wins. */
  service?: string;
  /** What to do when there is no open segment; `AWS_XRAY_CONTEXT_MISSING` wins. Default `LOG_ERROR`. */
  contextMissing?: ContextMissingStrategy;
  /** Python's spelling of `contextMissing`. */
  context_missing?: ContextMissingStrategy;
  /** Where spans are made (default: the global tracer provider). */
  tracerProvider?: TracerProvider;
  /** Where warnings go (default: stderr, level from `AWS_XRAY_LOG_LEVEL`). */
  logger?: Logger;
  /**
   * `false`: X-Ray's "trace everything": every segment is sampled, whatever `sampled` given to
   * `beginSegment` or the tracer provider's sampler say.
   */
  sampling?: boolean;
  /**
   * Local sampling rules (a rules file's path or its object) deciding for this recorder's segments
   * that start a trace or continue one with `Sampled=?`. Without them the tracer provider's
   * sampler decides (`registerXRay({ sampling })`). An upstream `sampled` decision always wins.
   */
  samplingRules?: string | SamplingRulesDocument;
  /** Python's spelling of `samplingRules`. */
  sampling_rules?: string | SamplingRulesDocument;
  /** Libraries to patch, as `patch()` takes them (X-Ray's Django setting `PATCH_MODULES`). */
  patch_modules?: PatchRequest;
  /**
   * The daemon (`host:port` or `udp:host:port tcp:host:port`) for the X-Ray pipeline the recorder
   * registers at its first segment when the application has no OpenTelemetry set-up;
   * `AWS_XRAY_DAEMON_ADDRESS` wins. With the application's own tracer provider, its exporter decides.
   */
  daemonAddress?: string;
  /** Python's spelling of `daemonAddress`. */
  daemon_address?: string;
}

export interface BeginSegmentOptions {
  /** X-Ray trace id (`1-xxxxxxxx-…`) to continue, with `parentId`. */
  traceId?: string;
  /** X-Ray id of the upstream entity. */
  parentId?: string;
  /** The upstream sampling decision (a `Sampled=` header field; undefined for `Sampled=?`: the rules decide). */
  sampled?: boolean;
  /**
   * The request this segment serves, as a middleware knows it before the segment exists: sampling
   * rules match its method, URL path and host, and the segment records them (`putHttpMeta`'s keys).
   */
  http?: { method?: string; url?: string };
}

export interface SubsegmentOptions {
  /** `remote`: a call to another service (CLIENT span); `aws`: an AWS SDK call (CLIENT, `rpc.system = aws-api`). */
  namespace?: SubsegmentNamespace | 'local';
}

/** Options that the X-Ray SDKs take and that belong elsewhere here (the exporter or the provider). */
const FOREIGN_OPTIONS = ['plugins', 'streaming_threshold', 'sampler', 'emitter', 'dynamic_naming'];

const INTERNAL: SpanOptions = { kind: SpanKind.INTERNAL };
const REMOTE: SpanOptions = { kind: SpanKind.CLIENT };
const AWS: SpanOptions = { kind: SpanKind.CLIENT, attributes: { [ATTR_RPC_SYSTEM]: RPC_SYSTEM_AWS_API } };

/** The recorder's methods; `XRayRecorder` adds the other SDKs' names for them. */
export class RecorderMethods implements EntityHost {
  private safeLog: Logger;
  private service: string | undefined;
  private contextMissing: ContextMissingStrategy = 'LOG_ERROR';
  private sampling = true;
  private rules: LocalRulesSampler | undefined;
  private explicitTracer: Tracer | undefined;
  private explicitProvider: TracerProvider | undefined;
  private globalProvider: TracerProvider | undefined;
  private globalTracer: Tracer | undefined;
  private readonly store: ContextStore;
  private readonly lambda = new LambdaFacade();
  private readonly adopted = new WeakMap<Span, Segment>();

  // `capture` and `captureAsync` are bound to the instance so that `@xrayRecorder.capture` and
  // destructured uses work without `this`.
  private inLambda = false;
  /**
   * `capture(name?)` wraps a function (or decorates a method, with standard or legacy
   * decorators) so that each call runs in a subsegment named `name` (default: the function's or
   * method's name). `capture(fn)` and bare `@capture` work too. Bound to the instance, so
   * `@xrayRecorder.capture` and destructured uses need no `this`.
   */
  readonly capture: Capture;
  /** `capture`: a captured function's promise is awaited before its subsegment ends, whichever name is used. */
  readonly captureAsync: Capture;
  readonly capture_async: Capture;

  constructor(options: RecorderOptions = {}) {
    this.safeLog = resolveLogger();
    this.store = new ContextStore((message) => this.logger.warn(message));
    this.capture = this.captureImpl.bind(this) as Capture;
    this.captureAsync = this.capture;
    this.capture_async = this.capture;
    this.configure(options);
  }

  /** Where warnings go. Whatever is assigned is wrapped so that a logger that throws stays silent. */
  get logger(): Logger {
    return this.safeLog;
  }

  set logger(logger: Logger) {
    this.safeLog = resolveLogger(logger);
  }

  /** Sets options; environment variables win where the X-Ray SDKs let them. */
  configure(options: RecorderOptions = {}): this {
    if (typeof options !== 'object' || options === null) {
      this.logger.warn(`configure: ${describe(options)} is not an options object; ignored`);
      return this;
    }
    if (options.logger !== undefined) this.logger = options.logger;

    // Fixed for the life of a Lambda process; read here rather than on every segment (process.env is slow).
    this.inLambda = isLambda();
    const envName = process.env.AWS_XRAY_TRACING_NAME;
    if (envName) this.service = envName;
    else if (options.service !== undefined) {
      if (typeof options.service === 'string' && options.service !== '') this.service = options.service;
      else this.logger.warn(`configure: service ${describe(options.service)} is not a non-empty string; ignored`);
    }

    const requested = options.contextMissing ?? options.context_missing;
    const envStrategy = process.env.AWS_XRAY_CONTEXT_MISSING;
    const fromEnv = envStrategy ? parseContextMissing(envStrategy) : undefined;
    if (envStrategy && fromEnv === undefined) this.logger.warn(`AWS_XRAY_CONTEXT_MISSING=${envStrategy} is not LOG_ERROR, RUNTIME_ERROR or IGNORE_ERROR; ignored`);
    if (fromEnv !== undefined) this.contextMissing = fromEnv;
    else if (requested !== undefined) {
      const strategy = parseContextMissing(requested);
      if (strategy !== undefined) this.contextMissing = strategy;
      else this.logger.warn(`configure: contextMissing ${describe(requested)} is not LOG_ERROR, RUNTIME_ERROR, IGNORE_ERROR or a function; ignored`);
    }

    if (options.tracerProvider !== undefined) {
      this.explicitTracer = typeof options.tracerProvider?.getTracer === 'function' ? options.tracerProvider.getTracer(TRACER_NAME) : undefined;
      this.explicitProvider = this.explicitTracer === undefined ? undefined : options.tracerProvider;
      if (this.explicitTracer === undefined) this.logger.warn('configure: tracerProvider has no getTracer(); using the global tracer provider');
    }
    if (options.sampling !== undefined) this.sampling = options.sampling !== false;
    const rules = options.samplingRules ?? options.sampling_rules;
    if (rules !== undefined) {
      try {
        this.rules = new LocalRulesSampler(loadSamplingRules(rules));
      } catch (err) {
        this.logger.error(`configure: ${(err as Error).message}; the previous sampling rules stay in force`);
      }
    }

    // The X-Ray Django setting PATCH_MODULES: patched as patch() would.
    if (options.patch_modules !== undefined) this.patch(options.patch_modules);
    const daemonAddress = options.daemonAddress ?? options.daemon_address;
    if (daemonAddress !== undefined) this.requestDaemonAddress(daemonAddress);
    for (const key of FOREIGN_OPTIONS) {
      if (key in options) {
        this.logger.warn(`configure: "${key}" has no effect here: the OpenTelemetry SDK setup (exporter, sampler, resource detectors) does that job`);
      }
    }
    return this;
  }

  /**
   * Starts a segment (a SERVER span) and makes it current. It continues the given trace, or a
   * trace propagated to the active context from upstream; otherwise it is a new trace: a segment
   * never becomes the child of a local span that happens to be active (in particular one left by
   * another request's `beginSegment` in a shared caller, see `context-store.ts`).
   */
  beginSegment(name?: string, options?: BeginSegmentOptions | string, parentId?: string, sampled?: boolean | number): Segment {
    // Python's positional form: begin_segment(name, traceid, parent_id, sampling).
    const opts: BeginSegmentOptions =
      typeof options === 'string' ? { traceId: options, parentId, sampled: sampled === undefined ? undefined : Boolean(sampled) } : (options ?? {});
    if (this.inLambda) {
      this.logger.warn('beginSegment is ignored in AWS Lambda: Lambda records the function segment, and subsegments go under it');
      return this.lambda.current(this) ?? this.dummySegment(name);
    }
    const segment = this.startSegment(name, opts, this.live());
    this.store.attach(segment.context);
    return segment;
  }

  /** Ends the current segment and restores the context it was begun in. */
  endSegment(endTime?: XRayTime): void {
    const entity = entityOf(this.store.active());
    if (entity === undefined) {
      if (this.inLambda) this.logger.warn('endSegment is ignored in AWS Lambda: Lambda closes the function segment');
      else this.missing('endSegment');
      return;
    }
    const segment = entity.segment;
    if (segment.mode !== EntityMode.Owned) {
      segment.close(endTime);
      return;
    }
    this.closeWithOpenChildren(segment, entity, endTime);
    this.store.attach(segment.parentContext);
  }

  /**
   * Closes `target` and, when `current` was begun inside it, the subsegments still open between
   * them, innermost first, at the same time: an entity never ends before its children, and its
   * document is complete. False when `current` is not inside `target` (nothing closed then).
   */
  private closeWithOpenChildren(target: Entity, current: Entity, endTime: XRayTime | undefined): boolean {
    const open: Subsegment[] = [];
    let e: Entity = current;
    for (; e !== target && e instanceof Subsegment; e = e.parent) {
      if (!e.isClosed()) open.push(e);
    }
    if (e !== target) return false;
    if (open.length > 0) {
      target.warn(`ended while subsegments are still open: ${open.map((o) => `"${o.name}"`).join(', ')}; they are closed with it`);
      for (const sub of open) sub.close(endTime);
    }
    target.close(endTime);
    return true;
  }

  /**
   * Starts a subsegment as a child of the active span (the current entity's, or an OTel span
   * begun inside it) and makes it current. Without an open segment: the context-missing strategy,
   * and a subsegment that records nothing, so chained calls keep working.
   */
  beginSubsegment(name: string, options?: SubsegmentOptions | SubsegmentNamespace | 'local'): Subsegment {
    const namespace = typeof options === 'string' ? options : options?.namespace;
    return this.openSubsegment(name, namespace, false, 'beginSubsegment');
  }

  /** A subsegment whose span is not sampled (nor are its children), whatever the trace's decision. */
  beginSubsegmentWithoutSampling(name: string): Subsegment {
    return this.openSubsegment(name, undefined, true, 'beginSubsegmentWithoutSampling');
  }

  /** Ends the current subsegment; the context it was begun in becomes current again. */
  endSubsegment(endTime?: XRayTime): void;
  /**
   * Java's `endSubsegment(subsegment)`: ends the one given. When it is current (or subsegments
   * begun in it are), those end with it and the context it was begun in becomes current again.
   */
  endSubsegment(subsegment: Subsegment): void;
  endSubsegment(endTimeOrSubsegment?: XRayTime | Subsegment): void {
    if (endTimeOrSubsegment instanceof Subsegment) {
      const current = entityOf(this.store.active());
      if (current !== undefined && this.closeWithOpenChildren(endTimeOrSubsegment, current, undefined)) {
        this.store.attach(endTimeOrSubsegment.parentContext);
      } else {
        endTimeOrSubsegment.close();
      }
      return;
    }
    const endTime = endTimeOrSubsegment;
    const entity = entityOf(this.store.active());
    if (entity === undefined) {
      this.missing('endSubsegment');
      return;
    }
    if (!(entity instanceof Subsegment)) {
      entity.warn('is current and is not a subsegment; endSubsegment ignored');
      return;
    }
    entity.close(endTime);
    this.store.attach(entity.parentContext);
  }

  /** The current entity: a segment or subsegment (Lambda's facade, or an adopted OTel span). */
  getTraceEntity(): Entity | undefined {
    const entity = this.entityIn(this.live());
    if (entity === undefined) this.missing('getTraceEntity');
    return entity;
  }

  /** Makes `entity` current for the rest of this async execution (e.g. in a callback that lost it). */
  setTraceEntity(entity: Entity): void {
    if (!(entity instanceof Entity)) {
      this.logger.warn(`setTraceEntity: ${describe(entity)} is not a segment or subsegment; ignored`);
      return;
    }
    this.store.attach(entity.context);
  }

  /** Forgets the current entities (and OTel spans) of this async execution. */
  clearTraceEntities(): void {
    this.store.attach(ROOT_CONTEXT);
  }

  currentSegment(): Segment | undefined {
    return this.getTraceEntity()?.segment;
  }

  /** The current subsegment, or undefined when the current entity is the segment itself. */
  currentSubsegment(): Subsegment | undefined {
    const entity = this.getTraceEntity();
    return entity instanceof Subsegment ? entity : undefined;
  }

  putAnnotation(key: string, value: string | number | boolean): void {
    const entity = this.entityIn(this.live());
    if (entity === undefined) this.missing('putAnnotation');
    else entity.putAnnotation(key, value);
  }

  /** On the current entity; Java's order `(namespace, key, value)` too (see `Entity.putMetadata`). */
  putMetadata(key: string, value: unknown, namespace?: string): void;
  putMetadata(namespace: string, key: string, value: unknown): void;
  putMetadata(first: string, second: unknown, third?: unknown): void {
    const entity = this.entityIn(this.live());
    if (entity === undefined) this.missing('putMetadata');
    else (entity.putMetadata as (a: string, b: unknown, c?: unknown) => void)(first, second, third);
  }

  /** For the entities it makes: a message said once for the life of this recorder. */
  warnOnce(kind: string, message: string): void {
    warnOnce(this, this.logger, kind, message);
  }

  /**
   * X-Ray's `patch(modules)`: registers the OpenTelemetry instrumentation of each named library
   * (Node names, or the Python SDK's: `boto3` is the AWS SDK) with this recorder's tracer provider,
   * so clients loaded afterwards make subsegments. Warns, never throws; see `src/patch/registry.ts`.
   */
  patch(modules: PatchRequest): PatchResult {
    return patchModules(modules, { tracerProvider: this.explicitProvider, logger: this.logger });
  }

  /** X-Ray's `patch_all()`: every library in the patch table that the application has installed. */
  patchAll(): PatchResult {
    return patchAll({ tracerProvider: this.explicitProvider, logger: this.logger });
  }

  /**
   * Exports what the tracer provider still holds (spans of ended entities wait in OTel's batch).
   * The pipeline registered at first use flushes when the event loop empties, but `process.exit()`
   * skips that: await this before it. Never rejects; a provider that fails to flush is logged.
   */
  async flush(): Promise<void> {
    const used = this.explicitProvider ?? trace.getTracerProvider();
    const provider: FlushableProvider = used instanceof ProxyTracerProvider ? used.getDelegate() : used;
    if (typeof provider.forceFlush !== 'function') return;
    try {
      await provider.forceFlush();
    } catch (err) {
      this.logger.warn(`flush: the tracer provider could not flush (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** Whether the current entity is sampled (false without one). */
  isSampled(): boolean {
    const entity = this.entityIn(this.live());
    return entity !== undefined && entity.sampled;
  }

  /**
   * Runs `fn(segment)` in a new segment, closed when `fn` returns, throws, or its promise
   * settles. The segment is current only inside `fn` (`context.with`): nothing leaks.
   */
  inSegment<R>(name: string | undefined, fn: (segment: Segment) => R, options?: BeginSegmentOptions): R;
  inSegment<R>(name: string | undefined, fn: ((segment: Segment) => R) | BeginSegmentOptions | undefined, options?: BeginSegmentOptions): R | Segment {
    if (typeof fn !== 'function') {
      this.warnNoFunction('inSegment', name, 'beginSegment', 'endSegment()');
      return this.beginSegment(name, typeof fn === 'object' && fn !== null ? fn : options);
    }
    if (this.inLambda) {
      this.logger.warn('inSegment runs without a segment in AWS Lambda: Lambda records the function segment');
      const facade = this.lambda.current(this) ?? this.dummySegment(name);
      return this.store.with(facade.context, fn, undefined, [facade]);
    }
    const segment = this.startSegment(name, options ?? {}, this.live());
    return this.runIn(segment, fn);
  }

  /** Runs `fn(subsegment)` in a new subsegment of the current entity, closed as `inSegment`'s. */
  inSubsegment<R>(name: string, fn: (subsegment: Subsegment) => R, options?: SubsegmentOptions): R;
  inSubsegment<R>(name: string, fn: ((subsegment: Subsegment) => R) | SubsegmentOptions | undefined, options?: SubsegmentOptions): R | Subsegment {
    if (typeof fn !== 'function') {
      this.warnNoFunction('inSubsegment', name, 'beginSubsegment', 'endSubsegment()');
      return this.beginSubsegment(name, typeof fn === 'object' && fn !== null ? fn : options);
    }
    const active = this.live();
    const parent = this.entityIn(active);
    if (parent === undefined) {
      this.missing(`inSubsegment("${String(name)}")`);
      return fn(this.dummySubsegment(name));
    }
    const subsegment = this.startSubsegment(name, active, parent, options?.namespace, false);
    return this.runIn(subsegment, fn);
  }

  /**
   * `capture(name, fn)` is read as `capture(name)(fn)`: it returns the wrapped function, with a
   * warning, and does not call `fn`. (The Node SDK's `captureFunc(name, fn)` runs `fn` at once:
   * that is `inSubsegment(name, fn)` here.) Its typings leave that form out.
   */
  private captureImpl(first?: unknown, second?: unknown, third?: unknown): unknown {
    // `capture(fn)`, bare `@capture` (standard, or legacy: target, key, descriptor).
    if (typeof first === 'function' || third !== undefined) {
      return (makeCapture(this, undefined) as (...args: unknown[]) => unknown)(first, second, third);
    }
    if (typeof second === 'function') {
      this.logger.warn(
        `capture(${describe(first)}, fn): capture(name) returns a wrapper, and fn is passed to it: capture(name)(fn). ` +
          'Returning the wrapped fn, which runs when called; to run fn now in a subsegment (the Node SDK\'s captureFunc), use inSubsegment(name, fn)',
      );
      return makeCapture(this, typeof first === 'string' ? first : undefined)(second as AnyFunction);
    }
    if (first !== undefined && typeof first !== 'string') {
      this.logger.warn(`capture: name ${describe(first)} is not a string; using the function's name`);
      return makeCapture(this, undefined);
    }
    return makeCapture(this, first);
  }

  /** @internal One captured call (see `capture.ts`). */
  runCaptured<F extends AnyFunction>(name: string, fn: F, thisArg: unknown, args: Parameters<F>): ReturnType<F> {
    const active = this.live();
    const parent = this.entityIn(active);
    if (parent === undefined) {
      this.missing(`capture("${name}")`);
      return fn.apply(thisArg, args) as ReturnType<F>;
    }
    const subsegment = this.startSubsegment(name, active, parent, undefined, false);
    let result: ReturnType<F>;
    try {
      result = this.store.with(subsegment.context, fn, thisArg, args) as ReturnType<F>;
    } catch (err) {
      finish(subsegment, err, true);
      throw err;
    }
    return endWhenSettled(subsegment, result);
  }

  private runIn<E extends Entity, R>(entity: E, fn: (entity: E) => R): R {
    let result: R;
    try {
      result = this.store.with(entity.context, fn, undefined, [entity]);
    } catch (err) {
      finish(entity, err, true);
      throw err;
    }
    return endWhenSettled(entity, result);
  }

  private openSubsegment(name: string, namespace: string | undefined, unsampled: boolean, operation: string): Subsegment {
    const active = this.live();
    const parent = this.entityIn(active);
    if (parent === undefined) {
      this.missing(`${operation}("${String(name)}")`);
      return this.dummySubsegment(name);
    }
    const subsegment = this.startSubsegment(name, active, parent, namespace, unsampled);
    this.store.attach(subsegment.context);
    return subsegment;
  }

  private startSegment(name: string | undefined, options: BeginSegmentOptions, active: Context): Segment {
    const segmentName = this.segmentName(name);
    let parentContext = active;
    let root = false;
    let parentId: string | undefined;
    // X-Ray's order: `sampling: false` samples everything; else upstream's decision; else the rules.
    let decision = this.sampling ? options.sampled : true;
    // Start attributes, so that the provider's sampler matches rules on them too.
    const httpAttributes = this.httpStartAttributes(options.http);

    const traceId = options.traceId === undefined ? undefined : fromXRayTraceId(String(options.traceId));
    if (options.traceId !== undefined && traceId === undefined) {
      this.logger.warn(`beginSegment: trace id ${describe(options.traceId)} is not an X-Ray trace id; starting a new trace`);
    }
    const upstreamParent = typeof options.parentId === 'string' ? options.parentId.toLowerCase() : undefined;
    if (traceId !== undefined && upstreamParent !== undefined && isValidSpanId(upstreamParent)) {
      decision ??= this.rules?.decide(samplingRequestOf(httpAttributes));
      // Upstream's decision travels as the remote parent's flag. With none (`Sampled=?`), the mark
      // sends the provider's X-Ray sampler to its rules; other samplers see a sampled parent.
      const remote = { traceId, spanId: upstreamParent, traceFlags: decision === false ? TraceFlags.NONE : TraceFlags.SAMPLED, isRemote: true };
      parentContext = trace.setSpanContext(active, remote);
      if (decision === undefined) parentContext = markUndecided(parentContext, remote);
      parentId = upstreamParent;
    } else {
      if (traceId !== undefined || options.parentId !== undefined) {
        this.logger.warn('beginSegment: a trace is continued from a trace id and a parent id (16 hex digits) together; starting a new trace');
      }
      const upstream = trace.getSpanContext(active);
      if (upstream !== undefined && upstream.isRemote === true && isSpanContextValid(upstream)) parentId = upstream.spanId;
      else {
        root = true;
        decision ??= this.rules?.decide(samplingRequestOf(httpAttributes));
      }
    }

    let span: Span;
    if (root && decision === false) {
      // Not sampled and no upstream trace: nothing to record, X-Ray-shaped ids only for propagation.
      span = trace.wrapSpanContext({ traceId: newXRayTraceId(), spanId: randomHex(8), traceFlags: TraceFlags.NONE });
    } else {
      const spanOptions: SpanOptions = { kind: SpanKind.SERVER, root };
      if (segmentName !== undefined || httpAttributes !== undefined) {
        spanOptions.attributes = { ...httpAttributes, ...(segmentName !== undefined ? { [ATTR_AWS_LOCAL_SERVICE]: segmentName } : {}) };
      }
      if (decision !== undefined) parentContext = withDecision(parentContext, decision);
      span = this.tracer().startSpan(segmentName ?? 'segment', spanOptions, parentContext);
    }
    return new Segment(this, segmentName ?? 'segment', span, active, parentId);
  }

  private httpStartAttributes(http: BeginSegmentOptions['http']): Attributes | undefined {
    if (http === undefined) return undefined;
    if (typeof http !== 'object' || http === null) {
      this.logger.warn(`beginSegment: http ${describe(http)} is not an object with "method" and "url"; ignored`);
      return undefined;
    }
    const out: Attributes = {};
    for (const key of ['method', 'url'] as const) {
      const v: unknown = http[key];
      if (typeof v === 'string' && v !== '') out[HTTP_STRING_KEYS[key]] = v;
      else if (v !== undefined) this.logger.warn(`beginSegment: http.${key} ${describe(v)} is not a non-empty string; ignored`);
    }
    return out;
  }

  private startSubsegment(name: string, active: Context, parent: Entity, namespace: string | undefined, unsampled: boolean): Subsegment {
    let subsegmentName = name;
    if (typeof name !== 'string' || name === '') {
      this.logger.warn(`subsegment name ${describe(name)} is not a non-empty string; using "subsegment"`);
      subsegmentName = 'subsegment';
    }
    let options = INTERNAL;
    let ns: SubsegmentNamespace | undefined;
    if (namespace === 'remote') {
      options = REMOTE;
      ns = namespace;
    } else if (namespace === 'aws') {
      options = AWS;
      ns = namespace;
    } else if (namespace !== undefined && namespace !== 'local') {
      this.logger.warn(`subsegment "${subsegmentName}": namespace ${describe(namespace)} is not "aws", "remote" or "local"; using local`);
    }

    let parentContext = active;
    let parentSpan = trace.getSpan(active);
    if (parentSpan === undefined) {
      // The Lambda facade is current without being in the context: hang under its remote span.
      parentSpan = parent.span;
      parentContext = trace.setSpan(active, parentSpan);
    }
    if (unsampled) {
      parentContext = trace.setSpanContext(parentContext, { ...parentSpan.spanContext(), traceFlags: TraceFlags.NONE });
    }
    const span = this.tracer().startSpan(subsegmentName, options, parentContext);
    return new Subsegment(this, subsegmentName, span, active, parentSpan.spanContext().spanId, parent, ns);
  }

  /**
   * The active context, minus entities that are over. `attach()` in the synchronous part of an
   * async function also sets its caller's context (see `context-store.ts`), so a caller that runs
   * one request after another (Lambda's runtime loop, a job runner, a test) can find the previous
   * request's subsegment still there after it ended: a closed entity whose span is the active one
   * stands for the context it was begun in, and in Lambda, anything from an earlier invocation
   * for no entity at all.
   */
  private live(): Context {
    let ctx = this.store.active();
    let entity = entityOf(ctx);
    while (entity !== undefined && entity.isClosed() && trace.getSpan(ctx) === entity.span) {
      ctx = entity.parentContext;
      entity = entityOf(ctx);
    }
    if (entity !== undefined && entity.segment.mode === EntityMode.Facade && entity.segment !== this.lambda.current(this)) return ROOT_CONTEXT;
    return ctx;
  }

  /**
   * The entity current in `ctx`: the recorder's own; else an OTel span active there (adopted, so
   * legacy `currentSegment().putAnnotation()` lands on the server span OTel started); else, in
   * Lambda, the invocation's facade.
   */
  private entityIn(ctx: Context): Entity | undefined {
    const entity = entityOf(ctx);
    if (entity !== undefined) return entity;
    const span = trace.getSpan(ctx);
    if (span !== undefined && isSpanContextValid(span.spanContext())) {
      let adopted = this.adopted.get(span);
      if (adopted === undefined) {
        adopted = new Segment(this, spanName(span), span, ctx, undefined, EntityMode.Adopted);
        this.adopted.set(span, adopted);
      }
      return adopted;
    }
    return this.inLambda ? this.lambda.current(this) : undefined;
  }

  /**
   * Python's `with xray_recorder.in_segment(name) as segment:` has no JavaScript form: called
   * without a function, the entity is begun and made current as `begin` does, and stays open
   * until ended, which the warning says.
   */
  private warnNoFunction(operation: string, name: unknown, begin: string, end: string): void {
    this.logger.warn(
      `${operation}(${describe(name)}) has no function to run (Python's "with ${operation === 'inSegment' ? 'in_segment' : 'in_subsegment'}(…)" has no JavaScript form): ` +
        `it is begun and current as with ${begin}, and stays open until ${end}; or pass the function: ${operation}(name, (entity) => { … })`,
    );
  }

  /** The address goes to the pipeline registered at first use; with any other provider, it cannot. */
  private requestDaemonAddress(address: unknown): void {
    if (typeof address !== 'string' || address.trim() === '') {
      this.logger.warn(`configure: daemon_address ${describe(address)} is not a host:port string; ignored`);
      return;
    }
    if (this.globalTracer !== undefined) {
      this.logger.warn('configure: daemon_address has no effect: the tracing pipeline is already set up (the first segment was made); configure it before that');
      return;
    }
    const used = this.explicitProvider ?? trace.getTracerProvider();
    if (!(used instanceof ProxyTracerProvider) || used.getDelegateTracer(TRACER_NAME) !== undefined) {
      this.logger.warn(
        "configure: daemon_address has no effect: the tracer provider in use is the application's; give the address to its XRayUdpSpanExporter (daemonAddress) or set AWS_XRAY_DAEMON_ADDRESS",
      );
      return;
    }
    requestDaemonAddress(address);
  }

  private missing(operation: string): void {
    const message = `${operation}: cannot find the current segment or subsegment; begin a segment first (or run inside capture/inSegment)`;
    handleContextMissing(this.contextMissing, this.logger, message);
  }

  private segmentName(name: string | undefined): string | undefined {
    if (typeof name === 'string' && name !== '') return name;
    if (name !== undefined) this.logger.warn(`beginSegment: name ${describe(name)} is not a non-empty string; using the service name`);
    return this.service;
  }

  private tracer(): Tracer {
    if (this.explicitTracer !== undefined) return this.explicitTracer;
    // The global provider object changes only when an application (or a test) replaces it.
    if (this.globalTracer === undefined) runPipelineHook(this.logger);
    const provider = trace.getTracerProvider();
    if (provider !== this.globalProvider || this.globalTracer === undefined) {
      this.globalProvider = provider;
      this.globalTracer = provider.getTracer(TRACER_NAME);
    }
    return this.globalTracer;
  }

  private dummySegment(name: string | undefined): Segment {
    return new Segment(this, name || 'segment', trace.wrapSpanContext(INVALID_SPAN_CONTEXT), ROOT_CONTEXT, undefined, EntityMode.Owned);
  }

  private dummySubsegment(name: string): Subsegment {
    const parent = this.dummySegment(undefined);
    return new Subsegment(this, typeof name === 'string' && name !== '' ? name : 'subsegment', parent.span, ROOT_CONTEXT, undefined, parent, undefined);
  }
}

/** Python's names (`aws_xray_sdk.core.xray_recorder`); see aliases.ts. */
const RECORDER_ALIASES = {
  begin_segment: 'beginSegment',
  end_segment: 'endSegment',
  begin_subsegment: 'beginSubsegment',
  begin_subsegment_without_sampling: 'beginSubsegmentWithoutSampling',
  end_subsegment: 'endSubsegment',
  current_segment: 'currentSegment',
  current_subsegment: 'currentSubsegment',
  get_trace_entity: 'getTraceEntity',
  set_trace_entity: 'setTraceEntity',
  clear_trace_entities: 'clearTraceEntities',
  put_annotation: 'putAnnotation',
  put_metadata: 'putMetadata',
  in_segment: 'inSegment',
  in_subsegment: 'inSubsegment',
  is_sampled: 'isSampled',
  // Java's names.
  createSegment: 'inSegment',
  createSubsegment: 'inSubsegment',
  getCurrentSegment: 'currentSegment',
  getCurrentSubsegment: 'currentSubsegment',
  clearTraceEntity: 'clearTraceEntities',
  patch_all: 'patchAll',
} as const satisfies AliasTable<RecorderMethods>;

export interface XRayRecorder extends Aliases<RecorderMethods, typeof RECORDER_ALIASES> {}
/**
 * The X-Ray recorder API (`xray_recorder` in Python, `AWSXRay` in Node) over OpenTelemetry: every
 * segment and subsegment is a real OTel span, made by the configured tracer provider, sampled by
 * its sampler, and in the same context as spans made through `@opentelemetry/api`. See
 * `docs/recorder.md`; context propagation is explained in `context-store.ts`.
 */
export class XRayRecorder extends RecorderMethods {}
defineAliases(XRayRecorder, RECORDER_ALIASES);

function spanName(span: Span): string {
  const name = (span as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : 'span';
}

/** X-Ray trace ids start with the epoch second (the X-Ray id generator's layout). */
function newXRayTraceId(): string {
  return Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + randomHex(12);
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
