import type { EntityDocument } from '../exporter/document.js';
import type { AssembledTrace, TraceNode } from './traces.js';

/** X-Ray's four outcomes, in the console's order of precedence for one call. */
export type Outcome = 'ok' | 'error' | 'fault' | 'throttle';

/** One node of the map: a service (its segments), a resource it calls (remote or AWS subsegments), or the clients. */
export interface ServiceMapNode {
  id: string;
  name: string;
  kind: 'client' | 'service' | 'remote' | 'aws';
  /** `origin` of a service (AWS::EC2::Instance, …) when its segments say. */
  origin: string | undefined;
  requests: number;
  outcomes: Record<Outcome, number>;
  /** Mean duration of the calls or requests with an end, in ms. */
  averageMs: number | undefined;
}

export interface ServiceMapEdge {
  from: string;
  to: string;
  requests: number;
}

export interface ServiceMap {
  traces: number;
  nodes: ServiceMapNode[];
  edges: ServiceMapEdge[];
}

const CLIENT_ID = 'client';

/**
 * The service map of the traces kept, as X-Ray's console draws it: a node per service (named by
 * its segments), a node per remote or AWS resource its subsegments call, a client node for
 * requests that came from outside, and edges with request counts. A remote call whose callee is
 * itself traced becomes an edge to that service instead of a resource node.
 */
export function buildServiceMap(traces: readonly AssembledTrace[]): ServiceMap {
  const nodes = new Map<string, ServiceMapNode & { totalMs: number; timed: number }>();
  const edges = new Map<string, ServiceMapEdge>();
  const node = (id: string, name: string, kind: ServiceMapNode['kind']) => {
    let n = nodes.get(id);
    if (n === undefined) {
      n = { id, name, kind, origin: undefined, requests: 0, outcomes: { ok: 0, error: 0, fault: 0, throttle: 0 }, averageMs: undefined, totalMs: 0, timed: 0 };
      nodes.set(id, n);
    }
    return n;
  };
  const count = (n: ServiceMapNode & { totalMs: number; timed: number }, t: TraceNode) => {
    n.requests++;
    n.outcomes[outcomeOf(t.entity)]++;
    if (t.end !== undefined) {
      n.totalMs += Math.max(0, (t.end - t.start) * 1000);
      n.timed++;
    }
  };
  const edge = (from: string, to: string) => {
    const key = `${from}\u0000${to}`;
    const e = edges.get(key) ?? { from, to, requests: 0 };
    e.requests++;
    edges.set(key, e);
  };

  for (const trace of traces) {
    const stack: Array<{ node: TraceNode; service: string | undefined }> = trace.roots.map((r) => ({ node: r, service: undefined }));
    while (stack.length > 0) {
      const { node: t, service } = stack.pop()!;
      let current = service;
      if (t.kind === 'segment') {
        const id = `service:${t.name}`;
        const n = node(id, t.name, 'service');
        if (typeof t.entity.origin === 'string') n.origin = t.entity.origin;
        count(n, t);
        // Called by a traced service (through one of its subsegments), or from outside.
        if (service !== undefined) edge(service, id);
        else if (t.parentId === undefined) {
          count(node(CLIENT_ID, 'client', 'client'), t);
          edge(CLIENT_ID, id);
        }
        current = id;
      } else {
        const namespace = t.entity.namespace;
        const callsTracedService = t.children.some((c) => c.kind === 'segment');
        if ((namespace === 'remote' || namespace === 'aws') && !callsTracedService) {
          const id = `${namespace}:${t.name}`;
          count(node(id, t.name, namespace), t);
          edge(current ?? serviceOfOrphan(trace, node), id);
        }
        if (current === undefined) current = serviceOfOrphan(trace, node);
      }
      for (const child of t.children) stack.push({ node: child, service: current });
    }
  }
  return {
    traces: traces.length,
    nodes: [...nodes.values()].map(({ totalMs, timed, ...n }) => ({ ...n, averageMs: timed > 0 ? totalMs / timed : undefined })),
    edges: [...edges.values()],
  };
}

/** Subsegments that arrived without their segment: in Lambda, the function's; else unknown. */
function serviceOfOrphan(trace: AssembledTrace, node: (id: string, name: string, kind: ServiceMapNode['kind']) => ServiceMapNode): string {
  const name = trace.lambdaParent !== undefined ? '(Lambda function)' : '(segment not received)';
  node(`service:${name}`, name, 'service');
  return `service:${name}`;
}

/** fault (5xx) before throttle (429) before error (4xx), as the console colours one call. */
export function outcomeOf(e: EntityDocument): Outcome {
  const status = e.http?.response?.status;
  if (e.fault === true || (typeof status === 'number' && status >= 500)) return 'fault';
  if (e.throttle === true || status === 429) return 'throttle';
  if (e.error === true || (typeof status === 'number' && status >= 400)) return 'error';
  return 'ok';
}
