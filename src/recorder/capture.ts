import { types } from 'node:util';
import { errorMessage } from '../shared/values.js';
import type { Entity } from './entity.js';

export type AnyFunction = (...args: any[]) => any;

/**
 * What `capture(name?)` returns: a higher-order function for any function, and a TC39 method
 * decorator (`@xrayRecorder.capture('save') save() {…}`) with the very same call.
 */
export type CaptureDecorator = <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext) => F;

/** The recorder side of `capture`: runs one call inside a subsegment. */
export interface CaptureRunner {
  runCaptured<F extends AnyFunction>(name: string, fn: F, thisArg: unknown, args: Parameters<F>): ReturnType<F>;
}

/**
 * Builds the decorator. The wrapper is made once per decorated function; a call costs the
 * recorder's subsegment and nothing else (no closure, no per-call object besides the arguments).
 */
export function makeCapture(runner: CaptureRunner, name: string | undefined): CaptureDecorator {
  return function capture<F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext): F {
    if (typeof fn !== 'function') return fn;
    const subsegmentName = subsegmentNameOf(name, fn, context);
    const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
      return runner.runCaptured(subsegmentName, fn, this, args);
    };
    // Keep what frameworks and stack traces read from the function.
    Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
    Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
    return wrapped as F;
  };
}

function subsegmentNameOf(name: string | undefined, fn: AnyFunction, context: ClassMethodDecoratorContext | undefined): string {
  if (typeof name === 'string' && name !== '') return name;
  if (context !== undefined && typeof context === 'object') {
    const key = context.name;
    if (typeof key === 'string' && key !== '') return key;
    if (typeof key === 'symbol' && key.description) return key.description;
  }
  return fn.name || 'anonymous';
}

/**
 * Only native promises are awaited (observed) before a captured subsegment ends. Any other
 * thenable (a query builder, a lazy request) is returned untouched: calling its `then` could run
 * or consume it, so the subsegment ends when the function returns.
 */
export function isNativePromise(value: unknown): value is Promise<unknown> {
  return types.isPromise(value);
}

/**
 * Ends `entity` when `result` settles if it is a native promise (recording a rejection), at once
 * otherwise, and returns `result` itself: the very object the function returned. The handlers are
 * attached with the intrinsic `Promise.prototype.then` and never throw, so their own promise always
 * fulfils: the application sees the rejection on the promise it awaits, and the recorder adds no
 * unhandled rejection of its own.
 */
export function endWhenSettled<R>(entity: Entity, result: R): R {
  if (!isNativePromise(result)) {
    finish(entity);
    return result;
  }
  try {
    void promiseThen.call(
      result,
      () => finish(entity),
      (err: unknown) => finish(entity, err, true),
    );
  } catch (problem) {
    // A promise whose `constructor` getter throws (species lookup): end now rather than never.
    entity.warn(`could not wait for the returned promise (${errorMessage(problem)}); ended at return`);
    finish(entity);
  }
  return result;
}

const promiseThen = Promise.prototype.then;

/**
 * Ends a captured entity without a second "already closed" warning when the function closed it.
 * Never throws: it runs while the application's result or error is on its way back.
 */
export function finish(entity: Entity, err?: unknown, failed = false): void {
  try {
    if (entity.isClosed()) return;
    if (failed) entity.addException(err);
    entity.close();
  } catch (problem) {
    try {
      entity.warn(`could not be ended cleanly (${errorMessage(problem)})`);
    } catch {
      // Nothing more to do: the application's own result must go through.
    }
  }
}
