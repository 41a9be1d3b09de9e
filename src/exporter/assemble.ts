import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EntityDocument, SegmentDocument } from './document.js';
import type { ResolvedTranslateOptions } from './translate/context.js';
import { isSampled, translateSpan, type TranslatedSpan } from './translate/segment.js';
import { currentLambdaEnvironment } from '../common/lambda-env.js';
import { linkChildren, treeOf, type Linkable } from './link.js';
import { shrinkToFit } from './shrink.js';
import { stringifyBody } from './serialize-body.js';
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
/**
 * Attributes and events above which a span may well be too large for a datagram: its size is
 * then bounded before it is serialized.
 */
const MANY_VALUES = 500;
/** Attributes and events above which a span's document is written as soon as it is translated. */
const LARGE_VALUES = 64;
/** Trees up to this many spans are first tried as one document written by one JSON.stringify call. */
const MAX_WHOLE_TREE = 64;

/**
 * One span in the batch: translated, then serialized, and (once composed) with its children
 * embedded. It copies what it needs of the translation rather than holding it, so that a body
 * serialized early (a large one) is garbage at once.
 */
class Node implements Linkable<Node> {
  children: Node[] | undefined = undefined;
  readonly isSegment: boolean;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly traceId: string;
  readonly startSeconds: number;
  readonly valueCount: number;
  /** The document object: until the span is serialized, and after that only for the `objects` path. */
  body: EntityDocument | undefined;
  /** Whether `json` and `bytes` are written (or the span dropped in trying). */
  serialized = false;
  /** The body's JSON and its UTF-8 size, once serialized. */
  json = '';
  bytes = 0;

  constructor(
    t: TranslatedSpan,
    readonly index: number,
  ) {
    this.body = t.body;
    this.isSegment = t.isSegment;
    this.spanId = t.spanId;
    this.parentId = t.parentId;
    this.traceId = t.traceId;
    this.startSeconds = t.startSeconds;
    this.valueCount = t.valueCount;
  }
}

/**
 * Spans → the documents to send: translate each span once; with `nest`, a trace's spans go in one
 * document, written by one JSON.stringify call when it fits a datagram (the common case: the
 * fixed cost of each call is a large part of a small document's); otherwise each body is
 * serialized once (shrunk if need be) and children are embedded in their parents, within the
 * size limit, by joining text, not by serializing again.
 */
export function assembleDocuments(
  spans: readonly ReadableSpan[],
  options: ResolvedTranslateOptions,
  { objects = false }: { objects?: boolean } = {},
): AssembleResult {
  const assembler = new Assembler(options, objects);
  const lambda = currentLambdaEnvironment();
  const nodes: Node[] = [];
  let unsampled = 0;

  for (const span of spans) {
    if (!isSampled(span)) {
      unsampled++;
      continue;
    }
    let t: TranslatedSpan | string;
    try {
      t = translateSpan(span, options, lambda);
    } catch (err) {
      // A translator bug must cost one span, not the batch.
      t = untranslatable(span.name, err);
    }
    if (typeof t === 'string') {
      assembler.drop(t);
      continue;
    }
    const node = new Node(t, nodes.length);
    if (!options.nest) {
      assembler.alone(node);
    } else if (isLarge(t)) {
      // A large document (an exception with its stack, many attributes) is written at once: holding
      // its objects until the batch is assembled costs more in garbage collection than one call saves.
      if (assembler.serialize(node)) nodes.push(node);
    } else {
      nodes.push(node);
    }
  }

  if (options.nest) for (const root of linkChildren(nodes)) assembler.tree(root);
  return { documents: assembler.documents, unsampled, dropped: assembler.dropped };
}

function isLarge(t: TranslatedSpan): boolean {
  return t.body.cause !== undefined || t.valueCount > LARGE_VALUES;
}

function untranslatable(name: unknown, err: unknown): string {
  return `span "${String(name)}" could not be translated: ${err instanceof Error ? err.message : String(err)}`;
}

class Assembler {
  readonly documents: AssembledDocument[] = [];
  dropped = 0;
  private readonly maxBody: number;

  constructor(
    private readonly options: ResolvedTranslateOptions,
    private readonly objects: boolean,
  ) {
    this.maxBody = options.maxDatagramBytes - DAEMON_HEADER_BYTES - MAX_HEAD_BYTES;
  }

  drop(reason: string): void {
    this.dropped++;
    this.options.warnings.warn('untranslatable', `X-Ray exporter dropped a span: ${reason}`);
  }

  /** A span sent on its own. */
  alone(node: Node): void {
    if (node.serialized || this.serialize(node)) this.documents.push(independent(node, node.parentId, !node.isSegment, this.objects));
  }

  /** A root and what hangs from it: one document when it fits, else as many as the size limit needs. */
  tree(root: Node): void {
    if (root.children === undefined) return this.alone(root);
    const members = treeOf(root);
    if (this.whole(root, members)) return;
    // Span by span: every body serialized (and shrunk) on its own, children embedded while they fit.
    members.sort((a, b) => a.index - b.index);
    const kept = members.filter((n) => n.serialized || this.serialize(n));
    let roots = [root];
    if (kept.length < members.length) {
      // A dropped span's children go on their own, as when their parent is not in the batch.
      for (const n of kept) n.children = undefined;
      roots = linkChildren(kept);
    }
    for (const r of roots) {
      if (r.children !== undefined) compose(r, this.maxBody, this.objects, this.documents);
      this.documents.push(independent(r, r.parentId, !r.isSegment, this.objects));
    }
  }

  /**
   * The whole tree as one document, written by one JSON.stringify call, when none of its spans was
   * written already (large ones are) and the result fits: then it is exactly the text that joining
   * the spans' own JSON would give, since every child fits.
   */
  private whole(root: Node, members: readonly Node[]): boolean {
    if (members.length > MAX_WHOLE_TREE || members.some((n) => n.serialized)) return false;
    for (const n of members) if (n.children !== undefined) n.body!.subsegments = n.children.map((c) => c.body!);
    const head = headText(root, root.parentId, !root.isSegment).length;
    const doc = withHead(root, root.parentId, !root.isSegment);
    let json: string | undefined;
    try {
      json = JSON.stringify(doc);
    } catch {
      // One span cannot be serialized: span by span, it alone is dropped.
    }
    // Text longer than the limit is too large whatever its encoding, and is not measured.
    const bytes = json !== undefined && json.length - head <= this.maxBody ? Buffer.byteLength(json) : Infinity;
    if (json === undefined || bytes - head > this.maxBody) {
      for (const n of members) if (n.children !== undefined) delete n.body!.subsegments;
      return false;
    }
    this.documents.push({ doc: this.objects ? doc : undefined, json, bytes });
    if (!this.objects) for (const n of members) n.body = undefined;
    return true;
  }

  /**
   * Writes the node's JSON, shrinking its body if it would not fit a datagram on its own; false
   * (with a warning) when the span is dropped instead.
   */
  serialize(node: Node): boolean {
    const body = node.body!;
    // Also when the span is dropped: a dropped span leaves the batch.
    node.serialized = true;
    let reason: string | undefined;
    try {
      reason = this.trySerialize(node, body);
    } catch (err) {
      // A value JSON cannot serialize must cost one span, not the batch.
      reason = untranslatable(body.name, err);
    }
    if (reason !== undefined) {
      this.drop(reason);
      return false;
    }
    if (!this.objects) node.body = undefined;
    return true;
  }

  private trySerialize(node: Node, body: EntityDocument): string | undefined {
    const maxBody = this.maxBody;
    const least = node.valueCount > MANY_VALUES ? leastBytes(body, maxBody) : 0;
    let size: string;
    if (least > maxBody) {
      // Too large for certain, maybe beyond saving: found out without writing megabytes of JSON.
      const leastShrunk = leastShrunkBytes(body, maxBody);
      if (leastShrunk > maxBody) {
        return `span "${body.name}" cannot be shrunk below ${maxBody} bytes: its metadata keys and their shortest values alone take more`;
      }
      size = `over ${maxBody}`;
    } else {
      const json = stringifyBody(body);
      // Text longer than the limit is too large whatever its encoding: a huge text is not measured
      // (that would copy it whole first), and its length says "at least".
      const bytes = json.length <= maxBody ? Buffer.byteLength(json) : undefined;
      if (bytes !== undefined && bytes <= maxBody) {
        node.json = json;
        node.bytes = bytes;
        return undefined;
      }
      size = bytes === undefined ? `at least ${json.length}` : String(bytes);
    }
    const shrunk = shrinkToFit(body, maxBody);
    if (!shrunk) return `span "${body.name}" (${size} bytes) cannot be shrunk below ${maxBody} bytes`;
    this.options.warnings.warn('shrunk', `X-Ray exporter shrank span "${body.name}" from ${size} to ${shrunk.bytes} bytes to fit one datagram`);
    node.body = shrunk.doc;
    node.json = shrunk.json;
    node.bytes = shrunk.bytes;
    return undefined;
  }
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

/**
 * The head an independent document needs (`type`, `trace_id`, `parent_id`) as JSON text. Ids are
 * validated hex, so nothing needs escaping and the text's length is its byte count.
 */
function headText(node: Node, parentId: string | undefined, asSubsegment: boolean): string {
  const traceId = node.traceId;
  let text = asSubsegment ? `"type":"subsegment","trace_id":"${traceId}"` : `"trace_id":"${traceId}"`;
  if (parentId !== undefined) text += `,"parent_id":"${parentId}"`;
  return text + ',';
}

/** The node's document object with the head first: the same key order as `headText` and the body's JSON. */
function withHead(node: Node, parentId: string | undefined, asSubsegment: boolean): SegmentDocument {
  const top: Partial<SegmentDocument> = asSubsegment ? { type: 'subsegment', trace_id: node.traceId } : { trace_id: node.traceId };
  if (parentId !== undefined) top.parent_id = parentId;
  return Object.assign(top, node.body) as SegmentDocument;
}

/** A serialized node as an independent document: its head, then its JSON. */
function independent(node: Node, parentId: string | undefined, asSubsegment: boolean, objects: boolean): AssembledDocument {
  const head = headText(node, parentId, asSubsegment);
  return { doc: objects ? withHead(node, parentId, asSubsegment) : undefined, json: '{' + head + node.json.slice(1), bytes: head.length + node.bytes };
}
