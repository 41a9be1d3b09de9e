#!/usr/bin/env node
// The cost of context propagation (issue 3): one unit = a segment with three nested async
// subsegments, each awaiting setImmediate and a resolved promise; µs per unit with no tracing,
// raw OTel, the recorder facade and aws-xray-sdk-core, each in its own child process, all
// exporting to a UDP sink on loopback. Needs `npm run build` first.
//
//   node benchmarks/context.mjs [--quick] [--runs=N] [--contenders=a,b] [--json=path]
import { writeFile } from 'node:fs/promises';
import { parseArgs, profileFor } from './lib/config.mjs';
import { CONTENDERS } from './lib/contenders/index.mjs';
import { describe } from './lib/meta.mjs';
import { fmtNum, fmtRatio, headline, microTable, targetsTable } from './lib/report.mjs';
import { UdpSink } from './lib/sink.mjs';
import { runMicro } from './lib/suite.mjs';

const args = parseArgs();
if (args.help) {
  console.log('usage: node benchmarks/context.mjs [--quick] [--runs=N] [--contenders=none,otel-noop,otel,otel-worker,facade,xray-sdk] [--json=path]');
  process.exit(0);
}
const profile = profileFor(args);
const sink = new UdpSink();
await sink.start();
const results = { meta: describe({ mode: args.quick ? 'quick' : 'full', profile, sink }) };
const m = results.meta.machine;
console.error(`context propagation · Node ${m.node} · ${m.cpu} × ${m.cores} · sink ${sink.address}`);
results.micro = await runMicro({
  workloads: ['nested-3'],
  contenders: args.contenders ?? CONTENDERS,
  profile: profile.micro,
  sink,
  log: (l) => console.error(l),
});
await sink.close();
results.headline = headline(results);

const w = results.micro[0];
console.log(`\n${w.title}: ${w.description}; median of ${profile.micro.runs} run(s).\n`);
console.log(microTable(w));
const h = results.headline;
if (w.exportCost) console.log(`\nX-Ray export cost: ${fmtNum(w.exportCost.usPerSpan)} µs per span (raw OTel minus raw OTel with a no-op exporter).`);
if (h && Number.isFinite(h.sdkVsFacadeOverhead)) console.log(`aws-xray-sdk-core ÷ facade, overhead above no tracing only: ${fmtRatio(h.sdkVsFacadeOverhead)}`);
if (h?.targets.length) console.log(`\n${targetsTable(h)}`);
if (args.json) {
  await writeFile(args.json, JSON.stringify(results, null, 2) + '\n');
  console.error(`wrote ${args.json}`);
}
