import { safeParseInt } from './entity.js';

/** The fields of an `X-Amzn-Trace-Id` header, as the SDK's `processTraceData` returns them. */
export interface TraceData {
  root?: string;
  parent?: string;
  sampled?: string;
  self?: string;
  /** Other key=value pairs, up to 256 bytes of them. */
  data?: Record<string, string>;
}

const RESERVED = new Set(['root', 'parent', 'sampled', 'self']);

export function processTraceData(traceData: unknown): TraceData {
  const out: TraceData = {};
  if (!(typeof traceData === 'string' && traceData)) return out;
  const data: Record<string, string> = {};
  let remaining = 256;
  for (const part of traceData.split(';')) {
    if (!part) continue;
    const [rawKey, rawValue] = part.split('=');
    if (!rawKey || !rawValue) continue;
    const key = rawKey.trim();
    const value = rawValue.trim();
    const lower = key.toLowerCase();
    if (RESERVED.has(lower)) (out as Record<string, string>)[lower] = value;
    else if (remaining - (lower.length + value.length) >= 0) {
      data[key] = value;
      remaining -= key.length + value.length;
    }
  }
  out.data = data;
  return out;
}

/** 'error' for 4xx, 'fault' for 5xx, undefined otherwise. */
export function getCauseTypeFromHttpStatus(status: number | string): 'error' | 'fault' | undefined {
  const s = String(status);
  if (s.length !== 3) return undefined;
  if (s[0] === '4' && /^\d\d$/.test(s.slice(1))) return 'error';
  if (s[0] === '5' && /^\d\d$/.test(s.slice(1))) return 'fault';
  return undefined;
}

export function stripQueryStringFromPath(path: string | undefined): string {
  return path ? path.split('?')[0]! : '';
}

/** Case-insensitive glob match: `*` any run of characters, `?` exactly one. Linear in pattern × text. */
export function wildcardMatch(pattern: string | undefined, text: string | undefined): boolean {
  if (pattern === undefined || text === undefined) return false;
  if (pattern === '*') return true;
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** A shallow copy of `obj` without `keys`. */
export function objectWithoutProperties<T extends object>(obj: T, keys: string[], preservePrototype?: boolean): Partial<T> {
  const copy = (preservePrototype ? Object.create(Object.getPrototypeOf(obj)) : {}) as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!keys.includes(key)) copy[key] = (obj as Record<string, unknown>)[key];
  return copy as Partial<T>;
}

export { safeParseInt };
