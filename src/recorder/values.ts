import type { AttributeValue } from '@opentelemetry/api';
import { errorMessage, toNumber } from '../common/values.js';

export { errorMessage };

// Application code hands the recorder anything: values with throwing getters, revoked proxies,
// symbols. These read and describe such values without ever throwing.

/** The value `get` returns, or undefined when it throws (a hostile getter). */
export function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

/** An integer, or an integer's decimal string: the exporter's `toNumber`, integers only. */
export function toInteger(value: unknown): number | undefined {
  const n = toNumber(value as AttributeValue | undefined);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/** `value` when a span attribute can hold it as it is. */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'object':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
      return undefined;
    default:
      return undefined;
  }
}

/** A value as it appears in a warning: short, and never throwing. */
export function describe(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value.length > 100 ? value.slice(0, 100) + '…' : value);
      case 'bigint':
        return `BigInt ${value}n`;
      case 'number':
        return `number ${value}`;
      case 'undefined':
        return 'undefined';
      case 'function':
        return 'a function';
      case 'symbol':
        return `a symbol (${value.description ?? ''})`;
      default:
        return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    }
  } catch {
    return 'a value';
  }
}
