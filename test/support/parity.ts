// Runs one legacy X-Ray program twice, under the real aws-xray-sdk-core and under the drop-in
// (`--require xray-otel-bridge/alias`), each against its own local daemon stand-in, and reduces
// what each sent to a tree that leaves out what must differ between two runs (ids, times).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalDaemon } from '../../src/local-daemon/server.js';
import type { TraceNode } from '../../src/local-daemon/traces.js';
import { loadSchema } from './schema.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PROGRAMS = fileURLToPath(new URL('../parity/', import.meta.url));
const ALIAS = `${ROOT}dist/alias.cjs`;

export type Runtime = 'sdk' | 'dropin';

export interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  /** Normalised trees, one per trace, in a stable order. */
  traces: NormalTree[];
  /** Every document the daemon received, as received, with its validation errors. */
  documents: Array<{ document: Record<string, unknown> | null; errors: string[] }>;
}

export interface NormalTree {
  /** The trace id when the program chose it (an incoming header), else `T1`, `T2`… by first appearance. */
  trace: string;
  roots: NormalNode[];
}

export interface NormalNode {
  name: string;
  kind: 'segment' | 'subsegment';
  /** `parent` when the node hangs under an entity that was not sent (Lambda's function segment). */
  parent?: string;
  [field: string]: unknown;
  children: NormalNode[];
}

export function requireBuiltAlias(): void {
  if (!existsSync(ALIAS)) throw new Error(`${ALIAS} is missing: run "npm run build" first (npm test does it)`);
}

/** Trace ids the programs use on purpose (incoming headers); these are compared as they are. */
const FIXED_TRACE_IDS = /^1-5759e988-bd862e3fe1be46a994272793$|^1-abcdef01-/;

export async function runProgram(program: string, runtime: Runtime, env: Record<string, string> = {}, nodeArgs?: string[]): Promise<Run> {
  const daemon = await startLocalDaemon({ address: '127.0.0.1:0', http: false, quietMs: 60_000, incompleteQuietMs: 60_000 });
  const documents: Run['documents'] = [];
  daemon.on('datagram', (e) => documents.push({ document: e.document, errors: e.errors }));
  try {
    // Exactly what a user types: the package name resolves through the repository's own package.json.
    const args = nodeArgs ? [...nodeArgs, program] : runtime === 'dropin' ? ['--require', 'xray-otel-bridge/alias', program] : [program];
    const child = spawn(process.execPath, args, {
      cwd: PROGRAMS,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_XRAY_DAEMON_ADDRESS: daemon.address.daemonAddress,
        AWS_XRAY_LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // Datagrams sent just before exit are still on their way through loopback.
    await new Promise((r) => setTimeout(r, 150));
    const traces = daemon.flush().map((t) => ({ traceId: t.traceId, roots: t.roots }));
    return { stdout, stderr, code, traces: normalise(traces), documents };
  } finally {
    await daemon.close();
  }
}

function normalise(traces: Array<{ traceId: string; roots: TraceNode[] }>): NormalTree[] {
  const out = traces.map((t) => ({ traceId: t.traceId, roots: sortNodes(t.roots.map((r) => normalNode(r, true))) }));
  out.sort((a, b) => compareKeys(JSON.stringify(a.roots), JSON.stringify(b.roots)));
  let n = 0;
  return out.map((t) => ({ trace: FIXED_TRACE_IDS.test(t.traceId) ? t.traceId : `T${++n}`, roots: t.roots }));
}

/** The fields of X-Ray's segment document (the shipped schema's entity). */
const ENTITY_FIELDS = new Set(Object.keys((loadSchema() as { definitions: { entity: { properties: object } } }).definitions.entity.properties));

/** Fields compared as they are. */
const PLAIN = ['namespace', 'annotations', 'metadata', 'sql', 'user', 'error', 'fault', 'throttle', 'origin', 'traced'] as const;

function normalNode(node: TraceNode, top: boolean): NormalNode {
  const e = node.entity as unknown as Record<string, unknown>;
  const n: NormalNode = { name: node.name, kind: node.kind, children: [] };
  if (top && node.missingParent !== undefined) n.parent = 'missing';
  for (const key of PLAIN) if (e[key] !== undefined) n[key] = e[key];
  // The drop-in pins a segment's name as the attribute `aws.local.service`, which the exporter
  // also keeps as metadata (docs/aws-xray-sdk-core.md, intended differences).
  const meta = n.metadata as Record<string, Record<string, unknown>> | undefined;
  if (meta?.default?.['aws.local.service'] === node.name) {
    const { ['aws.local.service']: _pinned, ...rest } = meta.default;
    n.metadata = Object.keys(rest).length > 0 ? { ...meta, default: rest } : Object.keys(meta).length > 1 ? (({ default: _d, ...others }) => others)(meta) : undefined;
    if (n.metadata === undefined) delete n.metadata;
  }
  // `addAttribute` names that are not X-Ray fields: the SDK's top-level fields, the drop-in's
  // metadata namespace `attributes` (docs/aws-xray-sdk-core.md, intended differences).
  const extra = Object.keys(e).filter((k) => !ENTITY_FIELDS.has(k));
  if (extra.length > 0) n.attributes = Object.fromEntries(extra.map((k) => [k, e[k]]));
  const metadata = n.metadata as Record<string, unknown> | undefined;
  if (metadata?.attributes !== undefined) {
    const { attributes, ...others } = metadata;
    n.attributes = attributes;
    if (Object.keys(others).length > 0) n.metadata = others;
    else delete n.metadata;
  }
  if (e.in_progress === true) n.in_progress = true;
  // Which subsegments ran before: ids, so compared by count.
  if (Array.isArray(e.precursor_ids)) n.precursor_ids = e.precursor_ids.length;
  if (e.http !== undefined) n.http = normalHttp(e.http as Record<string, Record<string, unknown>>);
  // A database server the test started listens on a port of the day.
  const sql = e.sql as Record<string, unknown> | undefined;
  if (typeof sql?.url === 'string') n.sql = { ...sql, url: sql.url.replace(PORT, ':PORT') };
  if (e.aws !== undefined) {
    // The SDK's (and the exporter's) own identity is not the program's data.
    const { xray: _xray, ...aws } = e.aws as Record<string, unknown>;
    if (Object.keys(aws).length > 0) n.aws = aws;
  }
  const cause = e.cause as { exceptions?: Array<Record<string, unknown>>; id?: string } | undefined;
  // The SDK's reference to an error a subsegment below recorded (`cause: {id}`) is not written by
  // the drop-in, which records that error once, where it happened (docs/aws-xray-sdk-core.md).
  const reference = typeof cause === 'string' || (cause?.id !== undefined && (cause.exceptions ?? []).length === 0);
  if (cause !== undefined && !reference) {
    n.cause = (cause.exceptions ?? []).map((x) => ({ type: x.type, message: x.message, remote: x.remote === true }));
  }
  n.children = sortNodes(node.children.map((c) => normalNode(c, false)));
  return n;
}

const PORT = /:\d{2,5}(?=\/|$)/;

function normalHttp(http: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (http.request !== undefined) {
    // The SDK writes a missing request field as "" (a request without User-Agent); the drop-in leaves it out.
    const present = Object.fromEntries(Object.entries(http.request).filter(([, v]) => v !== ''));
    const { client_ip, url, ...request } = present;
    // The client's address and port differ from run to run (ephemeral ports).
    if (client_ip !== undefined) request.client_ip = typeof client_ip === 'string' && client_ip !== '' ? 'IP' : client_ip;
    if (url !== undefined) request.url = typeof url === 'string' ? url.replace(PORT, ':PORT') : url;
    out.request = request;
  }
  if (http.response !== undefined) out.response = http.response;
  return out;
}

function sortNodes(nodes: NormalNode[]): NormalNode[] {
  return nodes.sort((a, b) => compareKeys(JSON.stringify(a), JSON.stringify(b)));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
