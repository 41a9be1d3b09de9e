// Export cost per span (issue 12), in one process: the exporter's JSON path (`assembleDocuments`:
// translate, nest, shrink, serialize; no socket) against a hand-written minimal serializer of the
// same fields (the floor), interleaved round by round so that load on the machine hits both alike.
// Also the cost of one oversized span (many attributes, many exception events) at three sizes.
import { loadInternals } from './internal.mjs';
import { referenceSerialize } from './reference-serializer.mjs';
import { exceptionSpans, manyExceptionsSpan, ordinarySpans, wideSpan } from './span-shapes.mjs';
import { summarize } from './stats.mjs';

const now = () => process.hrtime.bigint();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The per-span workloads: the context unit's spans nested and flat, and a failed span. */
export const COST_SHAPES = [
  { id: 'ordinary-nested', title: 'ordinary spans, nested', spans: () => ordinarySpans(128), nest: true, targetUs: 2 },
  { id: 'ordinary-flat', title: 'ordinary spans, nest: false', spans: () => ordinarySpans(128), nest: false, targetUs: 2 },
  { id: 'exception', title: 'span with an exception, 20-frame stack (a stack seen before)', spans: () => exceptionSpans(512, 20), nest: true, targetUs: 6 },
  // 4,096 different stacks, more than the exporter's memo of recent stacks holds, taken in turn:
  // every lookup misses, as for a stack the process has not thrown lately.
  {
    id: 'exception-new',
    title: 'span with an exception, 20-frame stack (a stack not seen lately)',
    spans: () => exceptionSpans(4096, 20, { distinct: true }),
    nest: true,
    targetUs: 6,
  },
];
const BATCH = 512;

/** Oversized spans: shrunk and sent, or dropped with a warning (target ≤ 50 ms each). */
export const SIZE_SHAPES = [
  ...[1000, 3000, 10000].map((n) => ({ id: `attributes-${n}`, title: `${n.toLocaleString('en-US')} attributes of 200 bytes`, size: n, kind: 'attributes', spans: () => wideSpan(n) })),
  ...[100, 300, 1000].map((n) => ({ id: `exceptions-${n}`, title: `${n.toLocaleString('en-US')} exception events`, size: n, kind: 'exceptions', spans: () => manyExceptionsSpan(n) })),
];
export const SIZE_TARGET_MS = 50;

/**
 * CPU µs per span of `fn(spans)` over about `ms` milliseconds of wall time. CPU time of this
 * process (all its threads, so garbage collection counts) is what other load on a shared
 * machine disturbs least.
 */
function perSpan(fn, batches, ms) {
  const deadline = now() + BigInt(Math.round(ms * 1e6));
  const cpu0 = process.cpuUsage();
  let n = 0;
  let keep = 0;
  let next = 0;
  do {
    const spans = batches[next++ % batches.length];
    keep += fn(spans);
    n += spans.length;
  } while (now() < deadline);
  const cpu = process.cpuUsage(cpu0);
  return keep >= 0 ? (cpu.user + cpu.system) / n : NaN;
}

/**
 * Rounds of (exporter, floor[, base]) timed windows, order alternating per round; per-round
 * ratio exporter ÷ floor. `job.rounds`, `job.windowMs`. With `XRAY_BENCH_BASE_SRC` set, a second
 * source tree runs interleaved as "base" (before/after comparisons of a change).
 */
export async function runExporterCost(job) {
  const current = await loadInternals();
  const base = process.env.XRAY_BENCH_BASE_SRC ? await loadInternals(process.env.XRAY_BENCH_BASE_SRC, 'base') : undefined;
  const contenders = (options) => {
    const list = [
      { id: 'exporter', run: (spans) => countDocs(current.assembleDocuments(spans, options.current)) },
      { id: 'floor', run: (spans) => referenceSerialize(spans).length },
    ];
    if (base) list.push({ id: 'base', run: (spans) => countDocs(base.assembleDocuments(spans, options.base)) });
    return list;
  };

  const shapes = [];
  for (const shape of COST_SHAPES) {
    // Export batches of 512 spans, as BatchSpanProcessor sends them.
    const all = shape.spans();
    const batches = [];
    for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
    const spans = batches[0];
    const options = {
      current: current.resolveTranslateOptions({ nest: shape.nest, logger: silent }),
      base: base?.resolveTranslateOptions({ nest: shape.nest, logger: silent }),
    };
    const list = contenders(options);
    for (const c of list) perSpan(c.run, batches, job.warmupMs); // optimized code before timing
    const samples = Object.fromEntries(list.map((c) => [c.id, []]));
    const ratios = [];
    const baseRatios = [];
    for (let round = 0; round < job.rounds; round++) {
      const order = round % 2 === 0 ? list : [...list].reverse();
      const got = {};
      for (const c of order) got[c.id] = perSpan(c.run, batches, job.windowMs);
      for (const c of list) samples[c.id].push(got[c.id]);
      ratios.push(got.exporter / got.floor);
      if (base) baseRatios.push(got.exporter / got.base);
    }
    const datagrams = current.assembleDocuments(spans, options.current).documents.length;
    shapes.push({
      id: shape.id,
      title: shape.title,
      targetUs: shape.targetUs,
      spans: spans.length,
      datagramsPerSpan: datagrams / spans.length,
      usPerSpan: Object.fromEntries(list.map((c) => [c.id, summarize(samples[c.id])])),
      ratioToFloor: summarize(ratios),
      ...(base ? { ratioToBase: summarize(baseRatios) } : {}),
    });
  }

  const sizes = [];
  for (const shape of job.sizeReps > 0 ? SIZE_SHAPES : []) {
    const spans = shape.spans();
    const warnings = [];
    const logger = { ...silent, warn: (m) => warnings.push(m) };
    const times = [];
    const cpuTimes = [];
    let outcome;
    for (let rep = 0; rep < job.sizeReps; rep++) {
      const options = current.resolveTranslateOptions({ logger });
      const cpu0 = process.cpuUsage();
      const start = now();
      const result = current.assembleDocuments(spans, options);
      times.push(Number(now() - start) / 1e6);
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.push((cpu.user + cpu.system) / 1e3);
      outcome = result.documents.length === 1 ? `sent, ${result.documents[0].bytes.toLocaleString('en-US')} bytes` : `dropped (${result.dropped}) with a warning`;
    }
    sizes.push({ id: shape.id, title: shape.title, kind: shape.kind, size: shape.size, ms: summarize(times), cpuMs: summarize(cpuTimes), outcome, warning: warnings[0]?.slice(0, 160) });
  }
  return { kind: 'exporter-cost', shapes, sizes, targetMs: SIZE_TARGET_MS };
}

function countDocs(result) {
  return result.documents.length;
}
