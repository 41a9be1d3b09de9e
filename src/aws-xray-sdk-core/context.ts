import { createContextKey, trace, type Context, type Span } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';
import { ENTITY_KEY } from '../recorder/context-store.js';
import { LinkedContext } from '../recorder/linked-context.js';
import { LambdaFacade, isLambda } from '../recorder/lambda.js';
import { EntityMode } from '../recorder/entity.js';
import { Segment as RecorderSegment } from '../recorder/segment.js';
import { LegacyEntity, Subsegment } from './entity.js';
import { runtime } from './runtime.js';
import { Segment } from './segment.js';

/** A cls-hooked context: a plain object whose prototype is the context it was created in. */
export type ClsContext = Record<string, unknown>;

const CLS_KEY = createContextKey('xray-otel-bridge aws-xray-sdk-core cls context');
const SEGMENT = 'segment';
const NAMESPACE = 'AWSXRay';

/**
 * One cls context, made only when something asks for it. The capture functions run each
 * subsegment in a context of its own that holds just that subsegment, and cls-hooked makes each
 * such context an object whose prototype is the one it was created in; an object V8 has to turn
 * into a prototype (and give a map of its own) for every subsegment is most of what a capture
 * costs. A frame holds the entity and its parent frame, and builds that object on first use
 * (`getNamespace().active`, `get`, `set`, `bind`…), so what legacy code can observe is the same.
 */
class ClsFrame {
  private cls: ClsContext | undefined;

  constructor(
    private readonly parent: ClsFrame | undefined,
    private readonly entity: unknown,
    cls?: ClsContext,
  ) {
    this.cls = cls;
  }

  /** The cls context itself (made now if it was not yet). */
  get context(): ClsContext {
    let cls = this.cls;
    if (cls === undefined) {
      cls = Object.create(this.parent === undefined ? Object.prototype : this.parent.context) as ClsContext;
      if (this.entity !== undefined) cls[SEGMENT] = this.entity;
      this.cls = cls;
    }
    return cls;
  }

  /** `context.segment`, read without making the context. */
  get segment(): unknown {
    if (this.cls !== undefined) return this.cls[SEGMENT];
    return this.entity !== undefined ? this.entity : this.parent?.segment;
  }

  /** Whether this frame stands for `cls`. */
  is(cls: ClsContext): boolean {
    return this.cls === cls;
  }
}

function activeFrame(): ClsFrame | undefined {
  return runtime.store.active().getValue(CLS_KEY) as ClsFrame | undefined;
}

function activeCls(): ClsContext | undefined {
  return activeFrame()?.context;
}

/**
 * The OTel context standing for a cls context: the frame itself, and, when it holds an entity,
 * that entity's span (so OpenTelemetry spans started there are its children) and the recorder
 * entity (so the recorder facade sees it too).
 */
function otelContextFor(base: Context, frame: ClsFrame): Context {
  let ctx: Context = base.getValue(CLS_KEY) === frame ? base : LinkedContext.from(base).setValue(CLS_KEY, frame);
  const entity = frame.segment;
  if (entity instanceof LegacyEntity && entity.inner !== undefined && ctx.getValue(ENTITY_KEY) !== entity.inner) {
    ctx = trace.setSpan(LinkedContext.from(ctx), entity.inner.span).setValue(ENTITY_KEY, entity.inner);
  }
  return ctx;
}

/** The frame of `cls`: the active one when it stands for `cls`, else a new one. */
function frameOf(cls: ClsContext): ClsFrame {
  const active = activeFrame();
  return active !== undefined && active.is(cls) ? active : new ClsFrame(undefined, undefined, cls);
}

type Listener = (...args: unknown[]) => unknown;
const ADD_METHODS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['off', 'removeListener'] as const;
const BOUND = Symbol('xray-otel-bridge bound emitter');

/**
 * `getNamespace()`: the part of cls-hooked's `Namespace` the SDK and its middleware use, on the
 * OTel context (AsyncLocalStorage) instead of async hooks. A cls context is a mutable object that
 * inherits from the one it was created in; `run` makes a new one current for the callback (and
 * for everything the callback starts asynchronously), `set` writes into the current one.
 */
export class Namespace {
  readonly name = NAMESPACE;

  get active(): ClsContext | null {
    return activeCls() ?? null;
  }

  createContext(): ClsContext {
    return Object.create(activeCls() ?? Object.prototype) as ClsContext;
  }

  set<T>(key: string, value: T): T {
    const frame = activeFrame();
    if (frame === undefined) throw new Error('No context available. ns.run() or ns.bind() must be called first.');
    frame.context[key] = value;
    // The entity's span becomes the active OTel span for the rest of this execution, as the
    // cls context is for the SDK.
    if (key === SEGMENT) runtime.store.attach(otelContextFor(runtime.store.active(), frame));
    return value;
  }

  get(key: string): unknown {
    const frame = activeFrame();
    if (frame === undefined) return undefined;
    return key === SEGMENT ? frame.segment : frame.context[key];
  }

  run(fn: (context: ClsContext) => void): ClsContext {
    const frame = new ClsFrame(activeFrame(), undefined);
    const cls = frame.context;
    runtime.store.with(otelContextFor(runtime.store.active(), frame), fn, undefined, [cls]);
    return cls;
  }

  runAndReturn<T>(fn: (context: ClsContext) => T): T {
    const frame = new ClsFrame(activeFrame(), undefined);
    return runtime.store.with(otelContextFor(runtime.store.active(), frame), fn, undefined, [frame.context]);
  }

  /**
   * `run(() => { setSegment(entity); return fn(entity) })` in one step, for the capture functions:
   * the entity's own context (its span, made in the current one) plus a new cls context holding it.
   */
  runWithEntity<E extends LegacyEntity, T>(entity: E, fn: (entity: E) => T): T {
    const frame = new ClsFrame(activeFrame(), entity);
    const base = entity.inner?.context ?? runtime.store.active();
    return runtime.store.with(LinkedContext.from(base).setValue(CLS_KEY, frame), fn, undefined, [entity]);
  }

  runPromise<T>(fn: (context: ClsContext) => Promise<T>): Promise<T> {
    return this.runAndReturn(fn);
  }

  /** `fn` bound to `context` (default: the current one, or a new one). */
  bind<F extends (...args: any[]) => any>(fn: F, context?: ClsContext): F {
    const frame = context !== undefined ? frameOf(context) : (activeFrame() ?? new ClsFrame(undefined, undefined));
    const ctx = otelContextFor(runtime.store.active(), frame);
    const store = runtime.store;
    return function (this: unknown, ...args: unknown[]) {
      return store.with(ctx, fn, this, args);
    } as F;
  }

  /** Makes `context` current for the rest of this execution (undone by `exit`). */
  enter(context: ClsContext): void {
    const previous = runtime.store.active();
    exitTo.set(context, previous);
    runtime.store.attach(otelContextFor(previous, frameOf(context)));
  }

  exit(context: ClsContext): void {
    const previous = exitTo.get(context);
    if (previous === undefined) return;
    exitTo.delete(context);
    runtime.store.attach(previous);
  }

  /**
   * Listeners added to `emitter` from now on run in the context that was current when they were
   * added (cls-hooked's rule), so a request's `data`/`end` handlers see the request's segment.
   */
  bindEmitter(emitter: EventEmitter): void {
    const target = emitter as EventEmitter & { [BOUND]?: WeakMap<Listener, Listener> };
    if (target[BOUND] !== undefined) return;
    const wrappers = new WeakMap<Listener, Listener>();
    target[BOUND] = wrappers;
    const store = runtime.store;
    for (const method of ADD_METHODS) {
      const original = target[method] as (event: string | symbol, listener: Listener) => EventEmitter;
      if (typeof original !== 'function') continue;
      target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
        if (typeof listener !== 'function' || activeFrame() === undefined) return original.call(this, event, listener);
        const ctx = store.active();
        const wrapped: Listener = function (this: unknown, ...args: unknown[]) {
          return store.with(ctx, listener, this, args);
        };
        wrappers.set(listener, wrapped);
        return original.call(this, event, wrapped);
      } as never;
    }
    for (const method of REMOVE_METHODS) {
      const original = target[method] as (event: string | symbol, listener: Listener) => EventEmitter;
      if (typeof original !== 'function') continue;
      target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
        return original.call(this, event, wrappers.get(listener) ?? listener);
      } as never;
    }
  }
}

const exitTo = new WeakMap<ClsContext, Context>();

export type ContextMissingFunction = (message: string) => void;

const STRATEGIES: Readonly<Record<string, ContextMissingFunction>> = {
  RUNTIME_ERROR: (message) => {
    throw new Error(message);
  },
  LOG_ERROR: (message) => {
    runtime.logger.error(new Error(message).stack ?? message);
  },
  IGNORE_ERROR: () => {},
};

/**
 * The SDK's `context_utils`: automatic (cls) and manual mode, the current entity, and the
 * context-missing strategy (`AWS_XRAY_CONTEXT_MISSING` wins over `setContextMissingStrategy`).
 */
export class ContextUtils {
  readonly CONTEXT_MISSING_STRATEGY = {
    RUNTIME_ERROR: { contextMissing: STRATEGIES.RUNTIME_ERROR! },
    LOG_ERROR: { contextMissing: STRATEGIES.LOG_ERROR! },
    IGNORE_ERROR: { contextMissing: STRATEGIES.IGNORE_ERROR! },
  };
  readonly contextMissingStrategy: { contextMissing: ContextMissingFunction } = { contextMissing: STRATEGIES.LOG_ERROR! };
  private automatic = !process.env.AWS_XRAY_MANUAL_MODE;
  private overridden = false;
  private readonly namespace = new Namespace();
  private readonly lambda = new LambdaFacade();
  private readonly inLambda = isLambda();
  private lambdaSegment: Segment | undefined;
  private readonly adopted = new WeakMap<object, Segment>();

  constructor() {
    const fromEnv = process.env.AWS_XRAY_CONTEXT_MISSING;
    if (fromEnv) {
      try {
        this.setContextMissingStrategy(fromEnv);
      } catch (err) {
        runtime.logger.error(err instanceof Error ? err.message : String(err));
      }
      this.overridden = true;
    }
  }

  getNamespace = (): Namespace => {
    runtime.ensurePipeline();
    return this.namespace;
  };

  isAutomaticMode = (): boolean => this.automatic;

  enableAutomaticMode = (): void => {
    this.automatic = true;
    runtime.logger.debug('Overriding AWS X-Ray SDK mode. Set to automatic mode.');
  };

  enableManualMode = (): void => {
    if (this.inLambda) {
      runtime.logger.warn('AWS Lambda does not support AWS X-Ray manual mode.');
      return;
    }
    this.automatic = false;
    runtime.logger.debug('Overriding AWS X-Ray SDK mode. Set to manual mode.');
  };

  /** The current segment or subsegment (automatic mode), or the context-missing strategy. */
  getSegment = (): Segment | Subsegment | undefined => {
    if (!this.automatic) {
      this.contextMissingStrategy.contextMissing('Cannot get sub/segment from context. Not supported in manual mode.');
      return undefined;
    }
    const entity = this.currentEntity();
    if (entity === undefined) this.contextMissingStrategy.contextMissing('Failed to get the current sub/segment from the context.');
    return entity;
  };

  setSegment = (segment: Segment | Subsegment): void => {
    if (!this.automatic) {
      this.contextMissingStrategy.contextMissing('Cannot set sub/segment on context. Not supported in manual mode.');
      return;
    }
    runtime.ensurePipeline();
    this.namespace.set(SEGMENT, segment);
  };

  /** Automatic mode: the current entity. Manual mode: `segment`, or the context-missing strategy. */
  resolveSegment = (segment?: Segment | Subsegment | null): Segment | Subsegment | undefined => {
    if (this.automatic) return this.getSegment();
    if (segment) return segment;
    this.contextMissingStrategy.contextMissing('No sub/segment specified. A sub/segment must be provided for manual mode.');
    return undefined;
  };

  /** Manual mode: the entity passed as `XRaySegment`/`XraySegment`/`Segment` in an options object (removed from it). */
  resolveManualSegmentParams = (params: Record<string, unknown> | null | undefined): Segment | Subsegment | null | undefined => {
    if (!params || this.automatic) return undefined;
    const xraySegment = params.XRaySegment ?? params.XraySegment;
    if (xraySegment instanceof LegacyEntity) {
      delete params.XRaySegment;
      delete params.XraySegment;
      return xraySegment as Segment | Subsegment;
    }
    if (params.Segment instanceof LegacyEntity) {
      const found = params.Segment as Segment | Subsegment;
      delete params.Segment;
      return found;
    }
    return null;
  };

  setContextMissingStrategy = (strategy: string | ContextMissingFunction): void => {
    if (this.overridden) {
      runtime.logger.warn(
        'Ignoring call to setContextMissingStrategy as AWS_XRAY_CONTEXT_MISSING is set. The current context missing strategy will not be changed.',
      );
      return;
    }
    if (typeof strategy === 'string') {
      const found = Object.hasOwn(STRATEGIES, strategy.toUpperCase()) ? STRATEGIES[strategy.toUpperCase()] : undefined;
      if (found === undefined) {
        throw new Error(`Invalid context missing strategy: ${strategy}. Valid values are ${Object.keys(STRATEGIES).join(',')}.`);
      }
      this.contextMissingStrategy.contextMissing = found;
      runtime.logger.debug(`Configured context missing strategy to: ${strategy}`);
    } else if (typeof strategy === 'function') {
      this.contextMissingStrategy.contextMissing = strategy;
      runtime.logger.info(`Configured custom context missing strategy to function: ${strategy.name}`);
    } else {
      throw new Error('Context missing strategy must be either a string or a custom function.');
    }
  };

  /**
   * The entity current in this execution: the one a cls context holds; else an OTel span active
   * here (a segment standing for it, so legacy `getSegment().addNewSubsegment()` inside an OTel
   * server span nests under it); else, in Lambda, the invocation's facade.
   */
  private currentEntity(): Segment | Subsegment | undefined {
    const ctx = runtime.store.active();
    const held = (ctx.getValue(CLS_KEY) as ClsFrame | undefined)?.segment;
    if (held instanceof LegacyEntity) return held as Segment | Subsegment;
    const span = trace.getSpan(ctx);
    if (span !== undefined && span.isRecording()) {
      let adopted = this.adopted.get(span);
      if (adopted === undefined) {
        const inner = ctx.getValue(ENTITY_KEY) as RecorderSegment | undefined;
        adopted = Segment.adopting(inner?.span === span ? inner : adoptSpan(span, ctx));
        this.adopted.set(span, adopted);
      }
      return adopted;
    }
    if (this.inLambda) return this.lambdaFacade();
    return undefined;
  }

  private lambdaFacade(): Segment | undefined {
    const inner = this.lambda.current(runtime.host);
    if (inner === undefined) {
      this.lambdaSegment = undefined;
      this.contextMissingStrategy.contextMissing(
        'Missing AWS Lambda trace data for X-Ray. Ensure Active Tracing is enabled and no subsegments are created outside the function handler.',
      );
      return undefined;
    }
    if (this.lambdaSegment?.inner !== inner) {
      runtime.ensurePipeline();
      this.lambdaSegment = Segment.adopting(inner);
    }
    return this.lambdaSegment;
  }
}

/** A recorder segment over an OTel span someone else started: written to, never ended here. */
function adoptSpan(span: Span, ctx: Context): RecorderSegment {
  const name = (span as { name?: unknown }).name;
  return new RecorderSegment(runtime.host, typeof name === 'string' && name !== '' ? name : 'span', span, ctx, undefined, EntityMode.Adopted);
}

export { Subsegment };
