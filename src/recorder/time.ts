import type { HrTime, TimeInput } from '@opentelemetry/api';

/** A time as the X-Ray SDKs take it (epoch seconds), or as OTel does. */
export type XRayTime = number | Date | HrTime;

/**
 * X-Ray times are epoch seconds; OTel reads a number as milliseconds. Undefined for a time X-Ray
 * cannot hold (NaN, ±Infinity, before 1970, an invalid Date): the caller ends the span now.
 */
export function toTimeInput(t: XRayTime | undefined): TimeInput | undefined {
  if (typeof t === 'number') return validSeconds(t) ? t * 1000 : undefined;
  if (t instanceof Date) return validSeconds(t.getTime()) ? t : undefined;
  if (isHrTime(t)) return validSeconds(t[0]) && Number.isFinite(t[1]) && t[1] >= 0 ? t : undefined;
  return undefined;
}

/** Whether `t` is given as a time (a number, a Date or an HrTime), valid or not. */
export function isXRayTime(t: unknown): t is XRayTime {
  return typeof t === 'number' || t instanceof Date || isHrTime(t);
}

/** A time as a warning shows it. */
export function describeTime(t: XRayTime): string {
  if (t instanceof Date) return Number.isNaN(t.getTime()) ? 'Invalid Date' : t.toISOString();
  return Array.isArray(t) ? `[${t.join(', ')}]` : String(t);
}

function validSeconds(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

export function isHrTime(t: unknown): t is HrTime {
  return Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && typeof t[1] === 'number';
}

export function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

export function addMillis(t: HrTime, ms: number): HrTime {
  const nanos = t[1] + Math.max(0, Math.round(ms * 1e6));
  return [t[0] + Math.floor(nanos / 1e9), nanos % 1e9];
}
