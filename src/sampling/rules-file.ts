import { readFileSync } from 'node:fs';
import { SamplingRulesError } from '../common/errors.js';

/**
 * The X-Ray SDKs' local sampling rules file, as JSON. Version 2 matches `host`; version 1 named
 * the same field `service_name` (the Node SDK reads it as the host).
 */
export interface SamplingRulesDocument {
  version: 1 | 2;
  default: { fixed_target: number; rate: number };
  rules?: SamplingRulesDocumentRule[];
}

export interface SamplingRulesDocumentRule {
  description?: string;
  /** Version 2: the request's Host header pattern. */
  host?: string;
  /** Version 1's name for `host`. */
  service_name?: string;
  http_method: string;
  url_path: string;
  /** Requests sampled each second before `rate` applies. */
  fixed_target: number;
  /** Share of the requests beyond the reservoir that are sampled, 0 to 1. */
  rate: number;
}

/** One rule, normalized: patterns use `*` and `?`. */
export interface LocalSamplingRule {
  description?: string;
  host: string;
  httpMethod: string;
  urlPath: string;
  fixedTarget: number;
  rate: number;
}

/** A parsed rules file: rules in file order (first match wins), then the default. */
export interface LocalSamplingRules {
  version: 1 | 2;
  rules: LocalSamplingRule[];
  default: { fixedTarget: number; rate: number };
}

/** X-Ray's default: the first request each second, then 5% of the rest. */
export const DEFAULT_LOCAL_RULES: LocalSamplingRules = Object.freeze({
  version: 2,
  rules: [],
  default: { fixedTarget: 1, rate: 0.05 },
}) as LocalSamplingRules;

const RULE_KEYS: Record<1 | 2, readonly string[]> = {
  1: ['service_name', 'http_method', 'url_path', 'fixed_target', 'rate'],
  2: ['host', 'http_method', 'url_path', 'fixed_target', 'rate'],
};

/**
 * Reads a rules file (a path) or takes the parsed object, and checks it as strictly as the Node
 * SDK does (unknown keys are errors, so a typo does not silently widen a rule). Throws a SamplingRulesError
 * that says what is wrong and where.
 */
export function loadSamplingRules(source: string | SamplingRulesDocument): LocalSamplingRules {
  if (typeof source === 'string') return parseRulesFile(source, parseSamplingRulesDocument);
  try {
    return parseSamplingRulesDocument(source);
  } catch (err) {
    throw new SamplingRulesError(`sampling rules: ${(err as Error).message}`);
  }
}

/** Reads a JSON rules file and applies `parse`; every error (a SamplingRulesError) names the file and what is wrong. */
export function parseRulesFile<T>(file: string, parse: (json: unknown) => T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SamplingRulesError(`cannot read sampling rules ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SamplingRulesError(`sampling rules ${file} are not JSON: ${(err as Error).message}`);
  }
  try {
    return parse(json);
  } catch (err) {
    throw new SamplingRulesError(`sampling rules ${file}: ${(err as Error).message}`);
  }
}

export function parseSamplingRulesDocument(json: unknown): LocalSamplingRules {
  if (!isObject(json)) throw new Error('expected a JSON object with "version", "default" and "rules"');
  const version = json.version;
  if (version !== 1 && version !== 2) {
    throw new Error(`"version" must be 1 or 2 (the X-Ray SDK local rules format), got ${JSON.stringify(version) ?? 'nothing'}`);
  }
  const def = json.default;
  if (!isObject(def)) throw new Error('"default" must be an object with "fixed_target" and "rate"');
  for (const key of Object.keys(def)) {
    if (key !== 'fixed_target' && key !== 'rate') throw new Error(`default has "${key}"; it takes only "fixed_target" and "rate"`);
  }
  const raw = json.rules ?? [];
  if (!Array.isArray(raw)) throw new Error('"rules" must be an array');
  const allowed = RULE_KEYS[version];
  const rules = raw.map((r: unknown, i): LocalSamplingRule => {
    const where = `rules[${i}]`;
    if (!isObject(r)) throw new Error(`${where} must be an object`);
    for (const key of Object.keys(r)) {
      if (key !== 'description' && !allowed.includes(key)) {
        throw new Error(`${where} has "${key}"; version ${version} rules take ${allowed.map((k) => `"${k}"`).join(', ')} and "description"`);
      }
    }
    const description = r.description;
    if (description !== undefined && typeof description !== 'string') throw new Error(`${where}."description" must be a string`);
    return {
      ...(description !== undefined ? { description } : {}),
      host: requirePattern(r, version === 1 ? 'service_name' : 'host', where),
      httpMethod: requirePattern(r, 'http_method', where),
      urlPath: requirePattern(r, 'url_path', where),
      fixedTarget: requireCount(r, 'fixed_target', where),
      rate: requireRate(r, 'rate', where),
    };
  });
  return { version, rules, default: { fixedTarget: requireCount(def, 'fixed_target', 'default'), rate: requireRate(def, 'rate', 'default') } };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function requirePattern(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${where}."${key}" must be a non-empty string (a pattern; "*" matches anything)`);
  return v;
}

export function requireNumber(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}."${key}" must be a number`);
  return v;
}

export function requireRate(o: Record<string, unknown>, key: string, where: string): number {
  const v = requireNumber(o, key, where);
  if (v < 0 || v > 1) throw new Error(`${where}."${key}" must be between 0 and 1, got ${v}`);
  return v;
}

export function requireCount(o: Record<string, unknown>, key: string, where: string): number {
  const v = requireNumber(o, key, where);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${where}."${key}" must be a whole number of at least 0, got ${v}`);
  return v;
}
