import type { TranslatedSpan } from './translate/segment.js';

/**
 * What linking reads and writes on a span of the batch: the ids, kind of document and start time
 * translation gave it, its position in the batch (to order siblings that started together), and
 * its children in the batch, in start order (allocated only for nodes that have some).
 */
export interface Linkable<T extends Linkable<T>> extends Pick<TranslatedSpan, 'isSegment' | 'spanId' | 'parentId' | 'traceId' | 'startSeconds'> {
  readonly index: number;
  children: T[] | undefined;
}

/** Attaches each subsegment to its parent when the parent is in `nodes`; returns the roots. */
export function linkChildren<T extends Linkable<T>>(nodes: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const n of nodes) if (!byId.has(n.spanId)) byId.set(n.spanId, n);
  const roots: T[] = [];
  for (const n of nodes) {
    const parent = !n.isSegment && n.parentId !== undefined ? byId.get(n.parentId) : undefined;
    if (parent && parent !== n && parent.traceId === n.traceId) {
      (parent.children ??= []).push(n);
    } else {
      roots.push(n);
    }
  }
  // Every node has one parent at most, so what hangs from the roots is a forest: counting it needs
  // no visited set. Hostile or corrupt input can form a parent cycle, which no root reaches.
  if (countTree(roots) < nodes.length) cutCycles(nodes, roots);
  for (const n of nodes) if (n.children !== undefined && n.children.length > 1) n.children.sort(byStart);
  return roots;
}

/** `root` and everything below it. */
export function treeOf<T extends Linkable<T>>(root: T): T[] {
  const out: T[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    out.push(cur);
    if (cur.children !== undefined) for (const c of cur.children) stack.push(c);
  }
  return out;
}

function countTree<T extends Linkable<T>>(roots: readonly T[]): number {
  let count = 0;
  const stack = roots.slice();
  while (stack.length > 0) {
    const cur = stack.pop()!;
    count++;
    if (cur.children !== undefined) for (const c of cur.children) stack.push(c);
  }
  return count;
}

/** Opens every cycle no root reaches: its nodes become roots, detached from their cycle parent. */
function cutCycles<T extends Linkable<T>>(nodes: readonly T[], roots: T[]): void {
  const reached = new Set<T>();
  const mark = (n: T) => {
    const stack = [n];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (reached.has(cur)) continue;
      reached.add(cur);
      if (cur.children !== undefined) for (const c of cur.children) stack.push(c);
    }
  };
  for (const r of roots) mark(r);
  for (const n of nodes) {
    if (reached.has(n)) continue;
    for (const other of nodes) {
      const i = other.children?.indexOf(n) ?? -1;
      if (i >= 0) other.children!.splice(i, 1);
      if (other.children?.length === 0) other.children = undefined;
    }
    roots.push(n);
    mark(n);
  }
}

function byStart<T extends Linkable<T>>(a: T, b: T): number {
  return a.startSeconds - b.startSeconds || a.index - b.index;
}
