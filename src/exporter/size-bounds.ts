import type { EntityDocument } from './document.js';
import { truncationMarker } from './shrink.js';

// Lower bounds of a document's JSON size, found without serializing it. A span with thousands of
// attributes or events can be megabytes of JSON: writing all of it only to learn that it is too
// large, or that no shrinking could make it fit, costs more than everything else done for it.

/** Beyond this depth a bound counts nothing more (still a lower bound), so user JSON cannot make it recurse deeply. */
const MAX_DEPTH = 32;
/** The shortest a truncation marker's JSON can be. */
const LEAST_MARKER_BYTES = truncationMarker(0).length + 2;

/** At most the UTF-8 size of `JSON.stringify(v)` (each character is a byte at least; escapes and commas are not counted). */
export function leastBytes(v: unknown, depth = 0): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
      return 1;
    case 'boolean':
      return 4;
    case 'object':
      return v === null ? 4 : depth < MAX_DEPTH && isPlain(v) ? leastContainerBytes(v, depth) : 0;
    default:
      // undefined, functions and symbols are left out of objects.
      return 0;
  }
}

function leastContainerBytes(v: object, depth: number): number {
  let n = 2;
  if (Array.isArray(v)) {
    for (const item of v) n += leastBytes(item, depth + 1);
    return n;
  }
  const obj = v as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    // `"key":` and the value; a value JSON leaves out takes its key with it.
    if (value !== undefined && typeof value !== 'function' && typeof value !== 'symbol') n += key.length + 3 + leastBytes(value, depth + 1);
  }
  return n;
}

/**
 * At most the size of any document `shrinkToFit` can make of `doc`: its metadata keys are never
 * cut, and each metadata value ends up as itself or as its marker, whichever is shorter.
 */
export function leastShrunkBytes(doc: EntityDocument): number {
  let n = 0;
  const metadata = doc.metadata;
  if (metadata === undefined) return n;
  for (const ns of Object.keys(metadata)) {
    const entries = metadata[ns]!;
    n += ns.length + 5;
    for (const key of Object.keys(entries)) {
      const value = entries[key];
      if (value !== undefined) n += key.length + 3 + Math.min(leastBytes(value), LEAST_MARKER_BYTES);
    }
  }
  return n;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null || Array.isArray(v)) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
