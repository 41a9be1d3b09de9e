import type { HrTime, TimeInput } from '@opentelemetry/api';

/** A time as the X-Ray SDKs take it (epoch seconds), or as OTel does. */
export type XRayTime = number | Date | HrTime;

/** X-Ray times are epoch seconds; OTel reads a number as milliseconds. */
export function toTimeInput(t: XRayTime | undefined): TimeInput | undefined {
  if (typeof t === 'number') return Number.isFinite(t) ? t * 1000 : undefined;
  if (t instanceof Date || Array.isArray(t)) return t;
  return undefined;
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
