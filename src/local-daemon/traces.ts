import type { EntityDocument, SegmentDocument } from '../exporter/document.js';

/** One segment or subsegment, placed in its trace's tree. */
export interface TraceNode {
  id: string;
  name: string;
  kind: 'segment' | 'subsegment';
  /** The entity as received; its own `subsegments` are also in `children`. */
  entity: EntityDocument;
  /** Where it hangs: the enclosing entity (embedded) or `parent_id` (a separate document). */
  parentId: string | undefined;
  /** Set on a root whose `parent_id` names an entity that never arrived. */
  missingParent: string | undefined;
  start: number;
  end: number | undefined;
  /** Why X-Ray would reject the document this entity came in; shown so the gap in the trace is explained. */
  rejected: string[] | undefined;
  children: TraceNode[];
}

export interface AssembledTrace {
  traceId: string;
  roots: TraceNode[];
  /** The latest version of each top-level document, in arrival order. */
  documents: SegmentDocument[];
  /** Epoch seconds. */
  start: number;
  end: number | undefined;
  durationMs: number | undefined;
  entityCount: number;
  /** Parent ids that documents reference but nobody sent. */
  missingParents: string[];
  inProgress: number;
  fault: boolean;
  error: boolean;
  /** Documents X-Ray would reject (they are in the tree, marked). */
  rejectedCount: number;
  /** No missing parents and nothing in progress. */
  complete: boolean;
  /** Epoch ms of the first and last document received. */
  firstReceivedAt: number;
  lastReceivedAt: number;
  /** 1 when first reported; higher when late documents arrived after that. */
  revision: number;
}

export interface TraceAssemblerOptions {
  /** A complete trace is reported after this long without new documents (default 1000 ms). */
  quietMs?: number;
  /** An incomplete one (a parent missing, something in progress) waits this long instead (default 5 × quietMs). */
  incompleteQuietMs?: number;
  /** Traces kept for listing; the oldest are forgotten first (default 1000). */
  maxTraces?: number;
  now?: () => number;
  onTrace?: (trace: AssembledTrace) => void;
}

interface TraceState {
  traceId: string;
  /** Top-level documents by id: a later version (in_progress, then final) replaces an earlier one. */
  documents: Map<string, SegmentDocument>;
  rejected: Map<string, string[]>;
  firstReceivedAt: number;
  lastReceivedAt: number;
  pending: boolean;
  /** Quiet long enough but incomplete: now waiting for the longer quiet time. */
  waitingLonger: boolean;
  revision: number;
  assembled: AssembledTrace | undefined;
}

/** Groups documents into traces and reports each one once it has gone quiet. */
export class TraceAssembler {
  private readonly traces = new Map<string, TraceState>();
  private readonly quietMs: number;
  private readonly incompleteQuietMs: number;
  private readonly maxTraces: number;
  private readonly now: () => number;
  private readonly onTrace: ((trace: AssembledTrace) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: TraceAssemblerOptions = {}) {
    this.quietMs = Math.max(0, options.quietMs ?? 1000);
    this.incompleteQuietMs = Math.max(this.quietMs, options.incompleteQuietMs ?? this.quietMs * 5);
    this.maxTraces = Math.max(1, options.maxTraces ?? 1000);
    this.now = options.now ?? Date.now;
    this.onTrace = options.onTrace;
  }

  /**
   * Adds a top-level document. `rejected` carries the reasons when X-Ray would refuse it; such a
   * document still needs string `trace_id` and `id` and a numeric `start_time` (see {@link isAssemblable}).
   */
  add(doc: SegmentDocument, rejected?: string[]): void {
    const t = this.now();
    let state = this.traces.get(doc.trace_id);
    if (state === undefined) {
      state = {
        traceId: doc.trace_id,
        documents: new Map(),
        rejected: new Map(),
        firstReceivedAt: t,
        lastReceivedAt: t,
        pending: true,
        waitingLonger: false,
        revision: 0,
        assembled: undefined,
      };
      this.traces.set(doc.trace_id, state);
      this.forgetOldest();
    }
    const previous = state.documents.get(doc.id);
    // Arrival order is not send order: a late in-progress copy must not undo the finished one.
    if (!(previous !== undefined && previous.in_progress !== true && doc.in_progress === true)) {
      state.documents.set(doc.id, doc);
      if (rejected && rejected.length > 0) state.rejected.set(doc.id, rejected);
      else state.rejected.delete(doc.id);
    }
    state.lastReceivedAt = t;
    state.pending = true;
    state.waitingLonger = false;
    state.assembled = undefined;
    this.schedule();
  }

  /** Reports every trace still waiting for quiet, now (shutdown, or an in-process caller that knows it is done). */
  flush(): AssembledTrace[] {
    const out: AssembledTrace[] = [];
    for (const state of this.traces.values()) {
      if (state.pending) out.push(this.report(state));
    }
    return out;
  }

  /** Every known trace, the most recently started first. */
  list(): AssembledTrace[] {
    return [...this.traces.values()].map((s) => this.assemble(s)).sort((a, b) => b.firstReceivedAt - a.firstReceivedAt || b.start - a.start);
  }

  get(traceId: string): AssembledTrace | undefined {
    const state = this.traces.get(traceId);
    return state && this.assemble(state);
  }

  /** Whether any trace is still waiting to be reported. */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.traces.values()) if (s.pending) n++;
    return n;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reports the traces whose quiet time has passed; the timer calls it, tests may too. */
  tick(): void {
    const t = this.now();
    for (const state of this.traces.values()) {
      if (!state.pending) continue;
      const quiet = t - state.lastReceivedAt;
      if (quiet < this.quietMs) continue;
      if (quiet >= this.incompleteQuietMs || this.assemble(state).complete) this.report(state);
      else state.waitingLonger = true;
    }
    this.schedule();
  }

  private report(state: TraceState): AssembledTrace {
    state.pending = false;
    state.revision += 1;
    state.assembled = undefined;
    const trace = this.assemble(state);
    this.onTrace?.(trace);
    return trace;
  }

  private schedule(): void {
    if (this.closed) return;
    let next = Infinity;
    for (const state of this.traces.values()) {
      if (!state.pending) continue;
      const wait = state.waitingLonger ? this.incompleteQuietMs : this.quietMs;
      next = Math.min(next, state.lastReceivedAt + wait);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - this.now()) + 1);
    // Pending traces alone must not keep a process alive; the sockets do that for the CLI.
    this.timer.unref();
  }

  private forgetOldest(): void {
    while (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next();
      if (oldest.done) return;
      const state = this.traces.get(oldest.value);
      if (state?.pending) this.report(state);
      this.traces.delete(oldest.value);
    }
  }

  private assemble(state: TraceState): AssembledTrace {
    if (state.assembled) return state.assembled;
    const a = assembleTrace(state.traceId, [...state.documents.values()], state.rejected);
    state.assembled = {
      ...a,
      firstReceivedAt: state.firstReceivedAt,
      lastReceivedAt: state.lastReceivedAt,
      revision: Math.max(1, state.revision),
    };
    return state.assembled;
  }
}

/** Builds the tree of one trace from its top-level documents (in any order). */
export function assembleTrace(
  traceId: string,
  documents: readonly SegmentDocument[],
  rejected: ReadonlyMap<string, string[]> = new Map(),
): Omit<AssembledTrace, 'firstReceivedAt' | 'lastReceivedAt' | 'revision'> {
  const nodes = new Map<string, TraceNode>();
  const order: TraceNode[] = [];
  let inProgress = 0;
  let fault = false;
  let error = false;

  // Rejected documents can have any shape below the top level, so every field is checked here.
  const visit = (entity: EntityDocument, parentId: string | undefined, topLevel: boolean) => {
    if (!isAssemblable(entity, false) || nodes.has(entity.id)) return;
    const node: TraceNode = {
      id: entity.id,
      name: typeof entity.name === 'string' ? entity.name : '(no name)',
      kind: topLevel && entity.type !== 'subsegment' ? 'segment' : 'subsegment',
      entity,
      parentId: typeof parentId === 'string' ? parentId : undefined,
      missingParent: undefined,
      start: entity.start_time,
      end: entity.in_progress === true || typeof entity.end_time !== 'number' ? undefined : entity.end_time,
      rejected: topLevel ? rejected.get(entity.id) : undefined,
      children: [],
    };
    nodes.set(entity.id, node);
    order.push(node);
    if (entity.in_progress === true) inProgress++;
    fault ||= entity.fault === true;
    error ||= entity.error === true || entity.throttle === true;
    if (Array.isArray(entity.subsegments)) for (const child of entity.subsegments) visit(child, entity.id, false);
  };
  for (const doc of documents) visit(doc, doc.parent_id, true);

  const roots: TraceNode[] = [];
  const missing = new Set<string>();
  for (const node of order) {
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) {
      parent.children.push(node);
    } else {
      if (node.parentId !== undefined) {
        node.missingParent = node.parentId;
        missing.add(node.parentId);
      }
      roots.push(node);
    }
  }
  // Parent links that loop never reach a root; show those entities rather than lose them.
  const reached = new Set<TraceNode>();
  const mark = (n: TraceNode) => {
    if (reached.has(n)) return;
    reached.add(n);
    n.children.forEach(mark);
  };
  roots.forEach(mark);
  for (const node of order) {
    if (reached.has(node)) continue;
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    roots.push(node);
    mark(node);
  }

  const byStart = (a: TraceNode, b: TraceNode) => a.start - b.start || a.name.localeCompare(b.name);
  for (const node of order) node.children.sort(byStart);
  roots.sort((a, b) => Number(a.missingParent !== undefined) - Number(b.missingParent !== undefined) || byStart(a, b));

  let start = Infinity;
  let end: number | undefined;
  for (const n of order) {
    start = Math.min(start, n.start);
    if (n.end !== undefined) end = Math.max(end ?? -Infinity, n.end);
  }
  if (start === Infinity) start = 0;
  return {
    traceId,
    roots,
    documents: [...documents],
    start,
    end,
    durationMs: end === undefined ? undefined : Math.max(0, (end - start) * 1000),
    entityCount: order.length,
    missingParents: [...missing],
    inProgress,
    fault,
    error,
    rejectedCount: [...rejected.keys()].filter((id) => nodes.has(id)).length,
    complete: missing.size === 0 && inProgress === 0,
  };
}

/** Whether a (possibly invalid) document has enough to be placed in a trace. */
export function isAssemblable(doc: unknown, topLevel = true): doc is SegmentDocument {
  if (doc === null || typeof doc !== 'object') return false;
  const d = doc as Record<string, unknown>;
  return (
    typeof d.id === 'string' &&
    d.id !== '' &&
    typeof d.start_time === 'number' &&
    Number.isFinite(d.start_time) &&
    (!topLevel || (typeof d.trace_id === 'string' && d.trace_id !== ''))
  );
}
