import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { DaemonEndpoint } from '../transport/address.js';
import type { Logger } from '../logger.js';
import { LocalRulesSampler, type LocalRulesSamplerOptions } from './local-sampler.js';
import { XRayParentBasedSampler } from './parent-based.js';
import { createRemoteSampler } from './remote.js';
import { DEFAULT_LOCAL_RULES, loadSamplingRules, type SamplingRulesDocument } from './rules-file.js';

/**
 * How to sample, as `registerXRay({ sampling })` takes it: `'remote'` (the console's rules through
 * the daemon), `'local'` (X-Ray's default rule: 1 request/s, then 5%), a local rules file's path or
 * its parsed object, or `false` (every trace, X-Ray's `sampling: false`).
 */
export type SamplingOption = 'remote' | 'local' | false | string | SamplingRulesDocument;

/**
 * The sampler for an X-Ray local rules file (a path, or the parsed object), parent-based the X-Ray
 * way: an upstream `Sampled=1`/`Sampled=0` wins, `Sampled=?` asks the rules. For OTel setups of
 * one's own (`new NodeSDK({ sampler })`) and for the drop-in's `middleware.setSamplingRules`.
 * Throws a SamplingRulesError (code ERR_XRAY_SAMPLING_RULES) naming what is wrong with the rules.
 */
export function createLocalRulesSampler(source: string | SamplingRulesDocument, options: LocalRulesSamplerOptions = {}): Sampler {
  return new XRayParentBasedSampler(new LocalRulesSampler(loadSamplingRules(source), options));
}

export interface ResolvedSampler {
  sampler: Sampler;
  /** Stops whatever the sampler runs in the background (the remote sampler's polling). */
  close(): void;
}

export interface ResolveSamplerContext {
  daemon: DaemonEndpoint;
  resource: Resource;
  logger: Logger;
}

/**
 * Builds the sampler for a {@link SamplingOption}. Bad rules are reported on `logger` and replaced
 * by X-Ray's default rule: a service starts with sampling that is too low rather than not at all.
 */
export function resolveSampler(option: SamplingOption, ctx: ResolveSamplerContext): ResolvedSampler {
  if (option === false) return { sampler: new XRayParentBasedSampler(new AlwaysOnSampler()), close: noop };
  if (option === 'remote') {
    const remote = createRemoteSampler({ endpoint: ctx.daemon, resource: ctx.resource, logger: ctx.logger });
    return { sampler: new XRayParentBasedSampler(remote), close: () => remote.close() };
  }
  if (option === 'local') return { sampler: new XRayParentBasedSampler(new LocalRulesSampler(DEFAULT_LOCAL_RULES)), close: noop };
  try {
    return { sampler: createLocalRulesSampler(option), close: noop };
  } catch (err) {
    ctx.logger.error(`X-Ray sampling: ${(err as Error).message}; using the default rule (1 request per second, then 5%)`);
    return { sampler: new XRayParentBasedSampler(new LocalRulesSampler(DEFAULT_LOCAL_RULES)), close: noop };
  }
}

function noop(): void {}
