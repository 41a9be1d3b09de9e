import { isObject, parseRulesFile, parseSamplingRulesDocument, requireCount, requireNumber, requireRate } from '../sampling/rules-file.js';

/** A sampling rule in the X-Ray API's shape (`GetSamplingRules`). */
export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes: Record<string, string>;
}

const LOCAL_ARN_PREFIX = 'arn:aws:xray:local:000000000000:sampling-rule/';

function rule(partial: Partial<SamplingRule> & Pick<SamplingRule, 'RuleName' | 'Priority' | 'FixedRate' | 'ReservoirSize'>): SamplingRule {
  return {
    RuleARN: LOCAL_ARN_PREFIX + partial.RuleName,
    ResourceARN: '*',
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
    Attributes: {},
    ...partial,
  };
}

/** X-Ray's own default: the first request each second, then 5% (fixed_target 1, rate 0.05). */
export const DEFAULT_SAMPLING_RULE: SamplingRule = rule({ RuleName: 'Default', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1 });

export function defaultSamplingRules(): SamplingRule[] {
  return [{ ...DEFAULT_SAMPLING_RULE, Attributes: {} }];
}

/** Reads `--sampling-rules FILE`; throws a SamplingRulesError that names the file and what is wrong. */
export function loadSamplingRules(file: string): SamplingRule[] {
  return parseRulesFile(file, parseSamplingRules);
}

/**
 * Accepts the X-Ray SDKs' local rules file (`{"version": 2, "rules": [...], "default": {...}}`,
 * version 1 too) or what `aws xray get-sampling-rules` prints (`{"SamplingRuleRecords": [...]}`),
 * so an account's real rules can be replayed offline.
 */
export function parseSamplingRules(json: unknown): SamplingRule[] {
  if (!isObject(json)) throw new Error('expected a JSON object');
  if (Array.isArray(json.SamplingRuleRecords)) {
    const rules = json.SamplingRuleRecords.map((record, i) => {
      const r = isObject(record) && isObject(record.SamplingRule) ? record.SamplingRule : undefined;
      if (!r) throw new Error(`SamplingRuleRecords[${i}] has no "SamplingRule" object`);
      return apiRule(r, `SamplingRuleRecords[${i}].SamplingRule`);
    });
    if (rules.length === 0) throw new Error('SamplingRuleRecords is empty');
    return rules;
  }
  // Local rules become API rules in file order (priority 1, 2, …), the default last, as the SDKs rank them.
  const local = parseSamplingRulesDocument(json);
  return [
    ...local.rules.map((r, i) =>
      rule({
        RuleName: `local-${i + 1}`,
        Priority: i + 1,
        FixedRate: r.rate,
        ReservoirSize: r.fixedTarget,
        Host: r.host,
        HTTPMethod: r.httpMethod,
        URLPath: r.urlPath,
      }),
    ),
    rule({ RuleName: 'Default', Priority: 10000, FixedRate: local.default.rate, ReservoirSize: local.default.fixedTarget }),
  ];
}

function apiRule(r: Record<string, unknown>, where: string): SamplingRule {
  const name = r.RuleName;
  if (typeof name !== 'string' || name === '') throw new Error(`${where}."RuleName" must be a non-empty string`);
  return rule({
    RuleName: name,
    Priority: requireNumber(r, 'Priority', where),
    FixedRate: requireRate(r, 'FixedRate', where),
    ReservoirSize: requireCount(r, 'ReservoirSize', where),
    ...(typeof r.RuleARN === 'string' ? { RuleARN: r.RuleARN } : {}),
    ...pickStrings(r, ['ResourceARN', 'ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath']),
    Version: typeof r.Version === 'number' ? r.Version : 1,
    Attributes: isObject(r.Attributes) ? (r.Attributes as Record<string, string>) : {},
  });
}

function pickStrings(o: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}
