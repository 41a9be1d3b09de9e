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
interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  green: Paint;
}

const sgr = (open: number, close: number): Paint => (s) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLORS: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  green: sgr(32, 39),
};
const plain: Paint = (s) => s;
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain, green: plain };

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

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return 'in progress';
  if (ms < 0.995) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The trace as an indented tree, one entity per line, details underneath. Ends with a newline. */
export function renderTrace(trace: AssembledTrace, options: RenderOptions = {}): string {
  const c = options.color === true ? COLORS : PLAIN;
  const lines: string[] = [];
  const docs = trace.documents.length;
  const headline = [
    c.bold(`trace ${safeText(trace.traceId, 60)}`),
    `${docs} document${docs === 1 ? '' : 's'}`,
    `${trace.entityCount} entit${trace.entityCount === 1 ? 'y' : 'ies'}`,
    formatDuration(trace.durationMs),
  ];
  if (trace.revision > 1) headline.push(c.yellow(`updated (${trace.revision})`));
  if (trace.rejectedCount > 0) headline.push(c.red(`${trace.rejectedCount} rejected`));
  if (trace.fault) headline.push(c.red('fault'));
  else if (trace.error) headline.push(c.yellow('error'));
  lines.push(headline.join(c.dim(' · ')));
  if (trace.missingParents.length > 0) {
    lines.push(c.yellow(`  parents never received: ${trace.missingParents.map((p) => safeText(p, 40)).join(', ')}`));
  }

  const walk = (node: TraceNode, prefix: string, isLast: boolean, depth: number) => {
    const branch = depth === 0 ? '' : isLast ? '└─ ' : '├─ ';
    lines.push(prefix + branch + nodeLine(node, trace, c));
    const childPrefix = depth === 0 ? prefix : prefix + (isLast ? '   ' : '│  ');
    const detailPrefix = childPrefix + (node.children.length > 0 ? '│  ' : '   ');
    for (const d of details(node, c)) lines.push(detailPrefix + d);
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, depth + 1));
  };
  trace.roots.forEach((root) => walk(root, '', true, 0));
  return lines.join('\n') + '\n';
}

function nodeLine(node: TraceNode, trace: AssembledTrace, c: Palette): string {
  const e = node.entity;
  const parts: string[] = [];
  parts.push(node.kind === 'segment' ? c.bold(c.cyan(safeText(node.name))) : safeText(node.name));
  if (node.kind === 'segment') parts.push(c.dim(e.origin ? `segment ${safeText(e.origin)}` : 'segment'));
  else if (e.namespace) parts.push(c.dim(safeText(e.namespace, 20)));
  const ms = node.end === undefined ? undefined : Math.max(0, (node.end - node.start) * 1000);
  parts.push(node.end === undefined ? c.cyan('in progress') : formatDuration(ms));
  const offset = (node.start - trace.start) * 1000;
  if (offset > 0.0005) parts.push(c.dim(`+${formatDuration(offset)}`));
  const http = httpSummary(e);
  if (http) parts.push(http);
  if (e.fault) parts.push(c.red('FAULT'));
  if (e.error) parts.push(c.yellow('ERROR'));
  if (e.throttle) parts.push(c.yellow('THROTTLE'));
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

function details(node: TraceNode, c: Palette): string[] {
  const e = node.entity;
  const out: string[] = [];
  if (node.rejected) {
    out.push(c.red('✗ X-Ray would reject this document:'));
    for (const reason of node.rejected) out.push(c.red(`    ${safeText(reason, 300)}`));
  }
  if (node.missingParent) out.push(c.yellow(`parent ${safeText(node.missingParent, 40)} was not received`));
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
    const where = top ? ` (${safeText(top.label ?? '', 60)} ${safeText(top.path ?? '', 80)}:${safeText(top.line ?? '?', 10)})` : '';
    return `✗ ${head.join(': ') || 'exception'}${x.remote === true ? ' [remote]' : ''}${where}`;
  });
}
