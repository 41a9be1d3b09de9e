// The contenders, in report order. Each entry names a module exporting `name`, `label` and
// `create({ daemonAddress })`, which returns the common interface used by workloads.mjs:
//   segment(name, asyncFn), segmentSync(name, fn), subsegment(name, asyncFn),
//   subsegmentSync(name, fn), httpSegment(req, res, asyncFn), flush(), shutdown(),
//   plus `name`, `label`, `tracesSpans` and optionally `stats()`.
//
// Adding a contender is one module and one entry here. `color` is its bar in the chart (none:
// not charted). A contender whose module cannot run yet (its package is not built) says so
// through `available()`; the default run leaves it out, naming it explicitly runs it anyway.
// Legacy X-Ray code runs from one program text (legacy-program.mjs) over any module with the
// aws-xray-sdk-core API: a contender for that code on this project's drop-in is a module that
// loads the drop-in and hands it to `createLegacyContender`.
export const REGISTRY = [
  { name: 'none', label: 'no tracing' },
  { name: 'otel-noop', label: 'raw OTel, no-op exporter', color: '#9c9c9c' },
  { name: 'otel', label: 'raw OTel', color: '#4e79a7' },
  { name: 'facade', label: 'recorder facade', color: '#f28e2b' },
  { name: 'xray-sdk', label: 'aws-xray-sdk-core', color: '#e15759' },
];

export const CONTENDERS = REGISTRY.map((c) => c.name);
export const LABELS = Object.fromEntries(REGISTRY.map((c) => [c.name, c.label]));
export const COLORS = Object.fromEntries(REGISTRY.filter((c) => c.color).map((c) => [c.name, c.color]));

export function loadContender(name) {
  if (!CONTENDERS.includes(name)) throw new Error(`unknown contender ${name}; known: ${CONTENDERS.join(', ')}`);
  return import(`./${name}.mjs`);
}
