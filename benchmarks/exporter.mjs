#!/usr/bin/env node
// Export only (issue 2): spans translated and sent per second through XRayUdpSpanExporter to a
// UDP sink on loopback, and bytes and datagrams per span, for a realistic 10-span trace,
// nested (default) vs `nest: false`; then (issue 12) the exporter's cost per span against a
// hand-written floor, and the time one oversized span takes. Needs `npm run build` first.
//
//   node benchmarks/exporter.mjs [--quick] [--runs=N] [--json=path]
import { writeFile } from 'node:fs/promises';
import { parseArgs, profileFor } from './lib/config.mjs';
import { describe } from './lib/meta.mjs';
import { costTable, exportTable, headline, sizeTable, targetsTable } from './lib/report.mjs';
import { UdpSink } from './lib/sink.mjs';
import { runExporterCostJob, runExportOnly } from './lib/suite.mjs';

const args = parseArgs();
if (args.help) {
  console.log('usage: node benchmarks/exporter.mjs [--quick] [--runs=N] [--json=path]');
  process.exit(0);
}
const profile = profileFor(args);
const sink = new UdpSink();
await sink.start();
const results = { meta: describe({ mode: args.quick ? 'quick' : 'full', profile, sink }) };
const m = results.meta.machine;
console.error(`export only · Node ${m.node} · ${m.cpu} × ${m.cores} · sink ${sink.address}`);
results.export = await runExportOnly({ profile: profile.export, sink, log: (l) => console.error(l) });
results.cost = await runExporterCostJob({ profile: profile.cost, sink, log: (l) => console.error(l) });
await sink.close();
results.headline = headline(results);

console.log(
  `\n10-span traces (SERVER root + 9 children), batches of 512 spans, ${profile.export.measureMs} ms per run, median of ${profile.export.runs} run(s).\n`,
);
console.log(exportTable(results.export));
console.log('\nExporter cost per span (CPU µs), interleaved with a hand-written serializer of the same fields (the floor):\n');
console.log(costTable(results.cost));
console.log('\nOne oversized span, shrunk and sent or dropped:\n');
console.log(sizeTable(results.cost));
if (results.headline?.targets.length) console.log(`\n${targetsTable(results.headline)}`);
if (args.json) {
  await writeFile(args.json, JSON.stringify(results, null, 2) + '\n');
  console.error(`wrote ${args.json}`);
}
