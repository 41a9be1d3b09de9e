import type { CauseBlock, EntityDocument } from './document.js';
import { setOwn } from './translate/annotations.js';

/** What a shrunk value is replaced with; short, and says how much was lost. */
export function truncationMarker(bytes: number): string {
  return `[truncated by xray-otel-bridge: ${bytes} bytes]`;
}

interface Shrunk {
  doc: EntityDocument;
  json: string;
  bytes: number;
}

/**
 * Makes one oversized document fit `limit` bytes of JSON, giving up the least useful data first:
 * metadata values (largest first), exception stacks, annotation strings, then any long string
 * left (a huge URL or query). Returns undefined when even that cannot make it fit.
 *
 * Cost stays linear in the size of the document, and low: the document is never parsed back from
 * its text, nor its text measured whole (allocating a flat copy of megabytes of text costs more
 * than writing it). Each step copies only the objects it changes (`body` and what it shares with
 * other documents stay untouched), and sizes are counted per replaced value, so the document is
 * serialized again only after a step that could not be counted that way.
 */
export function shrinkToFit(body: EntityDocument, limit: number): Shrunk | undefined {
  const doc: EntityDocument = { ...body };
  // Unknown until a step measures the document; until then it is known not to fit.
  let bytes = Infinity;
  const fits = () => bytes <= limit;

  // 1. Metadata values, largest first.
  if (doc.metadata) {
    const shrunk = shrinkMetadata(doc, limit);
    if (shrunk !== undefined) bytes = shrunk;
  }

  // 2. Exception stacks: keep the count of what was cut.
  if (!fits() && typeof doc.cause === 'object' && dropStacks(doc, doc.cause)) bytes = byteLength(doc);

  // 3. Annotation strings, longest first.
  if (!fits() && doc.annotations) {
    if (bytes === Infinity) bytes = byteLength(doc);
    const annotations = { ...doc.annotations };
    const strings = Object.entries(annotations)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 32)
      .sort((a, b) => b[1].length - a[1].length);
    for (const [key, value] of strings) {
      if (fits()) break;
      const cut = value.slice(0, 32);
      setOwn(annotations, key, cut);
      bytes -= byteLength(value) - byteLength(cut);
    }
    doc.annotations = annotations;
  }

  // 4. Whatever long strings remain (URLs, queries, messages, link attributes), ever shorter.
  let cut: EntityDocument = doc;
  if (!fits()) {
    // A pass that would cut nothing is skipped: this one walk finds which would.
    const longest = longestString(doc, KEEP_WHOLE);
    for (let max = 4096; !fits() && max >= 64; max >>= 2) {
      if (longest <= max && bytes !== Infinity) continue;
      const next = cutStrings(cut, max, KEEP_WHOLE) as EntityDocument;
      if (next !== cut || bytes === Infinity) bytes = byteLength(next);
      cut = next;
    }
  }

  if (!fits()) return undefined;
  const out = JSON.stringify(cut);
  const outBytes = Buffer.byteLength(out);
  // The running count is exact; this check only keeps a miscount from ever sending an oversized datagram.
  return outBytes <= limit ? { doc: cut, json: out, bytes: outBytes } : undefined;
}

const KEEP_WHOLE: ReadonlySet<string> = new Set(['name', 'id', 'trace_id', 'parent_id']);

/** A metadata value worth replacing: where it is, the UTF-8 size of its JSON, and its marker. */
class MetadataValue {
  constructor(
    readonly ns: string,
    readonly key: string,
    readonly size: number,
    readonly marker: string,
  ) {}

  /** What replacing it saves; the marker is ASCII with nothing to escape, so its JSON is its text in quotes. */
  get saving(): number {
    return this.size - (this.marker.length + 2);
  }
}

/**
 * Replaces metadata values by their markers, largest first, until the document fits (or none is
 * left worth replacing); returns the document's size then. Its size is found by serializing it
 * with every value worth replacing already replaced, which is small for the usual oversized span
 * (a few huge values, or many large ones), and adding back what each value kept whole costs.
 */
function shrinkMetadata(doc: EntityDocument, limit: number): number | undefined {
  const metadata = doc.metadata!;
  const values: MetadataValue[] = [];
  // Markers by size: a span with many values of one size shares one marker string.
  const markers = new Map<number, string>();
  // The smallest the metadata gets: a copy with every value that has a shorter marker replaced.
  const smallest: Record<string, Record<string, unknown>> = {};
  for (const ns of Object.keys(metadata)) {
    const entries = metadata[ns]!;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(entries)) {
      const value = entries[key];
      const size = byteLength(value);
      let marker = markers.get(size);
      if (marker === undefined) markers.set(size, (marker = truncationMarker(size)));
      const v = new MetadataValue(ns, key, size, marker);
      if (v.saving > 0) values.push(v);
      setOwn(copy, key, v.saving > 0 ? marker : value);
    }
    setOwn(smallest, ns, copy);
  }
  if (values.length === 0) return undefined;

  doc.metadata = smallest;
  let bytes = byteLength(doc);
  for (const v of values) bytes += v.saving;

  // Largest first, the values replaced until the rest fits; the others are put back.
  values.sort((a, b) => b.size - a.size);
  let replaced = 0;
  while (replaced < values.length && bytes > limit) bytes -= values[replaced++]!.saving;
  if (replaced < values.length) {
    for (const v of values.slice(replaced)) setOwn(smallest[v.ns]!, v.key, metadata[v.ns]![v.key]);
  }
  return bytes;
}

/** Empties every exception's stack, counting the cut frames in `truncated`; false when there was none to cut. */
function dropStacks(doc: EntityDocument, cause: CauseBlock): boolean {
  if (!cause.exceptions?.some((ex) => ex.stack !== undefined && ex.stack.length > 0)) return false;
  const exceptions = cause.exceptions.map((ex) =>
    ex.stack === undefined || ex.stack.length === 0 ? ex : { ...ex, stack: [], truncated: (ex.truncated ?? 0) + ex.stack.length },
  );
  doc.cause = { ...cause, exceptions };
  return true;
}

// Printable ASCII without `"` or `\`: JSON writes such a string as it is, one byte per character.
const NEEDS_ESCAPE_OR_NOT_ASCII = /[^\x20-\x7e]|["\\]/;

/** UTF-8 bytes of `v`'s JSON; a string (the common, and often huge, case) without serializing it. */
function byteLength(v: unknown): number {
  if (typeof v === 'string' && !NEEDS_ESCAPE_OR_NOT_ASCII.test(v)) return v.length + 2;
  return Buffer.byteLength(JSON.stringify(v) ?? '');
}

/** Length of the longest string `cutStrings` could cut. */
function longestString(node: unknown, keep: ReadonlySet<string>): number {
  if (typeof node === 'string') return node.length;
  if (node === null || typeof node !== 'object') return 0;
  let longest = 0;
  if (Array.isArray(node)) {
    for (const v of node) longest = Math.max(longest, longestString(v, keep));
    return longest;
  }
  const obj = node as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string' && keep.has(key)) continue;
    longest = Math.max(longest, longestString(v, keep));
  }
  return longest;
}

/**
 * `node` with every string longer than `max` cut (but those under `keep` keys): the very object
 * when nothing in it was cut, else a copy (objects that share nothing cut are not copied).
 */
function cutStrings(node: unknown, max: number, keep: ReadonlySet<string>): unknown {
  if (typeof node === 'string') return node.length > max ? node.slice(0, max) : node;
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      const cut = cutStrings(v, max, keep);
      if (cut !== v) (out ??= node.slice())[i] = cut;
    }
    return out ?? node;
  }
  const obj = node as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string' && keep.has(key)) continue;
    const cut = cutStrings(v, max, keep);
    if (cut !== v) setOwn((out ??= { ...obj }), key, cut);
  }
  return out ?? obj;
}
