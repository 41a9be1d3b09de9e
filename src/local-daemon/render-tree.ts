import type { CauseBlock, EntityDocument } from '../exporter/document.js';
import type { AssembledTrace, TraceNode } from './traces.js';

export interface RenderOptions {
  color?: boolean;
}

/** Colour only for a terminal, and never when the user asked for none (https://no-color.org). */
export function shouldColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

type Paint = (s: string) => string;
export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  green: Paint;
  magenta: Paint;
}

const sgr = (open: number, close: number): Paint => (s) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLORS: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  green: sgr(32, 39),
  magenta: sgr(35, 39),
};
const plain: Paint = (s) => s;
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain, green: plain, magenta: plain };

/** The terminal colours, or none. */
export function palette(color: boolean): Palette {
  return color ? COLORS : PLAIN;
}

/** Deeper entities are summarised in one line: a tree 1,000 levels deep would print megabytes of indentation. */
export const MAX_TREE_DEPTH = 40;

/**
 * Document strings are untrusted: an escape sequence in a span name or error message could
 * rewrite the user's terminal. Control characters are shown escaped instead.
 */
export function safeText(s: unknown, max = 200): string {
  const text = typeof s === 'string' ? s : JSON.stringify(s) ?? String(s);
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/**
 * A duration for people. `precision` is how many decimals of seconds the timestamps carry
 * (3 for milliseconds): no more digits are shown than the times hold.
 */
export function formatDuration(ms: number | undefined, precision = 6): string {
  if (ms === undefined) return 'in progress';
  const msDecimals = Math.max(0, precision - 3);
  if (ms < 0.995 && msDecimals > 0) return `${ms.toFixed(Math.min(2, msDecimals))} ms`;
  if (ms < 999.5) return `${ms.toFixed(Math.min(1, msDecimals))} ms`;
  return `${(ms / 1000).toFixed(Math.min(2, precision))} s`;
}

/** "1 entity", "3 entities", "1,200 datagrams". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The trace as an indented tree, one entity per line, details underneath. Ends with a newline. */
export function renderTrace(trace: AssembledTrace, options: RenderOptions = {}): string {
  const c = palette(options.color === true);
  const lines: string[] = [];
  const docs = trace.documents.length;
  const headline = [
    c.bold(`trace ${safeText(trace.traceId, 60)}`),
    plural(docs, 'document'),
    plural(trace.entityCount, 'entity', 'entities'),
    formatDuration(trace.durationMs, trace.timePrecision),
  ];
  if (trace.revision > 1) headline.push(c.yellow(`updated (${trace.revision})`));
  if (trace.rejectedCount > 0) headline.push(c.red(`${trace.rejectedCount} rejected`));
  if (trace.warnedCount > 0) headline.push(c.yellow(`${trace.warnedCount} accepted with loss`));
  if (trace.documentsNotKept > 0) headline.push(c.yellow(`${plural(trace.documentsNotKept, 'document')} not kept (memory cap)`));
  if (trace.fault) headline.push(c.red('fault'));
  else if (trace.error) headline.push(c.yellow('error'));
  lines.push(headline.join(c.dim(' · ')));
  if (trace.lambdaParent !== undefined) {
    lines.push(c.dim(`  parent ${safeText(trace.lambdaParent, 40)} is not here: in AWS Lambda it is the function's own segment, which Lambda sends to X-Ray itself`));
  } else if (trace.missingParents.length > 0) {
    lines.push(c.yellow(`  parents never received: ${trace.missingParents.map((p) => safeText(p, 40)).join(', ')}`));
  }

  // An explicit stack: entities can nest a thousand levels deep.
  const stack: Array<{ node: TraceNode; prefix: string; isLast: boolean; depth: number }> = [];
  for (let i = trace.roots.length - 1; i >= 0; i--) stack.push({ node: trace.roots[i]!, prefix: '', isLast: true, depth: 0 });
  while (stack.length > 0) {
    const { node, prefix, isLast, depth } = stack.pop()!;
    const branch = depth === 0 ? '' : isLast ? '└─ ' : '├─ ';
    if (depth > MAX_TREE_DEPTH) {
      const hidden = countBelow(node);
      lines.push(prefix + branch + c.dim(`… ${plural(hidden, 'more entity', 'more entities')} nested deeper than ${MAX_TREE_DEPTH} levels (the web page and --json show them all)`));
      continue;
    }
    lines.push(prefix + branch + nodeLine(node, trace, c));
    const childPrefix = depth === 0 ? prefix : prefix + (isLast ? '   ' : '│  ');
    const detailPrefix = childPrefix + (node.children.length > 0 ? '│  ' : '   ');
    for (const d of details(node, trace, c)) lines.push(detailPrefix + d);
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i]!, prefix: childPrefix, isLast: i === node.children.length - 1, depth: depth + 1 });
    }
  }
  return lines.join('\n') + '\n';
}

function nodeLine(node: TraceNode, trace: AssembledTrace, c: Palette): string {
  const e = node.entity;
  const parts: string[] = [];
  parts.push(node.kind === 'segment' ? c.bold(c.cyan(safeText(node.name))) : safeText(node.name));
  if (node.kind === 'segment') parts.push(c.dim(e.origin ? `segment ${safeText(e.origin)}` : 'segment'));
  else if (e.namespace) parts.push(c.dim(safeText(e.namespace, 20)));
  const ms = node.end === undefined ? undefined : Math.max(0, (node.end - node.start) * 1000);
  parts.push(node.end === undefined ? c.cyan('in progress') : formatDuration(ms, trace.timePrecision));
  const offset = (node.start - trace.start) * 1000;
  const shownOffset = formatDuration(offset, trace.timePrecision);
  if (offset > 0 && /[1-9]/.test(shownOffset)) parts.push(c.dim(`+${shownOffset}`));
  const http = httpSummary(e);
  if (http) parts.push(http);
  // X-Ray's console colours: fault red, error orange (yellow here), throttle purple.
  if (e.fault) parts.push(c.red('FAULT'));
  if (e.error) parts.push(c.yellow('ERROR'));
  if (e.throttle) parts.push(c.magenta('THROTTLE'));
  if (node.warnings) parts.push(c.yellow('⚠ LOSS'));
  return parts.join('  ');
}

function httpSummary(e: EntityDocument): string | undefined {
  const req = e.http?.request;
  const res = e.http?.response;
  if (!req && !res) return undefined;
  const words: string[] = [];
  if (req?.method) words.push(safeText(req.method, 20));
  if (req?.url) words.push(safeText(req.url, 120));
  if (res?.status !== undefined) words.push(`→ ${safeText(res.status, 10)}`);
  return words.join(' ');
}

function countBelow(node: TraceNode): number {
  let n = 0;
  const stack = [node];
  while (stack.length > 0) {
    n++;
    stack.push(...stack.pop()!.children);
  }
  return n;
}

function details(node: TraceNode, trace: AssembledTrace, c: Palette): string[] {
  const e = node.entity;
  const out: string[] = [];
  if (node.rejected) {
    out.push(c.red('✗ X-Ray would reject this document:'));
    for (const reason of node.rejected) out.push(c.red(`    ${safeText(reason, 300)}`));
  }
  if (node.warnings) {
    out.push(c.yellow(node.rejected ? '⚠ and once accepted, X-Ray would drop:' : '⚠ X-Ray keeps this document, but:'));
    for (const w of node.warnings) out.push(c.yellow(`    ${safeText(w, 300)}`));
  }
  if (node.missingParent && node.missingParent === trace.lambdaParent) {
    out.push(c.dim(`parent ${safeText(node.missingParent, 40)}: the Lambda function's segment (sent by Lambda, not through a daemon)`));
  } else if (node.missingParent) {
    out.push(c.yellow(`parent ${safeText(node.missingParent, 40)} was not received`));
  }
  // A rejected document is shown too, so no field can be trusted to have its documented type.
  const annotations = isRecord(e.annotations) ? Object.entries(e.annotations) : [];
  if (annotations.length > 0) {
    out.push(c.dim('annotations: ') + annotations.map(([k, v]) => `${safeText(k, 60)}=${safeText(JSON.stringify(v), 80)}`).join(' '));
  }
  if (e.sql?.sanitized_query !== undefined) out.push(c.dim('sql: ') + safeText(e.sql.sanitized_query));
  else if (e.sql?.url !== undefined) out.push(c.dim('sql: ') + safeText(e.sql.url));
  if (e.aws?.operation !== undefined) out.push(c.dim('aws: ') + safeText([e.aws.operation, e.aws.region].filter(Boolean).map(String).join(' ')));
  for (const line of causeLines(e.cause)) out.push(c.red(line));
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function causeLines(cause: CauseBlock | string | undefined): string[] {
  if (cause === undefined) return [];
  if (!isRecord(cause)) return [`✗ cause: exception ${safeText(cause, 40)} (recorded on another entity)`];
  const exceptions: unknown[] = Array.isArray(cause.exceptions) ? cause.exceptions : [];
  return exceptions.slice(0, 5).map((x) => {
    if (!isRecord(x)) return `✗ ${safeText(x, 160)}`;
    const head = [x.type, x.message].filter((s) => s !== undefined && s !== '').map((s) => safeText(s, 160));
    const top = Array.isArray(x.stack) && isRecord(x.stack[0]) ? x.stack[0] : undefined;
    const where = top ? ` (${frameText(top)})` : '';
    return `✗ ${head.join(': ') || 'exception'}${x.remote === true ? ' [remote]' : ''}${where}`;
  });
}

/** "label path:line", leaving out what the frame lacks (no stray spaces or "undefined"). */
function frameText(frame: Record<string, unknown>): string {
  const label = frame.label === undefined || frame.label === '' ? '' : safeText(frame.label, 60);
  const path = frame.path === undefined || frame.path === '' ? '' : safeText(frame.path, 80);
  const line = typeof frame.line === 'number' ? `:${frame.line}` : '';
  return [label, path + line].filter((p) => p !== '').join(' ') || '?';
}
