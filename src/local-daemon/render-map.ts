import { formatDuration, palette, plural, safeText, type Palette, type RenderOptions } from './render-tree.js';
import type { Outcome, ServiceMap, ServiceMapNode } from './service-map.js';

const KIND_LABEL: Record<ServiceMapNode['kind'], string> = { client: 'client', service: 'service', remote: 'remote', aws: 'AWS' };

/**
 * The service map as a compact terminal summary (`daemon --map`): one line per node with its
 * requests, mean latency and outcome shares, then the edges with their request counts.
 */
export function renderServiceMap(map: ServiceMap, options: RenderOptions = {}): string {
  const c = palette(options.color === true);
  const lines = [c.bold(`service map · ${plural(map.nodes.length, 'node')} · ${plural(map.edges.length, 'edge')} · ${plural(map.traces, 'trace')}`)];
  const nodes = [...map.nodes].sort((a, b) => kindOrder(a) - kindOrder(b) || b.requests - a.requests || a.name.localeCompare(b.name));
  const names = new Map(nodes.map((n) => [n.id, n.kind === 'client' || n.kind === 'service' ? safeText(n.name, 60) : `${safeText(n.name, 60)} (${KIND_LABEL[n.kind]})`]));
  const width = Math.min(40, Math.max(...[...names.values()].map((n) => n.length)));
  for (const n of nodes) {
    const name = names.get(n.id)!.padEnd(width);
    if (n.kind === 'client') {
      lines.push(`  ${name}  ${plural(n.requests, 'request')}`);
      continue;
    }
    const origin = n.origin ? c.dim(` ${safeText(n.origin, 40)}`) : '';
    lines.push(`  ${n.kind === 'service' ? c.cyan(name) : name}  ${plural(n.requests, n.kind === 'service' ? 'request' : 'call')}  avg ${formatDuration(n.averageMs, 3)}  ${shares(n, c)}${origin}`);
  }
  if (map.edges.length > 0) {
    lines.push(c.dim('  edges:'));
    for (const e of [...map.edges].sort((a, b) => b.requests - a.requests)) {
      lines.push(`    ${names.get(e.from) ?? e.from} → ${names.get(e.to) ?? e.to}  ${e.requests}`);
    }
  }
  return lines.join('\n') + '\n';
}

function kindOrder(n: ServiceMapNode): number {
  return n.kind === 'client' ? 0 : n.kind === 'service' ? 1 : 2;
}

const OUTCOMES: Outcome[] = ['ok', 'error', 'fault', 'throttle'];

/** "ok 90% error 5% fault 5% throttle 0%", each in X-Ray's colour. */
function shares(n: ServiceMapNode, c: Palette): string {
  const paint: Record<Outcome, (s: string) => string> = { ok: c.green, error: c.yellow, fault: c.red, throttle: c.magenta };
  return OUTCOMES.map((o) => {
    const pct = n.requests === 0 ? 0 : Math.round((n.outcomes[o] / n.requests) * 100);
    const text = `${o} ${pct}%`;
    return pct > 0 ? paint[o](text) : c.dim(text);
  }).join(' ');
}
