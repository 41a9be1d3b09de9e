import { types } from 'node:util';
import type { Logger } from '../logger.js';
import { errorMessage } from '../common/values.js';
import type { Entity } from './entity.js';
import { describe } from './values.js';

export type AnyFunction = (...args: any[]) => any;

/** Any function, whatever its parameters: what `capture` wraps (keeping its exact type). */
export type CapturableFunction = (...args: never[]) => unknown;

/** A class method as TC39 decorators see it. */
type Method<This, Args extends unknown[], Return> = (this: This, ...args: Args) => Return;

/**
 * What `capture(name?)` returns: a higher-order function for any function (`capture('f')(fn)`
 * has `fn`'s type), and a method decorator, with TypeScript's standard (TC39) decorators and with
 * `experimentalDecorators` alike. Fields, accessors and classes are not methods and do not compile.
 */
export interface CaptureDecorator {
  /** `@capture('name') method() {…}` with standard decorators (TypeScript ≥ 5). */
  <This, Args extends unknown[], Return>(method: Method<This, Args, Return>, context: ClassMethodDecoratorContext<This, Method<This, Args, Return>>): Method<This, Args, Return>;
  /** `capture('name')(fn)`: `fn` wrapped, with the same type. (No second argument: a decorator's context is not a method's.) */
  <F extends CapturableFunction>(fn: F, context?: undefined): F;
  /** `@capture('name') method() {…}` with `experimentalDecorators` (NestJS, TypeORM, Angular). */
  <F extends CapturableFunction>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<F>): TypedPropertyDescriptor<F>;
}

/**
 * The recorder's `capture` (also `captureAsync` and `capture_async`): `capture(name?)` gives a
 * {@link CaptureDecorator}; `capture(fn)` wraps `fn` at once; bare `@capture` decorates a method
 * (subsegments are then named after the function or method).
 */
export interface Capture extends CaptureDecorator {
  (name?: string): CaptureDecorator;
}

/** The recorder side of `capture`: runs one call inside a subsegment. */
export interface CaptureRunner {
  readonly logger: Logger;
  runCaptured<F extends AnyFunction>(name: string, fn: F, thisArg: unknown, args: Parameters<F>): ReturnType<F>;
}

/**
 * Builds the decorator. The wrapper is made once per decorated function; a call costs the
 * recorder's subsegment and nothing else (no closure, no per-call object besides the arguments).
 */
export function makeCapture(runner: CaptureRunner, name: string | undefined): CaptureDecorator {
  return function capture(fn: unknown, context?: unknown, descriptor?: unknown): unknown {
    // experimentalDecorators: (prototype, or the class for a static method, key, descriptor); the descriptor comes back.
    if (isPropertyKey(context)) {
      const method: unknown = isDescriptor(descriptor) ? descriptor.value : undefined;
      if (typeof method === 'function') {
        const subsegmentName = typeof name === 'string' && name !== '' ? name : keyName(context) || method.name || 'anonymous';
        return { ...(descriptor as PropertyDescriptor), value: wrap(runner, method as AnyFunction, subsegmentName) };
      }
      runner.logger.warn(`capture: "${keyName(context)}" is not a method (a field or an accessor); it is left as it is and records nothing`);
      return descriptor;
    }
    // Standard decorators say what they decorate: only a method is a call to record.
    const kind = typeof context === 'object' && context !== null ? (context as { kind?: unknown }).kind : undefined;
    if (kind !== undefined && kind !== 'method') {
      runner.logger.warn(`capture: "${keyName((context as { name?: unknown }).name)}" is a ${String(kind)}, not a method; it is left as it is and records nothing`);
      return undefined;
    }
    if (typeof fn === 'function') return wrap(runner, fn as AnyFunction, subsegmentNameOf(name, fn as AnyFunction, context));
    runner.logger.warn(`capture: ${describe(fn)} is not a function or a method to decorate; it is left as it is and records nothing`);
    return fn;
  } as CaptureDecorator;
}

function wrap<F extends AnyFunction>(runner: CaptureRunner, fn: F, subsegmentName: string): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    return runner.runCaptured(subsegmentName, fn, this, args);
  };
  // Keep what frameworks and stack traces read from the function.
  Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
  return wrapped as F;
}

function subsegmentNameOf(name: string | undefined, fn: AnyFunction, context: unknown): string {
  if (typeof name === 'string' && name !== '') return name;
  if (context !== undefined && context !== null && typeof context === 'object') {
    const key = keyName((context as { name?: unknown }).name);
    if (key !== '') return key;
  }
  return fn.name || 'anonymous';
}

function keyName(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'symbol') return key.description ?? '';
  return '';
}

function isPropertyKey(value: unknown): value is string | symbol {
  return typeof value === 'string' || typeof value === 'symbol';
}

function isDescriptor(value: unknown): value is PropertyDescriptor {
  return typeof value === 'object' && value !== null && ('value' in value || 'get' in value || 'set' in value);
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
