import type { EntityDocument } from './document.js';

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
 * This is the rare path, so it may serialize repeatedly; the common path never comes here.
 */
export function shrinkToFit(original: EntityDocument, limit: number): Shrunk | undefined {
  // A deep copy that keeps `__proto__` and friends as plain keys (JSON.parse defines own properties).
  const doc = JSON.parse(JSON.stringify(original)) as EntityDocument;
  let bytes = byteLength(doc);
  const fits = () => bytes <= limit;

  // 1. Metadata values, largest first.
  if (doc.metadata) {
    const values: { ns: Record<string, unknown>; key: string; size: number }[] = [];
    for (const ns of Object.values(doc.metadata)) {
      for (const [key, value] of Object.entries(ns)) values.push({ ns, key, size: byteLength(value) });
    }
    values.sort((a, b) => b.size - a.size);
    for (const v of values) {
      if (fits()) break;
      const marker = truncationMarker(v.size);
      if (byteLength(marker) >= v.size) continue;
      v.ns[v.key] = marker;
      bytes = byteLength(doc);
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
      doc.annotations[key] = value.slice(0, 32);
      bytes = byteLength(doc);
    }
  }

  // 4. Whatever long strings remain (URLs, queries, messages, link attributes), ever shorter.
  for (let max = 4096; !fits() && max >= 64; max >>= 2) {
    cutStrings(doc, max, new Set(['name', 'id', 'trace_id', 'parent_id']));
    bytes = byteLength(doc);
  }

  if (!fits()) return undefined;
  return { doc, json: JSON.stringify(doc), bytes };
}

function cutStrings(node: unknown, max: number, keep: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string' && v.length > max) node[i] = v.slice(0, max);
      else if (v !== null && typeof v === 'object') cutStrings(v, max, keep);
    }
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string') {
      if (v.length > max && !keep.has(key)) obj[key] = v.slice(0, max);
    } else if (v !== null && typeof v === 'object') {
      cutStrings(v, max, keep);
    }
  }
}
