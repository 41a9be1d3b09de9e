// The contenders, in report order. Each module exports `name`, `label` and
// `create({ daemonAddress })` returning the common interface used by workloads.mjs:
//   segment(name, asyncFn), segmentSync(name, fn), subsegment(name, asyncFn),
//   subsegmentSync(name, fn), httpSegment(req, res, asyncFn), flush(), shutdown(),
//   plus `name`, `label` and `tracesSpans`.
export const CONTENDERS = ['none', 'otel', 'facade', 'xray-sdk'];

export const LABELS = {
  none: 'no tracing',
  otel: 'raw OTel',
  facade: 'recorder facade',
  'xray-sdk': 'aws-xray-sdk-core',
};

export function loadContender(name) {
  if (!CONTENDERS.includes(name)) throw new Error(`unknown contender ${name}; known: ${CONTENDERS.join(', ')}`);
  return import(`./${name}.mjs`);
}
