import type { DatagramEvent } from './server.js';

/**
 * The `--json` line for one datagram: {"ok", "verdict", "errors", "warnings", "document", "bytes"}.
 * The document is spliced in as received rather than re-serialised: JSON.stringify recurses,
 * and a 60 kB document can nest 10,000 levels deep.
 */
export function verdictLine(d: DatagramEvent): string {
  return (
    `{"ok":${d.ok},"verdict":${JSON.stringify(d.verdict)},"errors":${JSON.stringify(d.errors)},` +
    `"warnings":${JSON.stringify(d.warnings)},"document":${d.documentJson ?? 'null'},"bytes":${d.bytes}}`
  );
}

/** Nesting kept by {@link safeJson} when a value is too deep to serialise whole. */
export const MAX_JSON_DEPTH = 100;

/**
 * JSON.stringify that cannot overflow the stack: when a value is nested too deeply, whatever lies
 * deeper than MAX_JSON_DEPTH levels is replaced by a note saying so. The copy is made without
 * recursion, so its own depth is no risk either.
 */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify(depthLimited(value, MAX_JSON_DEPTH));
  }
}

function depthLimited(value: unknown, maxDepth: number): unknown {
  const root: { v: unknown } = { v: undefined };
  const stack: Array<{ from: unknown; into: Record<string, unknown> | unknown[]; key: string | number; depth: number }> = [
    { from: value, into: root as unknown as Record<string, unknown>, key: 'v', depth: 0 },
  ];
  while (stack.length > 0) {
    const { from, into, key, depth } = stack.pop()!;
    let copy: unknown = from;
    if (from !== null && typeof from === 'object') {
      if (depth >= maxDepth) {
        copy = `[nested deeper than ${maxDepth} levels: not shown]`;
      } else if (Array.isArray(from)) {
        const arr: unknown[] = new Array<unknown>(from.length);
        from.forEach((item, i) => stack.push({ from: item, into: arr, key: i, depth: depth + 1 }));
        copy = arr;
      } else {
        const obj: Record<string, unknown> = {};
        for (const k of Object.keys(from)) stack.push({ from: (from as Record<string, unknown>)[k], into: obj, key: k, depth: depth + 1 });
        copy = obj;
      }
    }
    // defineProperty: a "__proto__" key from JSON.parse must stay a plain own property.
    Object.defineProperty(into, key, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return root.v;
}
