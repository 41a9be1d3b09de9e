import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EntityDocument, SegmentDocument } from './document.js';
import type { ResolvedTranslateOptions } from './translate/context.js';
import { isSampled, translateSpan, type TranslatedSpan } from './translate/segment.js';
import { currentLambdaEnvironment, type LambdaEnvironment } from '../common/lambda-env.js';
import { shrinkToFit } from './shrink.js';
import { leastBytes, leastShrunkBytes } from './size-bounds.js';
import { DAEMON_HEADER_BYTES } from '../transport/header.js';

/** A document ready to send: its JSON, serialized exactly once, and (when asked for) the object. */
export interface AssembledDocument {
  /** Only with `{ objects: true }`: the exporter needs the JSON alone. */
  readonly doc: SegmentDocument | undefined;
  readonly json: string;
  /** UTF-8 bytes of `json` (the datagram is the header plus this). */
  readonly bytes: number;
}

export interface AssembleResult {
  readonly documents: AssembledDocument[];
  /** Spans skipped because they were not sampled. */
  readonly unsampled: number;
  /** Spans dropped (with a warning): ids X-Ray refuses, or too large even when shrunk. */
  readonly dropped: number;
}

// The longest head an independent document can get; every body is sized so that it still fits.
const MAX_HEAD_BYTES = Buffer.byteLength(
  '"type":"subsegment","trace_id":"1-00000000-000000000000000000000000","parent_id":"0000000000000000",',
);
const SUBSEGMENTS_OPEN = ',"subsegments":[';
const SUBSEGMENTS_OVERHEAD = Buffer.byteLength(SUBSEGMENTS_OPEN) + Buffer.byteLength(']');

/** One span in the batch: translated, serialized, and (once composed) with its children embedded. */
class Node {
  /** Children in the batch, in start order; allocated only for nodes that have some. */
  children: Node[] | undefined = undefined;
  readonly isSegment: boolean;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly traceId: string;
  readonly startSeconds: number;

  constructor(
    t: TranslatedSpan,
    /**
     * The document object, kept only for the `objects` path: without it, a batch holds on to
     * nothing but text, and the objects translation built die young.
     */
    public body: EntityDocument | undefined,
    /** The body's JSON and its UTF-8 size. */
    public json: string,
    public bytes: number,
    readonly index: number,
  ) {
    this.isSegment = t.isSegment;
    this.spanId = t.spanId;
    this.parentId = t.parentId;
    this.traceId = t.traceId;
    this.startSeconds = t.startSeconds;
  }
}

/**
 * Spans → the documents to send: translate each span once, serialize each body once, then
 * embed children in their parents (within the size limit) by joining strings, not re-serializing.
 */
export function assembleDocuments(
  spans: readonly ReadableSpan[],
  options: ResolvedTranslateOptions,
  { objects = false }: { objects?: boolean } = {},
): AssembleResult {
  const maxBody = options.maxDatagramBytes - DAEMON_HEADER_BYTES - MAX_HEAD_BYTES;
  const lambda = currentLambdaEnvironment();
  const nodes: Node[] = [];
  let unsampled = 0;
  let dropped = 0;

  for (const span of spans) {
    if (!isSampled(span)) {
      unsampled++;
      continue;
    }
    let prepared: Node | string;
    try {
      prepared = prepare(span, options, lambda, maxBody, nodes.length, objects);
    } catch (err) {
      // A translator bug (or a value JSON cannot serialize) must cost one span, not the batch.
      prepared = `span "${String(span?.name)}" could not be translated: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (typeof prepared === 'string') {
      dropped++;
      options.warnings.warn('untranslatable', `X-Ray exporter dropped a span: ${prepared}`);
      continue;
    }
    nodes.push(prepared);
  }

  const roots = options.nest ? linkChildren(nodes) : nodes;
  const documents: AssembledDocument[] = [];
  for (const root of roots) {
    if (root.children !== undefined) compose(root, maxBody, objects, documents);
    documents.push(independent(root, root.parentId, !root.isSegment, objects));
  }
  return { documents, unsampled, dropped };
}

/**
 * Attributes and events above which a span may well be too large for a datagram: its size is
 * then bounded before it is serialized.
 */
const MANY_VALUES = 500;

/** One span translated and serialized, shrunk if it would not fit a datagram on its own. */
function prepare(
  span: ReadableSpan,
  options: ResolvedTranslateOptions,
  lambda: LambdaEnvironment | undefined,
  maxBody: number,
  index: number,
  objects: boolean,
): Node | string {
  const t = translateSpan(span, options, lambda);
  if (typeof t === 'string') return t;
  const least = t.valueCount > MANY_VALUES ? leastBytes(t.body) : 0;
  let size: string;
  if (least > maxBody) {
    // Too large for certain, maybe beyond saving: found out without writing megabytes of JSON.
    const leastShrunk = leastShrunkBytes(t.body);
    if (leastShrunk > maxBody) {
      return `span "${t.body.name}" (at least ${least} bytes) cannot be shrunk below ${maxBody} bytes: its metadata keys and shortest values alone take ${leastShrunk}`;
    }
    size = `at least ${least}`;
  } else {
    const json = JSON.stringify(t.body);
    // Text longer than the limit is too large whatever its encoding: a huge text is not measured
    // (that would copy it whole first), and its length says "at least".
    const bytes = json.length <= maxBody ? Buffer.byteLength(json) : undefined;
    if (bytes !== undefined && bytes <= maxBody) return new Node(t, objects ? t.body : undefined, json, bytes, index);
    size = bytes === undefined ? `at least ${json.length}` : String(bytes);
  }
  const shrunk = shrinkToFit(t.body, maxBody);
  if (!shrunk) return `span "${t.body.name}" (${size} bytes) cannot be shrunk below ${maxBody} bytes`;
  options.warnings.warn('shrunk', `X-Ray exporter shrank span "${t.body.name}" from ${size} to ${shrunk.bytes} bytes to fit one datagram`);
  return new Node(t, objects ? shrunk.doc : undefined, shrunk.json, shrunk.bytes, index);
}

/** Attaches each subsegment to its parent when the parent is in the batch; returns the roots. */
function linkChildren(nodes: Node[]): Node[] {
  const byId = new Map<string, Node>();
  for (const n of nodes) if (!byId.has(n.spanId)) byId.set(n.spanId, n);
  const roots: Node[] = [];
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

function countTree(roots: readonly Node[]): number {
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
function cutCycles(nodes: readonly Node[], roots: Node[]): void {
  const reached = new Set<Node>();
  const mark = (n: Node) => {
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
    }
    roots.push(n);
    mark(n);
  }
}

function byStart(a: Node, b: Node): number {
  return a.startSeconds - b.startSeconds || a.index - b.index;
}

/**
 * Embeds the node's children (first fit, in start order) while the result stays within `maxBody`,
 * updating the node's text, size and (with `objects`) document; a child subtree that does not
 * fit is pushed to `out` as an independent subsegment.
 */
function compose(node: Node, maxBody: number, objects: boolean, out: AssembledDocument[]): void {
  let embedded = '';
  let objs: EntityDocument[] | undefined;
  let bytes = node.bytes + SUBSEGMENTS_OVERHEAD;
  for (const child of node.children!) {
    if (child.children !== undefined) compose(child, maxBody, objects, out);
    const add = child.bytes + (embedded === '' ? 0 : 1);
    if (bytes + add <= maxBody) {
      embedded += embedded === '' ? child.json : ',' + child.json;
      if (objects) (objs ??= []).push(child.body!);
      bytes += add;
    } else {
      out.push(independent(child, node.spanId, true, objects));
    }
  }
  if (embedded === '') return;
  node.json = node.json.slice(0, -1) + SUBSEGMENTS_OPEN + embedded + ']}';
  node.bytes = bytes;
  // The body is this batch's own object, so it takes its subsegments in place (last, as in the JSON).
  if (objects) node.body!.subsegments = objs;
}

/** Prefixes the head an independent document needs; ids are validated hex, so no escaping. */
function independent(node: Node, parentId: string | undefined, asSubsegment: boolean, objects: boolean): AssembledDocument {
  const traceId = node.traceId;
  let head = asSubsegment ? `"type":"subsegment","trace_id":"${traceId}"` : `"trace_id":"${traceId}"`;
  if (parentId !== undefined) head += `,"parent_id":"${parentId}"`;
  head += ',';
  let doc: SegmentDocument | undefined;
  if (objects) {
    // Same key order as the JSON, so JSON.stringify(doc) === json.
    const top: Partial<SegmentDocument> = asSubsegment ? { type: 'subsegment', trace_id: traceId } : { trace_id: traceId };
    if (parentId !== undefined) top.parent_id = parentId;
    doc = Object.assign(top, node.body) as SegmentDocument;
  }
  // The head is ASCII, so its length is its byte count.
  return { doc, json: '{' + head + node.json.slice(1), bytes: head.length + node.bytes };
}
