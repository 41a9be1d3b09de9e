import type { Logger } from '../logger.js';
import { SegmentNotFoundError } from '../common/errors.js';

export type ContextMissingName = 'LOG_ERROR' | 'RUNTIME_ERROR' | 'IGNORE_ERROR';
/** A strategy: one of the SDKs' names, or a function called with the message. */
export type ContextMissingStrategy = ContextMissingName | ((message: string) => void);

export { SegmentNotFoundError };

const NAMES: readonly ContextMissingName[] = ['LOG_ERROR', 'RUNTIME_ERROR', 'IGNORE_ERROR'];

/** The strategy `value` names (any case), or undefined when it names none. */
export function parseContextMissing(value: unknown): ContextMissingStrategy | undefined {
  if (typeof value === 'function') return value as (message: string) => void;
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return (NAMES as readonly string[]).includes(upper) ? (upper as ContextMissingName) : undefined;
}

/**
 * Applies the strategy. Only `RUNTIME_ERROR` (or a function that throws) throws: the application
 * asked for it. Everything else reports and lets the caller carry on without an entity.
 */
export function handleContextMissing(strategy: ContextMissingStrategy, logger: Logger, message: string): void {
  if (typeof strategy === 'function') {
    strategy(message);
    return;
  }
  switch (strategy) {
    case 'RUNTIME_ERROR':
      throw new SegmentNotFoundError(message);
    case 'IGNORE_ERROR':
      return;
    default:
      logger.error(message);
  }
}
