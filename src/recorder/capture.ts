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

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Ends a captured entity without a second "already closed" warning when the function closed it. */
export function finish(entity: Entity, err?: unknown, failed = false): void {
  if (entity.isClosed()) return;
  if (failed) entity.addException(err);
  entity.close();
}
