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
  /** What X-Ray will drop from the document this entity came in (it takes the rest). */
  warnings: string[] | undefined;
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
  /**
   * The missing parent looks like a Lambda function's own segment: every document is an
   * independent subsegment under one parent. Lambda sends that segment to X-Ray itself, never
   * through a daemon, so locally it never arrives; views explain this instead of flagging it.
   * (A service that streams subsegments before its segment looks the same until the segment comes.)
   */
  lambdaParent: string | undefined;
  /** Decimal places of seconds the documents' timestamps carry (3 for milliseconds, at most 6). */
  timePrecision: number;
  inProgress: number;
  fault: boolean;
  error: boolean;
  /** Documents X-Ray would reject (they are in the tree, marked). */
  rejectedCount: number;
  /** Documents X-Ray takes with parts dropped (marked in the tree with what). */
  warnedCount: number;
  /** Documents of this trace not kept because the stand-in's memory budget was spent. */
  documentsNotKept: number;
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
  /** Bytes of documents kept in all traces; beyond it the oldest traces are forgotten first (default 64 MiB). */
  maxBytes?: number;
  now?: () => number;
  onTrace?: (trace: AssembledTrace) => void;
  /** A failure while reporting on the timer; without it, such a failure would be an uncaught exception. */
  onError?: (err: unknown) => void;
}

interface TraceState {
  traceId: string;
  /** Top-level documents by id: a later version (in_progress, then final) replaces an earlier one. */
  documents: Map<string, SegmentDocument>;
  rejected: Map<string, string[]>;
  warnings: Map<string, string[]>;
  sizes: Map<string, number>;
  bytes: number;
  documentsNotKept: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  pending: boolean;
  /** Quiet long enough but incomplete: now waiting for the longer quiet time. */
  waitingLonger: boolean;
  revision: number;
  assembled: AssembledTrace | undefined;
}

/** How a document was judged, and its size, as the assembler keeps it. */
export interface DocumentVerdict {
  /** Why X-Ray would refuse it (the document is still shown, marked). */
  rejected?: readonly string[];
  /** What X-Ray will drop from it. */
  warnings?: readonly string[];
  /** Its size in bytes, counted against `maxBytes` (default: its JSON length is not measured, 0). */
  bytes?: number;
}

/** Groups documents into traces and reports each one once it has gone quiet. */
export class TraceAssembler {
  private readonly traces = new Map<string, TraceState>();
  private readonly quietMs: number;
  private readonly incompleteQuietMs: number;
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly onTrace: ((trace: AssembledTrace) => void) | undefined;
  private readonly onError: ((err: unknown) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private bytes = 0;
  /** Traces forgotten to stay within maxTraces or maxBytes. */
  droppedTraces = 0;
  /** Documents not kept because one trace alone would exceed maxBytes. */
  droppedDocuments = 0;

  constructor(options: TraceAssemblerOptions = {}) {
    this.quietMs = Math.max(0, options.quietMs ?? 1000);
    this.incompleteQuietMs = Math.max(this.quietMs, options.incompleteQuietMs ?? this.quietMs * 5);
    this.maxTraces = Math.max(1, options.maxTraces ?? 1000);
    this.maxBytes = Math.max(0, options.maxBytes ?? 64 * 1024 * 1024);
    this.now = options.now ?? Date.now;
    this.onTrace = options.onTrace;
    this.onError = options.onError;
  }

  /** Bytes of documents kept now. */
  get keptBytes(): number {
    return this.bytes;
  }

  /**
   * Adds a top-level document. A rejected one still needs string `trace_id` and `id` and a
   * numeric `start_time` (see {@link isAssemblable}).
   */
  add(doc: SegmentDocument, verdict: DocumentVerdict = {}): void {
    const t = this.now();
    let state = this.traces.get(doc.trace_id);
    if (state === undefined) {
      state = {
        traceId: doc.trace_id,
        documents: new Map(),
        rejected: new Map(),
        warnings: new Map(),
        sizes: new Map(),
        bytes: 0,
        documentsNotKept: 0,
        firstReceivedAt: t,
        lastReceivedAt: t,
        pending: true,
        waitingLonger: false,
        revision: 0,
        assembled: undefined,
      };
      this.traces.set(doc.trace_id, state);
    }
    const previous = state.documents.get(doc.id);
    // Arrival order is not send order: a late in-progress copy must not undo the finished one.
    if (!(previous !== undefined && previous.in_progress !== true && doc.in_progress === true)) {
      state.documents.set(doc.id, doc);
      setOrDelete(state.rejected, doc.id, verdict.rejected);
      setOrDelete(state.warnings, doc.id, verdict.warnings);
      const size = Math.max(0, verdict.bytes ?? 0);
      const delta = size - (state.sizes.get(doc.id) ?? 0);
      state.sizes.set(doc.id, size);
      state.bytes += delta;
      this.bytes += delta;
    }
    state.lastReceivedAt = t;
    state.pending = true;
    state.waitingLonger = false;
    state.assembled = undefined;
    this.enforceLimits(state, doc.id);
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

  /** How many traces are kept. */
  get size(): number {
    return this.traces.size;
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
    this.timer = setTimeout(() => {
      try {
        this.tick();
      } catch (err) {
        this.schedule();
        if (this.onError) this.onError(err);
        else throw err;
      }
    }, Math.max(0, next - this.now()) + 1);
    // Pending traces alone must not keep a process alive; the sockets do that for the CLI.
    this.timer.unref();
  }

  /**
   * Forgets the oldest traces (reporting pending ones first) until both limits hold. When the
   * trace just added to is alone over the byte budget, its newest document is not kept instead:
   * memory stays bounded whatever senders do, and every loss is counted.
   */
  private enforceLimits(current: TraceState, docId: string): void {
    for (const state of this.traces.values()) {
      if (this.traces.size <= this.maxTraces && this.bytes <= this.maxBytes) return;
      if (state === current) continue;
      if (state.pending) this.report(state);
      this.traces.delete(state.traceId);
      this.bytes -= state.bytes;
      this.droppedTraces++;
    }
    if (this.bytes <= this.maxBytes) return;
    const size = current.sizes.get(docId) ?? 0;
    current.documents.delete(docId);
    current.rejected.delete(docId);
    current.warnings.delete(docId);
    current.sizes.delete(docId);
    current.bytes -= size;
    this.bytes -= size;
    current.documentsNotKept++;
    this.droppedDocuments++;
    if (current.documents.size === 0) {
      this.traces.delete(current.traceId);
      this.droppedTraces++;
    }
  }

  private assemble(state: TraceState): AssembledTrace {
    if (state.assembled) return state.assembled;
    const a = assembleTrace(state.traceId, [...state.documents.values()], state.rejected, state.warnings);
    state.assembled = {
      ...a,
      documentsNotKept: state.documentsNotKept,
      firstReceivedAt: state.firstReceivedAt,
      lastReceivedAt: state.lastReceivedAt,
      revision: Math.max(1, state.revision),
    };
    return state.assembled;
  }
}

function setOrDelete(map: Map<string, string[]>, id: string, messages: readonly string[] | undefined): void {
  if (messages && messages.length > 0) map.set(id, [...messages]);
  else map.delete(id);
}

/** Builds the tree of one trace from its top-level documents (in any order). */
export function assembleTrace(
  traceId: string,
  documents: readonly SegmentDocument[],
  rejected: ReadonlyMap<string, string[]> = new Map(),
  warnings: ReadonlyMap<string, string[]> = new Map(),
): Omit<AssembledTrace, 'firstReceivedAt' | 'lastReceivedAt' | 'revision' | 'documentsNotKept'> {
  const nodes = new Map<string, TraceNode>();
  const order: TraceNode[] = [];
  let inProgress = 0;
  let fault = false;
  let error = false;
  let precision = 0;

  // Rejected documents can have any shape below the top level, so every field is checked here.
  // An explicit stack: a document may nest entities a thousand levels deep.
  const pending: Array<{ entity: EntityDocument; parentId: string | undefined; topLevel: boolean }> = [];
  for (let i = documents.length - 1; i >= 0; i--) pending.push({ entity: documents[i]!, parentId: documents[i]!.parent_id, topLevel: true });
  while (pending.length > 0) {
    const { entity, parentId, topLevel } = pending.pop()!;
    if (!isAssemblable(entity, false) || nodes.has(entity.id)) continue;
    const node: TraceNode = {
      id: entity.id,
      name: typeof entity.name === 'string' ? entity.name : '(no name)',
      kind: topLevel && entity.type !== 'subsegment' ? 'segment' : 'subsegment',
      entity,
      parentId: typeof parentId === 'string' ? parentId : undefined,
      missingParent: undefined,
      start: entity.start_time,
      end: entity.in_progress === true || typeof entity.end_time !== 'number' || !Number.isFinite(entity.end_time) ? undefined : entity.end_time,
      rejected: topLevel ? rejected.get(entity.id) : undefined,
      warnings: topLevel ? warnings.get(entity.id) : undefined,
      children: [],
    };
    nodes.set(entity.id, node);
    order.push(node);
    precision = Math.max(precision, decimalsOf(node.start), node.end === undefined ? 0 : decimalsOf(node.end));
    if (entity.in_progress === true) inProgress++;
    fault ||= entity.fault === true;
    error ||= entity.error === true || entity.throttle === true;
    if (Array.isArray(entity.subsegments)) {
      for (let i = entity.subsegments.length - 1; i >= 0; i--) pending.push({ entity: entity.subsegments[i]!, parentId: entity.id, topLevel: false });
    }
  }

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
  const mark = (from: TraceNode) => {
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      stack.push(...n.children);
    }
  };
  roots.forEach(mark);
  for (const node of order) {
    if (reached.has(node)) continue;
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    roots.push(node);
    mark(node);
  }

  // Siblings that start in the same millisecond keep document order (the sort is stable):
  // many SDKs write millisecond times, and their order says more than a name would.
  const byStart = (a: TraceNode, b: TraceNode) => Math.round(a.start * 1000) - Math.round(b.start * 1000);
  for (const node of order) node.children.sort(byStart);
  roots.sort((a, b) => Number(a.missingParent !== undefined) - Number(b.missingParent !== undefined) || byStart(a, b));

  let start = Infinity;
  let end: number | undefined;
  for (const n of order) {
    start = Math.min(start, n.start);
    if (n.end !== undefined) end = Math.max(end ?? -Infinity, n.end);
  }
  if (start === Infinity) start = 0;
  const lambdaParent = lambdaFacadeParent(order, missing);
  return {
    traceId,
    roots,
    documents: [...documents],
    start,
    end,
    durationMs: end === undefined ? undefined : Math.max(0, (end - start) * 1000),
    entityCount: order.length,
    missingParents: [...missing],
    lambdaParent,
    timePrecision: precision,
    inProgress,
    fault,
    error,
    rejectedCount: [...rejected.keys()].filter((id) => nodes.has(id)).length,
    warnedCount: [...warnings.keys()].filter((id) => nodes.has(id)).length,
    complete: missing.size === 0 && inProgress === 0,
  };
}

/**
 * In Lambda, the function's segment is written by Lambda itself; SDKs only send subsegments
 * under it (the "facade" segment). A trace of nothing but independent subsegments that share one
 * missing parent is that shape.
 */
function lambdaFacadeParent(order: readonly TraceNode[], missing: ReadonlySet<string>): string | undefined {
  if (missing.size !== 1) return undefined;
  const [parent] = missing;
  for (const n of order) {
    if (n.kind === 'segment') return undefined;
  }
  return parent;
}

/** Decimal places of a time in seconds, to the microsecond (epoch doubles hold no more). */
function decimalsOf(seconds: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = seconds * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 5e-7 * 10 ** d) return d;
  }
  return 6;
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
