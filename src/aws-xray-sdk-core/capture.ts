import type { ContextUtils } from './context.js';
import type { Subsegment } from './entity.js';
import type { Segment } from './segment.js';
import { runtime } from './runtime.js';

type Parent = Segment | Subsegment | null | undefined;

export interface CaptureFunctions {
  captureFunc<T>(name: string, fcn: (subsegment?: Subsegment) => T, parent?: Parent): T;
  captureAsyncFunc<T>(name: string, fcn: (subsegment?: Subsegment) => T, parent?: Parent): T;
  captureCallbackFunc<S extends unknown[], T>(name: string, fcn: (...args: S) => T, parent?: Parent): (...args: S) => void;
}

/**
 * The SDK's `capture.js`: run a function in a new subsegment. `captureFunc` closes it when the
 * function returns; `captureAsyncFunc` leaves closing to the function (`subsegment.close()`);
 * `captureCallbackFunc` wraps a callback whose calls are each captured.
 */
export function createCapture(context: ContextUtils): CaptureFunctions {
  function run<T>(fcn: (subsegment?: Subsegment) => T, current: Subsegment): T {
    if (!context.isAutomaticMode()) return fcn(current);
    return context.getNamespace().runWithEntity(current, fcn);
  }

  /** The subsegment a capture runs in, or undefined (logged) when there is no parent. */
  function begin(name: string, fcn: unknown, parent: Parent, what: string): Subsegment | undefined {
    validate(name, fcn);
    const parentSeg = context.resolveSegment(parent);
    if (parentSeg) return parentSeg.addNewSubsegment(name);
    runtime.logger.warn(`Failed to capture ${what}.`);
    return undefined;
  }

  function captureFunc<T>(name: string, fcn: (subsegment?: Subsegment) => T, parent?: Parent): T {
    const current = begin(name, fcn, parent, 'function');
    if (current === undefined) return fcn();
    try {
      const response = run(fcn, current);
      current.close();
      return response;
    } catch (e) {
      current.close(e as Error);
      throw e;
    }
  }

  /** As `captureFunc`, but the function closes the subsegment itself (`subsegment.close()`). */
  function captureAsyncFunc<T>(name: string, fcn: (subsegment?: Subsegment) => T, parent?: Parent): T {
    const current = begin(name, fcn, parent, 'async function');
    if (current === undefined) return fcn();
    try {
      return run(fcn, current);
    } catch (e) {
      current.close(e as Error);
      throw e;
    }
  }

  function captureCallbackFunc<S extends unknown[], T>(name: string, fcn: (...args: S) => T, parent?: Parent): (...args: S) => void {
    validate(name, fcn);
    const base = context.resolveSegment(parent);
    if (!base) {
      runtime.logger.warn('Failed to capture callback function.');
      return fcn as (...args: S) => void;
    }
    base.incrementCounter();
    return function (this: unknown, ...args: S): void {
      const parentSeg = context.resolveSegment(parent);
      // As the SDK's `fcn.bind(null, ...args)`: the subsegment comes after the callback's own arguments.
      captureFunc(name, (sub) => (fcn as (...a: unknown[]) => T)(...args, sub), parentSeg);
      base.decrementCounter();
    };
  }

  return { captureFunc, captureAsyncFunc, captureCallbackFunc };
}

function validate(name: unknown, fcn: unknown): void {
  let error: string | undefined;
  if (!name || typeof name !== 'string') error = 'Param "name" must be a non-empty string.';
  else if (typeof fcn !== 'function') error = 'Param "fcn" must be a function.';
  if (error !== undefined) {
    runtime.logger.error(error);
    throw new Error(error);
  }
}
