#!/usr/bin/env node
// The whole benchmark suite (`npm run bench`, or `npm run bench -- --quick` for CI smoke).
// Writes benchmarks/results/latest.{md,json,svg} (quick mode: quick.{md,json,svg}).
//
//   --quick        short runs, one run each, < 1 minute; still every contender and workload
//   --runs=N       override the number of runs
//   --only=a,b     a subset: nested-1, nested-3, nested-10, fanout-50, sync-10, http, export, cost
//   --contenders=a,b   a subset of: none, otel-noop, otel, otel-worker, facade, xray-sdk
// With --only, --contenders or --runs (and without --quick) the report goes to results/partial.*.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, profileFor } from './lib/config.mjs';
import { describe } from './lib/meta.mjs';
import { headline, writeReport, fmtNum, fmtRatio, targetsTable } from './lib/report.mjs';
import { CONTENDERS } from './lib/contenders/index.mjs';
import { UdpSink } from './lib/sink.mjs';
import { runExporterCostJob, runExportOnly, runHttp, runMicro } from './lib/suite.mjs';
import { WORKLOADS } from './lib/workloads.mjs';

const args = parseArgs();
if (args.help) {
  console.log('usage: node benchmarks/run.mjs [--quick] [--runs=N] [--only=nested-3,http,export,cost,...] [--contenders=none,otel-noop,otel,...]');
  process.exit(0);
}
const profile = profileFor(args);
const mode = args.quick ? 'quick' : 'full';
const wanted = (id) => !args.only || args.only.includes(id);
const contenders = args.contenders ?? CONTENDERS;
const log = (line) => console.error(line);

const sink = new UdpSink();
await sink.start();
const started = Date.now();
const results = { meta: describe({ mode, profile, sink }) };
log(`xray-otel-bridge benchmarks (${mode}) · Node ${results.meta.machine.node} · ${results.meta.machine.cpu} × ${results.meta.machine.cores} · sink ${sink.address}`);

const micro = WORKLOADS.map((w) => w.id).filter(wanted);
if (micro.length) {
  log('in-process workloads:');
  results.micro = await runMicro({ workloads: micro, contenders, profile: profile.micro, sink, log });
}
if (wanted('http')) {
  log('HTTP service:');
  results.http = await runHttp({ contenders, profile: profile.http, sink, log });
}
if (wanted('export')) {
  log('export only:');
  results.export = await runExportOnly({ profile: profile.export, sink, log });
}
if (wanted('cost')) {
  log('exporter cost per span (CPU, interleaved with the hand-written floor) and oversized spans:');
  results.cost = await runExporterCostJob({ profile: profile.cost, sink, log });
}
await sink.close();

results.meta.durationSeconds = (Date.now() - started) / 1000;
results.meta.loadAverageAfter = loadavg();
results.headline = headline(results);
// Only an unrestricted full run replaces the committed latest.*; subsets go to partial.*.
const partial = Boolean(args.only || args.contenders || args.runs);
const base = fileURLToPath(new URL(`./results/${mode === 'quick' ? 'quick' : partial ? 'partial' : 'latest'}`, import.meta.url));
const files = await writeReport(results, base);

const h = results.headline;
if (h?.usPerUnit) {
  log('');
  log(
    `nested-3 µs/unit: ${Object.entries(h.usPerUnit).map(([k, v]) => `${k} ${fmtNum(v)}`).join(', ')}; ` +
      `facade/raw OTel ${fmtRatio(h.facadeVsOtel)}, aws-xray-sdk-core/facade ${fmtRatio(h.sdkVsFacade)}, raw OTel/no-op exporter ${fmtRatio(h.otelVsNoop)}`,
  );
}
if (h?.targets.length) log(`\n${targetsTable(h)}`);
log(`done in ${fmtNum(results.meta.durationSeconds, 0)} s; wrote ${files.join(', ')}`);
