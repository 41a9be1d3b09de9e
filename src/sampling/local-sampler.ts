import type { Attributes, Context, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_URL_FULL, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_HOST, ATTR_HTTP_METHOD, ATTR_HTTP_TARGET, ATTR_HTTP_URL } from '@opentelemetry/semantic-conventions/incubating';
import { Reservoir, type Clock } from './reservoir.js';
import type { LocalSamplingRules } from './rules-file.js';
import { compileWildcard, type WildcardMatcher } from './wildcard.js';

export interface LocalRulesSamplerOptions {
  /** Epoch ms, for the reservoir's seconds (default `Date.now`). */
  now?: Clock;
  /** Uniform in [0, 1), for the rate (default `Math.random`). */
  random?: () => number;
}

/** What a rule is matched against, read from the span's start attributes. Missing parts match any pattern. */
export interface SamplingRequest {
  host?: string | undefined;
  method?: string | undefined;
  urlPath?: string | undefined;
}

interface CompiledRule {
  host: WildcardMatcher;
  method: WildcardMatcher;
  urlPath: WildcardMatcher;
  reservoir: Reservoir;
  rate: number;
}

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * The X-Ray SDKs' local sampling rules as an OTel root sampler: the first rule whose host, method
 * and URL path patterns match decides (the default last); each rule samples `fixed_target`
 * requests per second, then `rate` of the rest. A request attribute the span does not carry
 * matches any pattern, as in the SDKs. Parent decisions are not its business: wrap it in
 * {@link XRayParentBasedSampler} (as {@link createLocalRulesSampler} does).
 */
export class LocalRulesSampler implements Sampler {
  private readonly compiled: CompiledRule[];
  private readonly random: () => number;

  constructor(
    readonly rules: LocalSamplingRules,
    options: LocalRulesSamplerOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    const all = [...rules.rules, { host: '*', httpMethod: '*', urlPath: '*', ...rules.default }];
    this.compiled = all.map((r) => ({
      host: compileWildcard(r.host),
      method: compileWildcard(r.httpMethod),
      urlPath: compileWildcard(r.urlPath),
      reservoir: new Reservoir(r.fixedTarget, now),
      rate: r.rate,
    }));
  }

  shouldSample(_context: Context, _traceId: string, _spanName: string, _spanKind: SpanKind, attributes: Attributes): SamplingResult {
    return this.decide(samplingRequestOf(attributes)) ? SAMPLED : DROPPED;
  }

  /** The decision for one request: the matching rule's reservoir, then its rate. */
  decide(request: SamplingRequest): boolean {
    for (const rule of this.compiled) {
      if (
        (request.host === undefined || rule.host(request.host)) &&
        (request.method === undefined || rule.method(request.method)) &&
        (request.urlPath === undefined || rule.urlPath(request.urlPath))
      ) {
        return rule.reservoir.take() || this.random() < rule.rate;
      }
    }
    return false;
  }

  toString(): string {
    return `LocalRulesSampler{${this.rules.rules.length} rules + default ${this.rules.default.fixedTarget}/s, ${this.rules.default.rate}}`;
  }
}

/**
 * Host, method and path from a span's start attributes: the stable HTTP conventions first, then
 * the older ones some instrumentations still set.
 */
export function samplingRequestOf(attributes: Attributes | undefined): SamplingRequest {
  if (attributes === undefined) return NO_REQUEST;
  const method = str(attributes[ATTR_HTTP_REQUEST_METHOD]) ?? str(attributes[ATTR_HTTP_METHOD]);
  let host = str(attributes[ATTR_SERVER_ADDRESS]) ?? stripPort(str(attributes[ATTR_HTTP_HOST]));
  let urlPath = str(attributes[ATTR_URL_PATH]) ?? stripQuery(str(attributes[ATTR_HTTP_TARGET]));
  if (urlPath === undefined || host === undefined) {
    const url = parseUrl(str(attributes[ATTR_URL_FULL]) ?? str(attributes[ATTR_HTTP_URL]));
    urlPath ??= url?.pathname || (url ? '/' : undefined);
    // The URL's host is the Host header a middleware built it from.
    host ??= url?.hostname || undefined;
  }
  // One plain object: conditional spreads here cost more than the whole rule match.
  return { host, method, urlPath };
}

const NO_REQUEST: SamplingRequest = Object.freeze({});

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function stripPort(host: string | undefined): string | undefined {
  if (host === undefined || host.startsWith('[')) return host;
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function stripQuery(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

function parseUrl(url: string | undefined): URL | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
