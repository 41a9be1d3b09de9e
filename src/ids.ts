import type { HrTime } from '@opentelemetry/api';

/** `1-` + first 8 hex of the OTel trace id + `-` + the other 24. */
export function toXRayTraceId(otelTraceId: string): string {
  return `1-${otelTraceId.slice(0, 8)}-${otelTraceId.slice(8)}`;
}

/** An X-Ray trace id, `1-` + 8 hex + `-` + 24 hex, with the two hex runs as groups 1 and 2. */
export const XRAY_TRACE_ID_PATTERN = String.raw`1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})`;
const XRAY_TRACE_ID = new RegExp(`^${XRAY_TRACE_ID_PATTERN}$`);

/** The OTel (32 hex) form of an X-Ray trace id, or undefined when it is not one. */
export function fromXRayTraceId(xrayTraceId: string): string | undefined {
  const m = XRAY_TRACE_ID.exec(xrayTraceId);
  return m ? (m[1]! + m[2]!).toLowerCase() : undefined;
}

/**
 * Epoch seconds with microsecond precision. Seconds and the microsecond part are combined once,
 * as integers, so the only rounding is the final float (error far below 1 µs for current epochs).
 */
export function hrTimeToEpochSeconds(t: HrTime): number {
  const micros = Math.round(t[1] / 1000);
  return (t[0] * 1_000_000 + micros) / 1_000_000;
}

/** 16 lowercase hex: what X-Ray accepts as an id (OTel allows uppercase; X-Ray does not). */
export function isXRaySpanId(id: string): boolean {
  return id.length === 16 && isLowerHex(id);
}

/** 32 lowercase hex: an OTel trace id that converts to a valid X-Ray trace id. */
export function isXRayCompatibleTraceId(id: string): boolean {
  return id.length === 32 && isLowerHex(id);
}

// Checked for every id of every span, so by char codes: a regex test costs several times more.
function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
