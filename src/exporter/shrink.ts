import type { EntityDocument } from './document.js';
import { setOwn } from './translate/annotations.js';

/** What a shrunk value is replaced with; short, and says how much was lost. */
export function truncationMarker(bytes: number): string {
  return `[truncated by xray-otel-bridge: ${bytes} bytes]`;
}

const byteLength = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '');

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
 * `json` is the document's JSON text and `jsonBytes` its UTF-8 size. Cost stays linear in the size of
 * the document: a replaced value changes the size by the difference between its text and its
 * replacement's, so the document is re-serialized once per step, never once per value.
 */
export function shrinkToFit(json: string, jsonBytes: number, limit: number): Shrunk | undefined {
  // A deep copy that keeps `__proto__` and friends as plain keys (JSON.parse defines own properties).
  const doc = JSON.parse(json) as EntityDocument;
  let bytes = jsonBytes;
  const fits = () => bytes <= limit;

  // 1. Metadata values, largest first.
  if (doc.metadata) {
    const values: MetadataValue[] = [];
    for (const ns of Object.values(doc.metadata)) {
      for (const key of Object.keys(ns)) values.push(new MetadataValue(ns, key, byteLength(ns[key])));
    }
    values.sort((a, b) => b.size - a.size);
    for (const v of values) {
      if (fits()) break;
      const marker = truncationMarker(v.size);
      // The marker is ASCII with nothing to escape: its JSON is its text in quotes.
      const markerSize = marker.length + 2;
      if (markerSize >= v.size) continue;
      setOwn(v.ns, v.key, marker);
      bytes -= v.size - markerSize;
    }
  }

  // 2. Exception stacks: keep the count of what was cut.
  const exceptions = typeof doc.cause === 'object' ? doc.cause.exceptions : undefined;
  if (!fits() && exceptions) {
    for (const ex of exceptions) {
      if (!ex.stack || ex.stack.length === 0) continue;
      ex.truncated = (ex.truncated ?? 0) + ex.stack.length;
      ex.stack = [];
    }
    bytes = byteLength(doc);
  }

  // 3. Annotation strings, longest first.
  if (!fits() && doc.annotations) {
    const strings = Object.entries(doc.annotations)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 32)
      .sort((a, b) => b[1].length - a[1].length);
    for (const [key, value] of strings) {
      if (fits()) break;
      const cut = value.slice(0, 32);
      setOwn(doc.annotations, key, cut);
      bytes -= byteLength(value) - byteLength(cut);
    }
  }

  // 4. Whatever long strings remain (URLs, queries, messages, link attributes), ever shorter.
  for (let max = 4096; !fits() && max >= 64; max >>= 2) {
    if (cutStrings(doc, max, KEEP_WHOLE)) bytes = byteLength(doc);
  }

  if (!fits()) return undefined;
  const out = JSON.stringify(doc);
  const outBytes = Buffer.byteLength(out);
  // The running count is exact; this check only keeps a miscount from ever sending an oversized datagram.
  return outBytes <= limit ? { doc, json: out, bytes: outBytes } : undefined;
}

const KEEP_WHOLE: ReadonlySet<string> = new Set(['name', 'id', 'trace_id', 'parent_id']);

class MetadataValue {
  constructor(
    readonly ns: Record<string, unknown>,
    readonly key: string,
    /** Bytes of the value's JSON. */
    readonly size: number,
  ) {}
}

/** Cuts every string longer than `max` (but those under `keep` keys); true when it cut any. */
function cutStrings(node: unknown, max: number, keep: ReadonlySet<string>): boolean {
  let cut = false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (typeof v === 'string') {
        if (v.length > max) {
          node[i] = v.slice(0, max);
          cut = true;
        }
      } else if (v !== null && typeof v === 'object' && cutStrings(v, max, keep)) cut = true;
    }
    return cut;
  }
  if (node === null || typeof node !== 'object') return false;
  const obj = node as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string') {
      if (v.length > max && !keep.has(key)) {
        setOwn(obj, key, v.slice(0, max));
        cut = true;
      }
    } else if (v !== null && typeof v === 'object' && cutStrings(v, max, keep)) {
      cut = true;
    }
  }
  return cut;
}
