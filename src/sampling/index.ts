// X-Ray sampling on OpenTelemetry: local rules files, the console's rules through the daemon, and
// X-Ray's parent-based order of authority.
export { createLocalRulesSampler, resolveSampler, type SamplingOption, type ResolvedSampler } from './create.js';
export { LocalRulesSampler, samplingRequestOf, type LocalRulesSamplerOptions, type SamplingRequest } from './local-sampler.js';
export { XRayParentBasedSampler } from './parent-based.js';
export { XRayPropagator } from './propagator.js';
export { createRemoteSampler, type RemoteSampler, type RemoteSamplerOptions } from './remote.js';
export {
  DEFAULT_LOCAL_RULES,
  loadSamplingRules,
  parseSamplingRulesDocument,
  type LocalSamplingRule,
  type LocalSamplingRules,
  type SamplingRulesDocument,
  type SamplingRulesDocumentRule,
} from './rules-file.js';
export { withDecision, decisionIn, markUndecided } from './decision-context.js';
