import type { AttributeValue } from '@opentelemetry/api';

/** A finite number, or a numeric string's value: how both sides read numeric attributes. */
export function toNumber(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A thrown value's message for a warning; never throws, even for a hostile `message` getter. */
export function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return 'an unprintable error';
  }
}

/** True when `obj` has no enumerable property: `Object.keys(obj).length === 0` without the array. */
export function isEmptyObject(obj: object): boolean {
  for (const _ in obj) return false;
  return true;
}
