// Orchestration shared by run.mjs, context.mjs and exporter.mjs: runs jobs one child at a time
// (runs interleaved across contenders, order rotated per run so drift does not favour anyone)
// and reduces per-run results to medians, spreads and ratios.
import { CONTENDERS, LABELS } from './contenders/index.mjs';
import { runHttpJob, runJob, runMicroJob } from './runner.mjs';
import { ratio, summarize } from './stats.mjs';
import { workloadById } from './workloads.mjs';

const fmtUs = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function sum(results, pick) {
  return results.reduce((acc, r) => acc + (pick(r) ?? 0), 0);
}

function delivery(results) {
  return {
    spansCreated: sum(results, (r) => r.spansCreated),
    spansReceived: sum(results, (r) => r.spansReceived),
    datagrams: sum(results, (r) => r.received?.datagrams),
    bytes: sum(results, (r) => r.received?.bytes),
  };
}

/**
 * Run i of `a` over run i of `b` (runs alternate between contenders, so run i of each ran close
 * in time): the spread of a ratio, where the ratio of medians is its central figure.
 */
export function pairedRatios(a, b, pick = (r) => r.usPerUnit) {
  if (!a || !b) return summarize([]);
  const n = Math.min(a.runs.length, b.runs.length);
  const out = [];
  for (let i = 0; i < n; i++) out.push(pick(a.runs[i]) / pick(b.runs[i]));
  return summarize(out);
}

function heapSummary(results) {
  return {
    ...summarize(results.map((r) => r.heapGrowthPer100k)),
    // Median standard error of the per-run slope: growth within about 2 se of 0 is noise.
    se: summarize(results.map((r) => r.heapGrowthPer100kSe)).median,
  };
}

/** Runs the micro workloads; returns one entry per workload with per-contender summaries. */
export async function runMicro({ workloads, contenders = CONTENDERS, profile, sink, log }) {
  const raw = new Map(); // `${workload}/${contender}` -> results[]
  for (let run = 0; run < profile.runs; run++) {
    for (const contender of rotate(contenders, run)) {
      const started = Date.now();
      const results = await runMicroJob({ mode: 'micro', contender, workloads, ...profile }, sink);
      for (const r of results) {
        const key = `${r.workload}/${contender}`;
        if (!raw.has(key)) raw.set(key, []);
        raw.get(key).push(r);
      }
      log?.(
        `  run ${run + 1}/${profile.runs} ${contender.padEnd(9)} ` +
          results.map((r) => `${r.workload} ${fmtUs(r.usPerUnit)}`).join(' · ') +
          ` µs/unit; spans ${sum(results, (r) => r.spansReceived)}/${sum(results, (r) => r.spansCreated)} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  return workloads.map((id) => {
    const w = workloadById(id);
    const entries = contenders.map((contender) => {
      const results = raw.get(`${id}/${contender}`);
      return {
        contender,
        label: results[0].label ?? LABELS[contender],
        usPerUnit: summarize(results.map((r) => r.usPerUnit)),
        cpuUsPerUnit: summarize(results.map((r) => r.cpuUsPerUnit)),
        heapGrowthPer100k: heapSummary(results),
        ...delivery(results),
        runs: results,
      };
    });
    addRatios(entries, (e) => e.usPerUnit.median);
    addRatios(entries, (e) => e.cpuUsPerUnit.median, ['cpuRatioToNone', 'cpuRatioToOtel']);
    for (const e of entries) {
      // Documents (datagrams) the sink received per unit; units = spans created ÷ spans per unit.
      e.datagramsPerUnit = e.spansCreated > 0 ? e.datagrams / (e.spansCreated / w.spansPerUnit) : NaN;
    }
    const otel = entries.find((e) => e.contender === 'otel');
    const noop = entries.find((e) => e.contender === 'otel-noop');
    // What the X-Ray exporter adds to raw OTel, per span: raw OTel minus raw OTel with a no-op exporter.
    const exportCost = otel && noop ? { usPerSpan: (otel.usPerUnit.median - noop.usPerUnit.median) / w.spansPerUnit, ratio: ratio(otel.usPerUnit.median, noop.usPerUnit.median), spread: pairedRatios(otel, noop) } : undefined;
    return { workload: id, title: w.title, description: w.description, spansPerUnit: w.spansPerUnit, contenders: entries, exportCost };
  });
}

/**
 * Ratios of a cost (bigger = worse) to "no tracing" and to raw OTel, stored under the given
 * field names, and (when named) the overhead over none.
 */
function addRatios(entries, cost, [toNone, toOtel, overhead] = ['ratioToNone', 'ratioToOtel', 'overheadUs']) {
  const none = entries.find((e) => e.contender === 'none');
  const otel = entries.find((e) => e.contender === 'otel');
  for (const e of entries) {
    e[toNone] = none ? ratio(cost(e), cost(none)) : NaN;
    e[toOtel] = otel ? ratio(cost(e), cost(otel)) : NaN;
    if (overhead) e[overhead] = none ? cost(e) - cost(none) : NaN;
  }
}

/** HTTP: autocannon against a node:http server in each contender's child. */
export async function runHttp({ contenders = CONTENDERS, profile, sink, log }) {
  const raw = new Map();
  for (let run = 0; run < profile.runs; run++) {
    for (const contender of rotate(contenders, run)) {
      const r = await runHttpJob({ mode: 'http', contender, ...profile }, sink);
      if (!raw.has(contender)) raw.set(contender, []);
      raw.get(contender).push(r);
      log?.(
        `  run ${run + 1}/${profile.runs} http       ${contender.padEnd(9)} ${String(r.requestsPerSecond).padStart(7)} req/s` +
          `  p99 ${r.latencyP99Ms} ms  spans ${r.spansReceived}/${r.spansCreated}`,
      );
    }
  }
  const entries = contenders.map((contender) => {
    const results = raw.get(contender);
    return {
      contender,
      label: results[0].label ?? LABELS[contender],
      requestsPerSecond: summarize(results.map((r) => r.requestsPerSecond)),
      latencyP99Ms: summarize(results.map((r) => r.latencyP99Ms)),
      latencyP50Ms: summarize(results.map((r) => r.latencyP50Ms)),
      // Server time per request, from throughput (the server is saturated by 10 connections).
      usPerUnit: summarize(results.map((r) => 1e6 / r.requestsPerSecond)),
      cpuUsPerUnit: summarize(results.map((r) => r.cpuUsPerUnit)),
      heapGrowthPer100k: heapSummary(results),
      errors: sum(results, (r) => r.errors) + sum(results, (r) => r.non2xx) + sum(results, (r) => r.failed),
      ...delivery(results),
      runs: results,
    };
  });
  addRatios(entries, (e) => e.usPerUnit.median);
  addRatios(entries, (e) => e.latencyP99Ms.median, ['p99RatioToNone', 'p99RatioToOtel']);
  return {
    workload: 'http',
    title: 'HTTP service',
    description: `node:http server, one segment per request around a depth-3 nested unit; autocannon, ${profile.connections} connections, ${profile.durationSeconds} s per run after ${profile.warmupSeconds} s warm-up`,
    contenders: entries,
  };
}

/** Export cost per span against the hand-written floor, and oversized spans, in one child process. */
export async function runExporterCostJob({ profile, sink, log }) {
  const r = await runJob({ mode: 'cost', ...profile }, sink);
  for (const s of r.shapes) {
    log?.(
      `  ${s.id.padEnd(16)} exporter ${s.usPerSpan.exporter.median.toFixed(2)} µs/span (CPU), floor ${s.usPerSpan.floor.median.toFixed(2)}, ` +
        `× floor ${s.ratioToFloor.median.toFixed(2)}, ` +
        (s.usPerSpan.base ? `base ${s.usPerSpan.base.median.toFixed(2)} (× base ${s.ratioToBase.median.toFixed(2)}), ` : '') +
        `${s.datagramsPerSpan.toFixed(3)} datagrams/span`,
    );
  }
  for (const s of r.sizes) log?.(`  ${s.id.padEnd(16)} ${s.ms.median.toFixed(1)} ms (CPU ${s.cpuMs.median.toFixed(1)} ms): ${s.outcome}`);
  return r;
}

/** Export only: nested (default) vs nest: false. */
export async function runExportOnly({ profile, sink, log }) {
  const modes = [true, false];
  const raw = new Map();
  for (let run = 0; run < profile.runs; run++) {
    for (const nest of rotate(modes, run)) {
      const r = await runJob({ mode: 'export', nest, ...profile }, sink);
      if (!raw.has(nest)) raw.set(nest, []);
      raw.get(nest).push(r);
      log?.(
        `  run ${run + 1}/${profile.runs} export     ${(nest ? 'nested' : 'flat').padEnd(9)} ${Math.round(r.spansPerSecond).toLocaleString('en-US').padStart(9)} spans/s` +
          `  ${r.datagramsPerSpan.toFixed(3)} dgram/span  ${r.bytesPerSpan.toFixed(0)} B/span  received ${r.spansReceived}/${r.spansCreated}`,
      );
    }
  }
  return modes.map((nest) => {
    const results = raw.get(nest);
    return {
      mode: nest ? 'nested' : 'flat',
      label: results[0].label,
      spansPerSecond: summarize(results.map((r) => r.spansPerSecond)),
      usPerSpan: summarize(results.map((r) => r.usPerSpan)),
      translateSpansPerSecond: summarize(results.map((r) => r.translateSpansPerSecond)),
      datagramsPerSpan: summarize(results.map((r) => r.datagramsPerSpan)).median,
      bytesPerSpan: summarize(results.map((r) => r.bytesPerSpan)).median,
      ...delivery(results),
      runs: results,
    };
  });
}
