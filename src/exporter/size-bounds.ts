import type { EntityDocument } from './document.js';
import { truncationMarker } from './shrink.js';

// Lower bounds of a document's JSON size, found without serializing it. A span with thousands of
// attributes or events can be megabytes of JSON: writing all of it only to learn that it is too
// large, or that no shrinking could make it fit, costs more than everything else done for it.

/** Beyond this depth a bound counts nothing more (still a lower bound), so user JSON cannot make it recurse deeply. */
const MAX_DEPTH = 32;
/** The shortest a truncation marker's JSON can be. */
const LEAST_MARKER_BYTES = truncationMarker(0).length + 2;

/**
 * At most the UTF-8 size of `JSON.stringify(v)` (each character is a byte at least; escapes and
 * commas are not counted). The walk stops once the count passes `enough`: a bound over the
 * limit is all a caller needs, and finding it then costs no more than the limit's worth of values.
 */
export function leastBytes(v: unknown, enough = Infinity, depth = 0): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
      return 1;
    case 'boolean':
      return 4;
    case 'object':
      return v === null ? 4 : depth < MAX_DEPTH && isPlain(v) ? leastContainerBytes(v, enough, depth) : 0;
    default:
      // undefined, functions and symbols are left out of objects.
      return 0;
  }
}

function leastContainerBytes(v: object, enough: number, depth: number): number {
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && n <= enough; i++) n += leastBytes(v[i], enough - n, depth + 1);
    return n;
  }
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    if (n > enough) break;
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    // `"key":` and the value; a value JSON leaves out takes its key with it.
    if (value !== undefined && typeof value !== 'function' && typeof value !== 'symbol') n += key.length + 3 + leastBytes(value, enough - n, depth + 1);
  }
  return n;
}

/**
 * At most the size of any document `shrinkToFit` can make of `doc`: its metadata keys are never
 * cut, and each metadata value ends up as itself or as its marker, whichever is shorter. Stops
 * once past `enough`, as `leastBytes` does.
 */
export function leastShrunkBytes(doc: EntityDocument, enough = Infinity): number {
  let n = 0;
  const metadata = doc.metadata;
  if (metadata === undefined) return n;
  for (const ns of Object.keys(metadata)) {
    const entries = metadata[ns]!;
    n += ns.length + 5;
    for (const key in entries) {
      if (n > enough) return n;
      const value = entries[key];
      if (value !== undefined && Object.hasOwn(entries, key)) n += key.length + 3 + Math.min(leastBytes(value, LEAST_MARKER_BYTES), LEAST_MARKER_BYTES);
    }
  }
  return n;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null || Array.isArray(v)) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
