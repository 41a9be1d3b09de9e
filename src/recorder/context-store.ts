import { AsyncLocalStorage } from 'node:async_hooks';
import { context, createContextKey, type Context, type ContextManager } from '@opentelemetry/api';
import type { Entity } from './entity.js';

/** Where the recorder's current entity rides inside an OTel `Context`. */
export const ENTITY_KEY = createContextKey('xray-otel-bridge recorder entity');

export function entityOf(ctx: Context): Entity | undefined {
  return ctx.getValue(ENTITY_KEY) as Entity | undefined;
}

/** What `AsyncLocalStorageContextManager` (context-async-hooks ≥ 2.12) offers for imperative use. */
interface AttachingManager extends ContextManager {
  attach(ctx: Context): unknown;
}

/** Older context-async-hooks releases: the same storage, without the `attach` method. */
interface StorageManager extends ContextManager {
  _asyncLocalStorage: AsyncLocalStorage<Context>;
}

const enum Mode {
  Attach,
  Storage,
  Fallback,
}

/**
 * The recorder's view of "the current context", shared with OpenTelemetry.
 *
 * Why this design: the recorder's current entity is stored *in the OTel context* (under
 * `ENTITY_KEY`, next to the entity's span), and the imperative forms (`beginSegment`,
 * `beginSubsegment`, `endSubsegment`…) make that context the active one for the rest of the
 * current async execution with the context manager's own `attach()` (an `enterWith()` on its
 * `AsyncLocalStorage`). So there is one source of truth: `context.active()` *is* the recorder's
 * context, and every combination follows from OTel's own rules:
 * - an OTel span started inside a subsegment sees the subsegment's span as active → its child;
 * - `tracer.startActiveSpan()` runs its callback in `context.with()`: a subsegment begun there is
 *   a child of that span, and the recorder still knows the enclosing entity (the key survives
 *   `trace.setSpan`);
 * - `enterWith()` changes the store of the current async resource only, and `AsyncLocalStorage`
 *   copies the store to resources created afterwards: the entity follows `await`s and the work
 *   started from there, and concurrent requests (other async resources) never see it. Inside a
 *   `context.with()` callback it is undone when the callback returns, as cls-hooked did for the
 *   X-Ray SDK.
 * The alternative, a recorder-private storage plus a wrapping context manager deciding which of
 * the two contexts is "more recent", needs heuristics that break on `context.bind()` and on
 * contexts restored by identity; sharing the manager's storage needs none.
 *
 * The one caveat is `enterWith()`'s: called in the synchronous part of an async function, before
 * its first `await`, it also changes the caller's context. A server's request handler runs in its
 * own async resource, so that does not matter there; `beginSegment` never parents the new segment
 * under such a leftover local span (see `XRayRecorder.beginSegment`).
 *
 * With a context manager that cannot attach (none registered, or another kind), the recorder keeps
 * the context in a storage of its own: legacy code still works across `await`, but OTel spans do
 * not see imperatively begun entities as parents (the callback forms still nest both ways).
 *
 * The global manager is looked up on every call (as `context.active()` itself does) because
 * applications and tests replace it; the mode is recomputed only when it changed.
 */
export class ContextStore {
  private manager: ContextManager | undefined;
  private mode: Mode = Mode.Fallback;
  private readonly own = new AsyncLocalStorage<Context>();
  private warnedFallback = false;

  constructor(private readonly onFallback: (message: string) => void) {}

  active(): Context {
    if (this.resolve() !== Mode.Fallback) return context.active();
    return this.own.getStore() ?? context.active();
  }

  /** Makes `ctx` active for the rest of the current async execution (see the class comment). */
  attach(ctx: Context): void {
    switch (this.resolve()) {
      case Mode.Attach:
        (this.manager as AttachingManager).attach(ctx);
        return;
      case Mode.Storage:
        (this.manager as StorageManager)._asyncLocalStorage.enterWith(ctx);
        return;
      default:
        this.warnFallbackOnce();
        this.own.enterWith(ctx);
    }
  }

  /** Runs `fn` with `ctx` active, for the callback forms. */
  with<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, thisArg: unknown, args: A): R {
    if (this.resolve() !== Mode.Fallback) return context.with(ctx, fn, thisArg, ...args);
    return this.own.run(ctx, withContext, ctx, fn, thisArg, args) as R;
  }

  private resolve(): Mode {
    const manager = globalContextManager();
    if (manager !== this.manager) {
      this.manager = manager;
      this.mode = modeOf(manager);
    }
    return this.mode;
  }

  private warnFallbackOnce(): void {
    if (this.warnedFallback) return;
    this.warnedFallback = true;
    this.onFallback(
      'the global OpenTelemetry context manager cannot attach a context imperatively; ' +
        'beginSegment/beginSubsegment are tracked by the recorder only and OTel spans will not see them as parents. ' +
        'Register AsyncLocalStorageContextManager (NodeSDK does) or use the capture/inSegment/inSubsegment forms.',
    );
  }
}

function withContext<A extends unknown[], R>(ctx: Context, fn: (...args: A) => R, thisArg: unknown, args: A): R {
  return context.with(ctx, fn, thisArg, ...args);
}

function globalContextManager(): ContextManager | undefined {
  // The API keeps the registered manager behind a method that TypeScript calls private; it is
  // the only way to reach it, and it has been there for all of @opentelemetry/api 1.x.
  const api = context as unknown as { _getContextManager?: () => ContextManager };
  return typeof api._getContextManager === 'function' ? api._getContextManager() : undefined;
}

function modeOf(manager: ContextManager | undefined): Mode {
  if (manager === undefined) return Mode.Fallback;
  if (typeof (manager as Partial<AttachingManager>).attach === 'function') return Mode.Attach;
  const storage = (manager as Partial<StorageManager>)._asyncLocalStorage;
  if (storage instanceof AsyncLocalStorage) return Mode.Storage;
  return Mode.Fallback;
}
