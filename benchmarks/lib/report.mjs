// Report writers: Markdown tables, the JSON document, and a hand-written SVG bar chart.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { COLORS, LABELS } from './contenders/index.mjs';
import { pairedRatios } from './suite.mjs';

// ---------------------------------------------------------------- number formatting

const nf = (digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function fmtNum(x, digits) {
  if (!Number.isFinite(x)) return 'n/a';
  if (digits === undefined) digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return nf(digits).format(x);
}

export function fmtRatio(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return `${fmtNum(x, x >= 100 ? 0 : x >= 10 ? 1 : 2)}×`;
}

function fmtSpread(s, digits) {
  if (!s || s.n === 0) return 'n/a';
  if (s.n === 1) return '(1 run)';
  return `${fmtNum(s.min, digits)}–${fmtNum(s.max, digits)}`;
}

/** Heap growth per 100k units in KiB; "≈ 0" when within two standard errors of zero. */
export function fmtHeap(h) {
  if (!h || !Number.isFinite(h.median)) return 'n/a';
  const kib = h.median / 1024;
  const se = Number.isFinite(h.se) ? h.se / 1024 : NaN;
  const sign = kib > 0 ? '+' : '';
  const value = `${sign}${fmtNum(kib, Math.abs(kib) >= 100 ? 0 : 1)} KiB`;
  if (Number.isFinite(se) && Math.abs(kib) < 2 * se) return `≈ 0 (${value} ± ${fmtNum(se, se >= 100 ? 0 : 1)})`;
  return Number.isFinite(se) ? `${value} ± ${fmtNum(se, se >= 100 ? 0 : 1)}` : value;
}

function fmtDelivery(e) {
  if (!e.spansCreated) return '–';
  const pct = (100 * e.spansReceived) / e.spansCreated;
  return `${fmtNum(e.spansReceived, 0)} / ${fmtNum(e.spansCreated, 0)} (${fmtNum(pct, pct >= 99.95 ? 0 : 1)} %)`;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  // First column (names) left-aligned, figures right-aligned.
  return [line(header), line(header.map((_, i) => (i === 0 ? ':--' : '--:'))), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------- headline

const byName = (entries, name) => entries.find((e) => e.contender === name);

/**
 * One target: the measured figure, its spread over runs, and whether it holds. `met` is null
 * when not judged: quick runs are too short to judge, and a missing contender cannot be.
 */
function target(text, unit, value, spread, holds, judged) {
  return { text, unit, value, spread, met: judged && Number.isFinite(value) ? holds(value) : null };
}

/** A figure reported beside the targets, with no target of its own. */
function informational(text, value, spread) {
  return { text, unit: 'ratio', value, spread, met: null, informational: true };
}

/** A target's figure in its unit: a ratio, µs per span, or ms. */
function fmtTarget(unit, v) {
  if (unit === 'us') return `${fmtNum(v)} µs`;
  if (unit === 'ms') return `${fmtNum(v, 1)} ms`;
  return fmtRatio(v);
}

/** The headline figures: the depth-3 nested unit (issue 3's unit), plus every target. */
export function headline(results) {
  const judged = results.meta?.mode !== 'quick';
  const unit = results.micro?.find((w) => w.workload === 'nested-3');
  const h = { judged, targets: [] };
  if (unit) {
    const none = byName(unit.contenders, 'none');
    const noop = byName(unit.contenders, 'otel-noop');
    const otel = byName(unit.contenders, 'otel');
    const otelWorker = byName(unit.contenders, 'otel-worker');
    const facade = byName(unit.contenders, 'facade');
    const sdk = byName(unit.contenders, 'xray-sdk');
    const med = (e) => e?.usPerUnit.median;
    Object.assign(h, {
      workload: unit.workload,
      usPerUnit: Object.fromEntries(unit.contenders.map((e) => [e.contender, med(e)])),
      facadeVsOtel: facade && otel ? med(facade) / med(otel) : NaN,
      facadeVsOtelCpu: facade && otel ? facade.cpuUsPerUnit.median / otel.cpuUsPerUnit.median : NaN,
      sdkVsFacadeCpu: facade && sdk ? sdk.cpuUsPerUnit.median / facade.cpuUsPerUnit.median : NaN,
      sdkVsFacade: facade && sdk ? med(sdk) / med(facade) : NaN,
      sdkVsFacadeOverhead: facade && sdk && none ? (med(sdk) - med(none)) / (med(facade) - med(none)) : NaN,
      otelVsNoop: otel && noop ? med(otel) / med(noop) : NaN,
      otelVsNoopCpu: otel && noop ? otel.cpuUsPerUnit.median / noop.cpuUsPerUnit.median : NaN,
      otelWorkerVsNoop: otelWorker && noop ? med(otelWorker) / med(noop) : NaN,
      otelWorkerVsNoopCpu: otelWorker && noop ? otelWorker.cpuUsPerUnit.median / noop.cpuUsPerUnit.median : NaN,
      exportUsPerSpan: unit.exportCost?.usPerSpan,
    });
    h.targets.push(
      target('raw OTel + XRayUdpSpanExporter ≤ 1.5× raw OTel + no-op exporter (nested-3)', 'ratio', h.otelVsNoop, pairedRatios(otel, noop), (v) => v <= 1.5, judged && Boolean(noop)),
      target('recorder facade ≤ 1.3× raw OTel (nested-3)', 'ratio', h.facadeVsOtel, pairedRatios(facade, otel), (v) => v <= 1.3, judged),
      target('aws-xray-sdk-core ≥ 5× the recorder facade (nested-3)', 'ratio', h.sdkVsFacade, pairedRatios(sdk, facade), (v) => v >= 5, judged),
    );
    if (otelWorker && noop) {
      // The opt-in worker-thread send, beside the default's target: wall time is the main thread's
      // (the sends leave it), CPU time counts every thread (they still cost something).
      const cpu = (r) => r.cpuUsPerUnit;
      h.targets.push(
        informational('raw OTel + XRayUdpSpanExporter sending from its worker thread ÷ raw OTel + no-op exporter, wall (nested-3)', h.otelWorkerVsNoop, pairedRatios(otelWorker, noop)),
        informational('the same, process CPU (all threads)', h.otelWorkerVsNoopCpu, pairedRatios(otelWorker, noop, cpu)),
        informational('raw OTel + XRayUdpSpanExporter (main thread) ÷ raw OTel + no-op exporter, process CPU', h.otelVsNoopCpu, pairedRatios(otel, noop, cpu)),
      );
    }
  }
  for (const shape of results.cost?.shapes ?? []) {
    const e = shape.usPerSpan.exporter;
    h.targets.push(target(`exporter ≤ ${shape.targetUs} µs per span (CPU): ${shape.title}`, 'us', e.median, e, (v) => v <= shape.targetUs, judged));
  }
  for (const size of results.cost?.sizes ?? []) {
    h.targets.push(target(`≤ ${results.cost.targetMs} ms for one span with ${size.title}`, 'ms', size.ms.median, size.ms, (v) => v <= results.cost.targetMs, judged));
  }
  const exp = results.export;
  if (exp?.length) {
    const nested = exp.find((e) => e.mode === 'nested');
    const flat = exp.find((e) => e.mode === 'flat');
    h.export = {
      nestedSpansPerSecond: nested?.spansPerSecond.median,
      flatSpansPerSecond: flat?.spansPerSecond.median,
      nestedBytesPerSpan: nested?.bytesPerSpan,
      flatBytesPerSpan: flat?.bytesPerSpan,
      nestedDatagramsPerSpan: nested?.datagramsPerSpan,
      flatDatagramsPerSpan: flat?.datagramsPerSpan,
    };
  }
  return h.targets.length > 0 || h.export ? h : undefined;
}

const mark = (ok) => (ok === null || ok === undefined ? 'not judged' : ok ? 'met' : 'not met');

/** The targets as a table: figure, spread over runs, verdict (none in quick mode). */
export function targetsTable(h) {
  return table(
    ['Target', 'measured (median)', 'spread (min–max over runs)', 'verdict'],
    h.targets.map((t) => [
      t.text,
      fmtTarget(t.unit, t.value),
      t.unit === 'ratio' ? fmtSpread(t.spread, 2) : fmtSpread(t.spread, t.unit === 'ms' ? 1 : undefined),
      t.informational ? 'informational (no target)' : h.judged ? mark(t.met) : 'not judged (quick run)',
    ]),
  );
}

/** Exporter cost per span against the floor (CPU time, interleaved rounds in one process); with a "base" source tree, against it too. */
export function costTable(cost) {
  const base = cost.shapes.some((s) => s.usPerSpan.base);
  return table(
    [
      'Spans', 'exporter µs/span (median)', 'min–max', 'floor µs/span', 'exporter ÷ floor (median)', 'IQR of ÷ floor',
      ...(base ? ['base µs/span', 'exporter ÷ base (median)', 'IQR of ÷ base'] : []),
      'datagrams/span', 'target',
    ],
    cost.shapes.map((s) => [
      s.title,
      fmtNum(s.usPerSpan.exporter.median),
      fmtSpread(s.usPerSpan.exporter),
      fmtNum(s.usPerSpan.floor.median),
      fmtRatio(s.ratioToFloor.median),
      s.ratioToFloor.n > 1 ? `${fmtNum(s.ratioToFloor.q1)}–${fmtNum(s.ratioToFloor.q3)}` : 'n/a',
      ...(base ? [fmtNum(s.usPerSpan.base.median), fmtRatio(s.ratioToBase.median), s.ratioToBase.n > 1 ? `${fmtNum(s.ratioToBase.q1)}–${fmtNum(s.ratioToBase.q3)}` : 'n/a'] : []),
      fmtNum(s.datagramsPerSpan, 3),
      `≤ ${s.targetUs} µs`,
    ]),
  );
}

/** Oversized spans: time to shrink and send (or drop) one span, by size, with the slope. */
export function sizeTable(cost) {
  const rows = cost.sizes.map((s, i) => {
    const prev = cost.sizes[i - 1];
    const slope = prev && prev.kind === s.kind ? (s.ms.median - prev.ms.median) / (s.size - prev.size) : NaN;
    return [s.title, fmtNum(s.ms.median, 1), fmtSpread(s.ms, 1), fmtNum(s.cpuMs?.median, 1), Number.isFinite(slope) ? `${fmtNum(slope * 1000, 1)} ms per 1,000` : '–', s.outcome];
  });
  return table(['Span', 'ms (median)', 'min–max', 'CPU ms', 'slope from the size before', 'outcome'], rows);
}

// ---------------------------------------------------------------- markdown

export function microTable(w) {
  return table(
    ['Contender', 'µs/unit (median)', 'min–max', 'IQR', '× no tracing', '× raw OTel', 'overhead µs/unit', 'CPU µs/unit', 'CPU × raw OTel', 'heap growth / 100k units', 'datagrams/unit', 'spans received / created'],
    w.contenders.map((e) => [
      e.label,
      fmtNum(e.usPerUnit.median),
      fmtSpread(e.usPerUnit),
      e.usPerUnit.n > 1 ? fmtNum(e.usPerUnit.iqr) : 'n/a',
      fmtRatio(e.ratioToNone),
      fmtRatio(e.ratioToOtel),
      e.contender === 'none' ? '–' : fmtNum(e.overheadUs),
      fmtNum(e.cpuUsPerUnit?.median),
      fmtRatio(e.cpuRatioToOtel),
      fmtHeap(e.heapGrowthPer100k),
      fmtNum(e.datagramsPerUnit, 2),
      fmtDelivery(e),
    ]),
  );
}

export function httpTable(h) {
  return table(
    ['Contender', 'req/s (median)', 'req/s min–max', 'p99 ms (median)', 'p99 min–max', 'µs/request', '× no tracing', '× raw OTel', 'p99 × no tracing', 'server CPU µs/request', 'heap growth / 100k requests', 'errors', 'spans received / created'],
    h.contenders.map((e) => [
      e.label,
      fmtNum(e.requestsPerSecond.median, 0),
      fmtSpread(e.requestsPerSecond, 0),
      fmtNum(e.latencyP99Ms.median, 0),
      fmtSpread(e.latencyP99Ms, 0),
      fmtNum(e.usPerUnit.median),
      fmtRatio(e.ratioToNone),
      fmtRatio(e.ratioToOtel),
      fmtRatio(e.p99RatioToNone),
      fmtNum(e.cpuUsPerUnit?.median),
      fmtHeap(e.heapGrowthPer100k),
      fmtNum(e.errors, 0),
      fmtDelivery(e),
    ]),
  );
}

export function exportTable(rows) {
  return table(
    ['Mode', 'spans/s (median)', 'min–max', 'µs/span', 'translate only, spans/s', 'datagrams/span', 'bytes/span', 'spans received / exported'],
    rows.map((e) => [
      e.label,
      fmtNum(e.spansPerSecond.median, 0),
      fmtSpread(e.spansPerSecond, 0),
      fmtNum(e.usPerSpan.median),
      fmtNum(e.translateSpansPerSecond.median, 0),
      fmtNum(e.datagramsPerSpan, 3),
      fmtNum(e.bytesPerSpan, 0),
      fmtDelivery(e),
    ]),
  );
}

const fmtLoad = (l) => (Array.isArray(l) ? l.map((x) => fmtNum(x, 2)).join(' / ') : 'n/a');

function machineLines(meta) {
  const m = meta.machine;
  return [
    `- Node ${m.node} (V8 ${m.v8}), ${m.platform}`,
    `- CPU: ${m.cpu} × ${m.cores} cores, ${m.memoryGiB} GiB RAM`,
    `- ${meta.mode === 'quick' ? 'Quick mode (CI smoke: short runs, numbers are rough)' : 'Full mode'}; run on ${m.date}, took ${fmtNum(meta.durationSeconds, 0)} s`,
    `- Load average (1/5/15 min) before: ${fmtLoad(meta.loadAverageBefore)}; after: ${fmtLoad(meta.loadAverageAfter)} (the suite itself keeps about 1.5 cores busy)`,
  ];
}

export function markdownReport(results, { svgName } = {}) {
  const { meta } = results;
  const p = meta.profile;
  const h = headline(results);
  const out = [];
  out.push(`# xray-otel-bridge benchmarks (${meta.mode})`, '');
  out.push(...machineLines(meta), '');
  out.push(
    'Generated by `npm run bench' + (meta.mode === 'quick' ? ' -- --quick' : '') + '` (`benchmarks/run.mjs`). Every contender runs in its own child process',
    '(`node --expose-gc --no-flush-bytecode`), one at a time, all sending X-Ray documents to a UDP sink on 127.0.0.1 that counts datagrams, bytes and',
    'entities. Contenders: **no tracing** (the same awaited work), **raw OTel, no-op exporter** (OTel\'s own cost: spans,',
    'context, `BatchSpanProcessor`, an exporter that drops the spans), **raw OTel** (`tracer.startActiveSpan`, AsyncLocalStorage',
    'context manager, `BatchSpanProcessor` → `XRayUdpSpanExporter`), the **recorder facade** (`xrayRecorder` over the same',
    'pipeline) and the legacy **aws-xray-sdk-core** (cls-hooked; segments built by hand, `captureAsyncFunc`/`captureFunc`).',
    '',
  );
  if (svgName) out.push(`![Cost relative to no tracing and to raw OTel](${svgName})`, '');
  const unit = results.micro?.find((w) => w.workload === 'nested-3');
  if (h) {
    out.push('## Headline', '');
    if (unit) {
      out.push(`Unit: a segment with three nested async subsegments, each awaiting \`setImmediate\` and a resolved promise (\`nested-3\`).`, '');
      out.push(
        table(
          ['Contender', 'µs/unit', 'min–max', '× no tracing', '× raw OTel', 'CPU µs/unit', 'datagrams/unit'],
          unit.contenders.map((e) => [
            e.label,
            fmtNum(e.usPerUnit.median),
            fmtSpread(e.usPerUnit),
            fmtRatio(e.ratioToNone),
            fmtRatio(e.ratioToOtel),
            fmtNum(e.cpuUsPerUnit?.median),
            fmtNum(e.datagramsPerUnit, 2),
          ]),
        ),
        '',
      );
      out.push(
        `- Facade vs raw OTel: **${fmtRatio(h.facadeVsOtel)}**; in CPU time ${fmtRatio(h.facadeVsOtelCpu)}.`,
        `- aws-xray-sdk-core vs facade: **${fmtRatio(h.sdkVsFacade)}** the facade's time per unit; ` +
          `counting tracing overhead only (time above no tracing): ${fmtRatio(h.sdkVsFacadeOverhead)}; in CPU time ${fmtRatio(h.sdkVsFacadeCpu)}.`,
      );
      if (Number.isFinite(h.otelVsNoop)) {
        out.push(
          `- The X-Ray exporter's share: raw OTel is **${fmtRatio(h.otelVsNoop)}** raw OTel with a no-op exporter; export costs ${fmtNum(h.exportUsPerSpan)} µs per span ` +
            '(the difference per unit ÷ spans per unit, sending included).',
        );
      }
    }
    if (h.export) {
      out.push(
        `- Export only: ${fmtNum(h.export.nestedSpansPerSecond, 0)} spans/s nested, ${fmtNum(h.export.flatSpansPerSecond, 0)} spans/s with \`nest: false\`; ` +
          `${fmtNum(h.export.nestedBytesPerSpan, 0)} vs ${fmtNum(h.export.flatBytesPerSpan, 0)} bytes and ${fmtNum(h.export.nestedDatagramsPerSpan, 3)} vs ${fmtNum(h.export.flatDatagramsPerSpan, 3)} datagrams per span.`,
      );
    }
    out.push('');
    if (h.targets.length > 0) {
      out.push('### Targets', '');
      out.push(
        h.judged
          ? 'Each target with its measured figure (median) and its spread over runs (for ratios: the ratio of run i of one contender to run i of the other; runs alternate).'
          : 'Quick mode: the figures are printed, but runs this short are not judged against the targets.',
        '',
        targetsTable(h),
        '',
      );
    }
  }
  if (results.micro?.length) {
    out.push('## In-process workloads', '');
    out.push(
      `${p.micro.runs} run(s) per contender, each in a fresh process that first warms up on every workload in turn (${p.micro.processWarmupMs} ms in all, so the`,
      `exporter, which runs once per 512 spans, is optimized code before timing starts); then per workload ${p.micro.warmupMs} ms warm-up and units back to back`,
      `for ${p.micro.measureMs} ms, one unit at a time (the final flush of queued spans is inside the timed window). Runs alternate between contenders.`,
      'No collection is forced before a timed window (a forced full GC shrinks the heap limits and slows the next few thousand',
      `units). Heap growth is measured after all timed windows: each workload runs again for ${p.micro.heapMs} ms with ${p.micro.heapCheckpoints + 1} forced-GC`,
      'heap samples; the least-squares slope of heap over units, ×100k, median over runs,',
      '± the slope\'s standard error. "≈ 0" means within two standard errors of zero: no measurable growth. Slow contenders run',
      'few units in that window, so their resolution is coarse. CPU µs/unit is the child\'s user + system CPU time per unit (all',
      'its threads), which other load on the machine disturbs less than wall time.',
      '',
    );
    for (const w of results.micro) {
      out.push(`### ${w.title} (\`${w.workload}\`)`, '', `${w.description}; ${w.spansPerUnit} spans per unit.`, '', microTable(w), '');
      if (w.exportCost) {
        out.push(
          `X-Ray export cost: ${fmtNum(w.exportCost.usPerSpan)} µs per span; raw OTel ÷ raw OTel with a no-op exporter ${fmtRatio(w.exportCost.ratio)} ` +
            `(per-run pairs ${fmtSpread(w.exportCost.spread, 2)}).`,
          '',
        );
      }
    }
  }
  if (results.http) {
    out.push('## HTTP service', '', `${results.http.description}; ${p.http.runs} run(s) per contender.`, '', httpTable(results.http), '');
    out.push(
      'µs/request is 1 / (requests per second) of the saturated server; server CPU is the server process\'s CPU time per request.',
      'Heap growth here is the settled heap after the measured load minus a baseline taken halfway through the warm-up load,',
      'per 100k requests served in between (one sample each, so compare with no tracing, which has the same server and',
      'sockets, rather than with zero).',
      '',
    );
  }
  if (results.export?.length) {
    out.push('## Export only', '');
    out.push(
      `A 10-span trace (a SERVER root and 9 children with HTTP, SQL, DynamoDB and internal attributes), recorded by a real`,
      '`BasicTracerProvider` into an `InMemorySpanExporter` (512 traces), then handed to `XRayUdpSpanExporter.export()` in',
      `batches of 512 spans (traces cut at batch edges, as a \`BatchSpanProcessor\` does) for ${p.export.measureMs} ms, ${p.export.runs} run(s) each.`,
      'Datagrams and bytes per span are what the exporter sent (header included); "received" is what the sink counted.',
      '',
      exportTable(results.export),
      '',
    );
  }
  if (results.cost) {
    const c = p.cost;
    out.push('## Exporter cost per span', '');
    out.push(
      "The exporter's own path without the socket (`assembleDocuments`: translate, nest, shrink, serialize; bundled from `src/`)",
      'against the floor, a hand-written serializer of the same fields (`benchmarks/lib/reference-serializer.mjs`: no attribute',
      'vocabulary, no validation, no nesting, no size limit), on the same 512 spans from a real `BasicTracerProvider`, in one',
      `process: ${c.rounds} rounds of ${c.windowMs} ms windows, exporter and floor alternating (order reversed every round), after ${c.warmupMs} ms warm-up.`,
      'Figures are CPU time of the process per span (garbage collection included), which other load disturbs least.',
      'Ordinary spans: the context unit as an HTTP service records it (a SERVER span with HTTP attributes, three nested INTERNAL',
      'children with one attribute each).',
      '',
      costTable(results.cost),
      '',
      `One oversized span (the SDK's attribute and event limits lifted), shrunk and sent or dropped with its warning: wall-clock ms`,
      `for \`assembleDocuments\`, median of ${c.sizeReps} repetitions (target ≤ ${results.cost.targetMs} ms; the slope shows the cost is linear in size).`,
      '',
      sizeTable(results.cost),
      '',
    );
  }
  out.push('## Settings', '');
  out.push(
    `- BatchSpanProcessor: ${Object.entries(meta.bsp).map(([k, v]) => `${k} ${v}`).join(', ')}; AWS X-Ray id generator; parent-based always-on sampler.`,
    `- UDP sink receive buffer: ${meta.sinkRecvBuffer ?? 'default'} bytes.`,
    `- Versions: ${Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `- Raw per-run figures are in the JSON file next to this one.`,
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------- SVG chart


function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Log-scale ticks covering [lo, hi]: 1-2-5 per decade when few decades, else 1-3. */
function ticks(lo, hi) {
  const decades = Math.log10(hi) - Math.log10(lo);
  const mantissas = decades <= 1 ? [1, 1.5, 2, 3, 5, 7] : decades <= 2.2 ? [1, 2, 5] : decades <= 3.5 ? [1, 3] : [1];
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/**
 * Two panels of horizontal bars, one group per workload: cost relative to no tracing, and
 * relative to raw OTel. Log scale (the legacy SDK is far off the others), 1× drawn bold.
 */
export function svgChart(results) {
  const groups = [...(results.micro ?? []), ...(results.http ? [results.http] : [])];
  const panels = [
    { title: 'Time per unit ÷ no tracing', key: 'ratioToNone', series: Object.keys(COLORS) },
    { title: 'Time per unit ÷ raw OTel', key: 'ratioToOtel', series: Object.keys(COLORS).filter((c) => c !== 'otel') },
  ];
  // Every panel keeps the same bar slot per contender, so rows line up across panels.
  const slots = Object.keys(COLORS);
  const labelW = 175;
  const panelW = 360;
  const gap = 40;
  const barH = 13;
  const barGap = 3;
  const groupGap = 14;
  const top = 96;
  const width = labelW + panels.length * panelW + (panels.length - 1) * gap + 30;
  const groupH = (n) => n * (barH + barGap) - barGap;
  const maxSeries = slots.length;
  const height = top + groups.length * (groupH(maxSeries) + groupGap) + 40;

  // Each panel gets its own log scale: the left one spans far more than the right one.
  for (const p of panels) {
    const all = [];
    for (const g of groups) for (const s of p.series) {
      const v = g.contenders.find((e) => e.contender === s)?.[p.key];
      if (Number.isFinite(v) && v > 0) all.push(v);
    }
    const lo = Math.min(0.8, ...all.map((v) => v * 0.8));
    const hi = Math.max(2, ...all.map((v) => v * 1.6));
    p.scale = (v) => ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * panelW;
    p.ticks = ticks(lo, hi);
  }

  const m = results.meta.machine;
  const svg = [];
  svg.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600" fill="#222">xray-otel-bridge: tracing cost by workload (median of ${results.meta.profile.micro.runs} run${results.meta.profile.micro.runs === 1 ? '' : 's'}; log scale)</text>`,
    `<text x="16" y="42" fill="#555">${esc(`Node ${m.node} · ${m.cpu} × ${m.cores} · ${results.meta.mode} mode · lower is better`)}</text>`,
  );
  // legend
  let lx = 16;
  const present = new Set(groups.flatMap((g) => g.contenders.map((e) => e.contender)));
  for (const s of slots.filter((x) => present.has(x))) {
    svg.push(`<rect x="${lx}" y="52" width="12" height="12" fill="${COLORS[s]}"/>`, `<text x="${lx + 17}" y="62" fill="#333">${esc(LABELS[s])}</text>`);
    lx += 30 + LABELS[s].length * 7;
  }

  panels.forEach((p, pi) => {
    const x0 = labelW + pi * (panelW + gap);
    const plotBottom = height - 40;
    svg.push(`<text x="${x0}" y="${top - 4}" font-weight="600" fill="#222">${esc(p.title)}</text>`);
    for (const t of p.ticks) {
      const x = x0 + p.scale(t);
      const one = Math.abs(t - 1) < 1e-9;
      svg.push(
        `<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${plotBottom}" stroke="${one ? '#333' : '#ddd'}" stroke-width="${one ? 1.5 : 1}"${one ? '' : ' stroke-dasharray="3 3"'}/>`,
        `<text x="${x.toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle" fill="#555">${fmtNum(t, Number.isInteger(t) ? 0 : 1)}×</text>`,
      );
    }
    groups.forEach((g, gi) => {
      const gy = top + 6 + gi * (groupH(maxSeries) + groupGap);
      if (pi === 0) {
        svg.push(`<text x="${labelW - 10}" y="${(gy + groupH(maxSeries) / 2 + 4).toFixed(1)}" text-anchor="end" fill="#222">${esc(g.title)}</text>`);
      }
      p.series.forEach((s) => {
        const entry = g.contenders.find((e) => e.contender === s);
        if (!entry) return; // not run
        const v = entry[p.key];
        const y = gy + slots.indexOf(s) * (barH + barGap);
        if (!Number.isFinite(v) || v <= 0) {
          svg.push(`<text x="${(x0 + p.scale(1) + 4).toFixed(1)}" y="${y + barH - 3}" fill="#999">n/a</text>`);
          return;
        }
        const x1 = x0 + p.scale(Math.min(v, 1));
        const x2 = x0 + p.scale(Math.max(v, 1));
        svg.push(
          `<rect x="${x1.toFixed(1)}" y="${y}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${barH}" fill="${COLORS[s]}"><title>${esc(`${g.title} · ${LABELS[s]}: ${fmtRatio(v)}`)}</title></rect>`,
          `<text x="${(x2 + 4).toFixed(1)}" y="${y + barH - 3}" fill="#333" font-size="11">${fmtRatio(v)}</text>`,
        );
      });
    });
    svg.push(`<line x1="${x0}" y1="${plotBottom}" x2="${x0 + panelW}" y2="${plotBottom}" stroke="#999"/>`);
  });
  svg.push('</svg>');
  return svg.join('\n') + '\n';
}

// ---------------------------------------------------------------- files

export async function writeReport(results, basePath) {
  await mkdir(dirname(basePath), { recursive: true });
  const svgName = `${basePath.split('/').pop()}.svg`;
  await writeFile(`${basePath}.json`, JSON.stringify(results, null, 2) + '\n');
  await writeFile(`${basePath}.md`, markdownReport(results, { svgName }));
  await writeFile(`${basePath}.svg`, svgChart(results));
  return [`${basePath}.md`, `${basePath}.json`, `${basePath}.svg`];
}
