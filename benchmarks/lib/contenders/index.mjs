// The contenders, in report order. Each is either a module here exporting `name`, `label` and
// `create({ daemonAddress })`, or legacy X-Ray code over a module with the aws-xray-sdk-core API
// (`legacySdk`: the module the legacy program's `aws-xray-sdk-core` resolves to). `create`
// returns the common interface used by workloads.mjs:
//   segment(name, asyncFn), segmentSync(name, fn), subsegment(name, asyncFn),
//   subsegmentSync(name, fn), httpSegment(req, res, asyncFn), flush(), shutdown(),
//   plus `name`, `label`, `tracesSpans` and optionally `exportsSpans` and `stats()`.
//
// Adding a contender is one entry here (and a module, unless it is legacy code over another
// SDK module). `color` is its bar in the chart (none: not charted). A contender whose module
// cannot be resolved (a drop-in not built yet) is left out of the default run; naming it with
// --contenders runs it anyway, and fails with the reason.
import { createRequire } from 'node:module';
import { createOtelPipeline } from '../otel-setup.mjs';
import { createLegacyContender } from './legacy-program.mjs';

const require = createRequire(import.meta.url);

export const REGISTRY = [
  { name: 'none', label: 'no tracing' },
  { name: 'otel-noop', label: 'raw OTel, no-op exporter', color: '#9c9c9c' },
  { name: 'otel', label: 'raw OTel', color: '#4e79a7' },
  { name: 'otel-worker', label: 'raw OTel, worker-thread send', color: '#76b7b2' },
  { name: 'facade', label: 'recorder facade', color: '#f28e2b' },
  { name: 'xray-sdk', label: 'aws-xray-sdk-core', color: '#e15759', legacySdk: 'aws-xray-sdk-core' },
  // The same legacy program over this project's drop-in, on the OTel pipeline `otel` and `facade` use.
  {
    name: 'xray-dropin',
    label: 'legacy code on the drop-in',
    color: '#59a14f',
    legacySdk: 'xray-otel-bridge/aws-xray-sdk-core',
    otelPipeline: true,
  },
];

function available(entry) {
  if (!entry.legacySdk) return true;
  try {
    require.resolve(entry.legacySdk);
    return true;
  } catch {
    return false;
  }
}

/** Every known contender. */
export const ALL_CONTENDERS = REGISTRY.map((c) => c.name);
/** The default run: every contender that can run here. */
export const CONTENDERS = REGISTRY.filter(available).map((c) => c.name);
export const LABELS = Object.fromEntries(REGISTRY.map((c) => [c.name, c.label]));
export const COLORS = Object.fromEntries(REGISTRY.filter((c) => c.color && available(c)).map((c) => [c.name, c.color]));

export async function loadContender(name) {
  const entry = REGISTRY.find((c) => c.name === name);
  if (!entry) throw new Error(`unknown contender ${name}; known: ${ALL_CONTENDERS.join(', ')}`);
  if (entry.legacySdk) return legacyContender(entry);
  return import(`./${name}.mjs`);
}

/**
 * The legacy program over `entry.legacySdk`. The daemon address goes into AWS_XRAY_DAEMON_ADDRESS
 * before the module loads: aws-xray-sdk-core reads it then.
 */
function legacyContender({ name, label, legacySdk, otelPipeline }) {
  return {
    name,
    label,
    async create({ daemonAddress }) {
      if (daemonAddress) process.env.AWS_XRAY_DAEMON_ADDRESS = daemonAddress;
      // An SDK on OpenTelemetry sends through the shared pipeline (registered before its first
      // segment, so it is the one used), flushed like the other OTel contenders.
      const pipeline = otelPipeline ? await createOtelPipeline({ daemonAddress }) : undefined;
      const sdk = require(legacySdk);
      let version = '';
      try {
        version = ` ${require(`${legacySdk}/package.json`).version}`;
      } catch {
        // A subpath or a package without an exported package.json: the label alone.
      }
      const contender = createLegacyContender(sdk, { name, label: `${label}${version}` });
      if (pipeline === undefined) return contender;
      return { ...contender, flush: pipeline.flush, stats: pipeline.stats, shutdown: pipeline.shutdown };
    },
  };
}
