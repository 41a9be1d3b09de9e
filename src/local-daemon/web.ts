import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP, isIPv6 } from 'node:net';
import type { DaemonEndpoint } from '../transport/address.js';
import { HttpAddressError } from '../common/errors.js';
import type { LocalDaemon } from './server.js';
import type { AssembledTrace, TraceNode } from './traces.js';
import { safeJson } from './json-lines.js';
import { buildServiceMap } from './service-map.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './web/page.js';
import { SAMPLING_PANEL_JS } from './web/sampling-panel.js';

/**
 * `--http` values: `host:port`, `[v6]:port`, `:port` or a bare port. Without a host it binds
 * 127.0.0.1: the page shows application data, so exposing it must be a deliberate choice.
 */
export function parseHttpAddress(text: string): DaemonEndpoint {
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]\s]*)):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new HttpAddressError(`invalid web page address ${JSON.stringify(text)}: expected host:port, [IPv6]:port or a port (0 to 65535)`);
  }
  if (m[1] !== undefined && !isIPv6(m[1])) throw new HttpAddressError(`invalid web page address ${JSON.stringify(text)}: [${m[1]}] is not an IPv6 address`);
  const host = m[1] ?? (m[2] === undefined || m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port };
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

const SECURITY_HEADERS = {
  // Document strings reach the page only through textContent; the policy is the second wall.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The web page's request listener; `boundHost` decides whether the Host header is checked. */
export function createWebHandler(getDaemon: () => LocalDaemon | undefined, boundHost: string) {
  // Bound to loopback, only loopback names may reach it: another site's page resolving its own
  // name to 127.0.0.1 (DNS rebinding) must not read the traces.
  const checkHost = isLoopbackHost(boundHost);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (checkHost && !isLoopbackHost(hostName(req.headers.host ?? ''))) {
      send(res, 421, 'text/plain; charset=utf-8', 'this page answers only to localhost names\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'GET only\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const daemon = getDaemon();
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', PAGE_JS);
    if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', PAGE_CSS);
    if (path === '/sampling.js') return send(res, 200, 'text/javascript; charset=utf-8', SAMPLING_PANEL_JS);
    if (path === '/api/sampling') return sendJson(res, 200, daemon?.sampling.snapshot() ?? null);
    if (path === '/api/traces') {
      return sendJson(res, 200, { stats: daemon?.stats ?? null, traces: (daemon?.traces() ?? []).map(summary) });
    }
    if (path === '/api/map') return sendJson(res, 200, buildServiceMap(daemon?.traces() ?? []));
    if (path === '/api/rejections') {
      const rejections = (daemon?.recentRejections() ?? []).reverse().map((r) => ({
        errors: r.errors,
        warnings: r.warnings,
        bytes: r.bytes,
        receivedAt: r.receivedAt,
        from: `${r.from.address}:${r.from.port}`,
        name: r.document && typeof r.document.name === 'string' ? r.document.name : null,
        traceId: r.document && typeof r.document.trace_id === 'string' ? r.document.trace_id : null,
      }));
      return sendJson(res, 200, { rejections });
    }
    const m = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (m) {
      let id: string;
      try {
        id = decodeURIComponent(m[1]!);
      } catch {
        return sendJson(res, 400, { error: 'bad trace id' });
      }
      const trace = daemon?.trace(id);
      return trace ? sendJson(res, 200, detail(trace)) : sendJson(res, 404, { error: `no trace ${id}` });
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };
}

function hostName(hostHeader: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(hostHeader);
  if (v6) return v6[1]!;
  return hostHeader.replace(/:\d*$/, '');
}

function summary(t: AssembledTrace) {
  const root = t.roots[0];
  const http = root ? requestOf(root) : {};
  return {
    traceId: t.traceId,
    name: root?.name ?? '',
    ...http,
    start: t.start,
    durationMs: t.durationMs ?? null,
    timePrecision: t.timePrecision,
    documents: t.documents.length,
    entities: t.entityCount,
    fault: t.fault,
    error: t.error,
    throttle: t.roots.some((r) => r.entity.throttle === true),
    rejected: t.rejectedCount,
    warned: t.warnedCount,
    complete: t.complete,
    lambdaParent: t.lambdaParent ?? null,
    receivedAt: t.firstReceivedAt,
    revision: `${t.revision}.${t.lastReceivedAt}`,
  };
}

/** Method, URL and status of the request a trace's root served, as X-Ray's trace list shows them. */
function requestOf(node: TraceNode): { method: string | null; url: string | null; status: number | null } {
  const http = node.entity.http;
  const req = http !== null && typeof http === 'object' ? http.request : undefined;
  const res = http !== null && typeof http === 'object' ? http.response : undefined;
  return {
    method: typeof req?.method === 'string' ? req.method : null,
    url: typeof req?.url === 'string' ? req.url : null,
    status: typeof res?.status === 'number' ? res.status : null,
  };
}

interface RowJson {
  id: string;
  name: string;
  kind: string;
  depth: number;
  parentId: string | null;
  missingParent: string | null;
  start: number;
  end: number | null;
  rejected: string[] | null;
  warnings: string[] | null;
  entity: Record<string, unknown>;
}

/**
 * The tree as rows in display order, each with its depth: flat, so neither this server nor the
 * page recurses, however deep the documents nest.
 */
function rows(roots: readonly TraceNode[]): RowJson[] {
  const out: RowJson[] = [];
  const stack: Array<{ node: TraceNode; depth: number }> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i]!, depth: 0 });
  while (stack.length > 0) {
    const { node: n, depth } = stack.pop()!;
    // The rows carry the embedded subsegments; sending them inside the entity too would double the payload.
    const { subsegments: _omit, ...entity } = n.entity as unknown as Record<string, unknown>;
    out.push({
      id: n.id,
      name: n.name,
      kind: n.kind,
      depth,
      parentId: n.parentId ?? null,
      missingParent: n.missingParent ?? null,
      start: n.start,
      end: n.end ?? null,
      rejected: n.rejected ?? null,
      warnings: n.warnings ?? null,
      entity,
    });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push({ node: n.children[i]!, depth: depth + 1 });
  }
  return out;
}

function detail(t: AssembledTrace) {
  return {
    ...summary(t),
    end: t.end ?? null,
    missingParents: t.missingParents,
    inProgress: t.inProgress,
    documentsNotKept: t.documentsNotKept,
    rows: rows(t.roots),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // Documents can nest deeper than JSON.stringify's recursion goes.
  send(res, status, 'application/json; charset=utf-8', safeJson(body));
}
