import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SamplingRulesError } from '../shared/errors.js';

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

/** Reads `--sampling-rules FILE`; throws an Error that names the file and what is wrong. */
export function loadSamplingRules(file: string): SamplingRule[] {
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
    return parseSamplingRules(json);
  } catch (err) {
    throw new SamplingRulesError(`sampling rules ${file}: ${(err as Error).message}`);
  }
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
  return localRules(json);
}

function apiRule(r: Record<string, unknown>, where: string): SamplingRule {
  const name = requireString(r, 'RuleName', where);
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

function localRules(json: Record<string, unknown>): SamplingRule[] {
  const version = json.version;
  if (version !== 1 && version !== 2) {
    throw new Error(`"version" must be 1 or 2 (the X-Ray SDK local rules format), got ${JSON.stringify(version) ?? 'nothing'}`);
  }
  if (!isObject(json.default)) throw new Error('"default" must be an object with "fixed_target" and "rate"');
  const out: SamplingRule[] = [];
  const raw = json.rules ?? [];
  if (!Array.isArray(raw)) throw new Error('"rules" must be an array');
  raw.forEach((r, i) => {
    const where = `rules[${i}]`;
    if (!isObject(r)) throw new Error(`${where} must be an object`);
    // Version 1 matched on service_name where version 2 matches on host; the SDKs treat them alike.
    const host = version === 1 ? requireString(r, 'service_name', where) : requireString(r, 'host', where);
    out.push(
      rule({
        RuleName: `local-${i + 1}`,
        Priority: i + 1,
        FixedRate: requireRate(r, 'rate', where),
        ReservoirSize: requireCount(r, 'fixed_target', where),
        Host: host,
        HTTPMethod: requireString(r, 'http_method', where),
        URLPath: requireString(r, 'url_path', where),
      }),
    );
  });
  out.push(
    rule({
      RuleName: 'Default',
      Priority: 10000,
      FixedRate: requireRate(json.default, 'rate', 'default'),
      ReservoirSize: requireCount(json.default, 'fixed_target', 'default'),
    }),
  );
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function requireString(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${where}."${key}" must be a non-empty string`);
  return v;
}
function requireNumber(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}."${key}" must be a number`);
  return v;
}
function requireRate(o: Record<string, unknown>, key: string, where: string): number {
  const v = requireNumber(o, key, where);
  if (v < 0 || v > 1) throw new Error(`${where}."${key}" must be between 0 and 1, got ${v}`);
  return v;
}
function requireCount(o: Record<string, unknown>, key: string, where: string): number {
  const v = requireNumber(o, key, where);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${where}."${key}" must be a whole number of at least 0, got ${v}`);
  return v;
}
function pickStrings(o: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}

export interface SamplingEndpointOptions {
  rules?: SamplingRule[];
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

/** How often samplers should come back for targets, as the X-Ray service says (seconds). */
const TARGET_INTERVAL_S = 10;
const MAX_BODY_BYTES = 1 << 20;

/**
 * The two sampling calls X-Ray SDK samplers make through the daemon's TCP proxy, answered locally
 * in the API's JSON shapes. Returns a request listener for `http.createServer`.
 */
export function createSamplingEndpoint(options: SamplingEndpointOptions = {}) {
  const rules = options.rules ?? defaultSamplingRules();
  const now = options.now ?? Date.now;
  // Timestamps in the X-Ray API's JSON are epoch seconds.
  const loadedAt = now() / 1000;
  const byName = new Map(rules.map((r) => [r.RuleName, r]));

  const getSamplingRules = () => ({
    SamplingRuleRecords: rules.map((r) => ({ SamplingRule: r, CreatedAt: loadedAt, ModifiedAt: loadedAt })),
  });

  const samplingTargets = (body: unknown) => {
    const docs = isObject(body) && Array.isArray(body.SamplingStatisticsDocuments) ? body.SamplingStatisticsDocuments : [];
    const t = now() / 1000;
    const targets: object[] = [];
    const unprocessed: object[] = [];
    for (const doc of docs) {
      const name = isObject(doc) && typeof doc.RuleName === 'string' ? doc.RuleName : undefined;
      const r = name === undefined ? undefined : byName.get(name);
      if (!r) {
        unprocessed.push({ RuleName: name ?? '', ErrorCode: '400', Message: `unknown sampling rule ${JSON.stringify(name ?? null)}` });
        continue;
      }
      // One local client gets the whole reservoir; the service would share it among clients.
      targets.push({
        RuleName: r.RuleName,
        FixedRate: r.FixedRate,
        ReservoirQuota: r.ReservoirSize,
        ReservoirQuotaTTL: t + TARGET_INTERVAL_S,
        Interval: TARGET_INTERVAL_S,
      });
    }
    return { SamplingTargetDocuments: targets, LastRuleModification: loadedAt, UnprocessedStatistics: unprocessed };
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = path === '/GetSamplingRules' ? getSamplingRules : path === '/SamplingTargets' ? samplingTargets : undefined;
    if (!handler) {
      sendJson(res, 404, {
        __type: 'NotFoundException',
        message: 'this local X-Ray daemon stand-in answers only POST /GetSamplingRules and POST /SamplingTargets',
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendJson(res, 405, { __type: 'MethodNotAllowed', message: `${path} takes POST` });
      return;
    }
    readBody(req)
      .then((text) => {
        let body: unknown = {};
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            sendJson(res, 400, { __type: 'InvalidRequestException', message: 'the request body is not JSON' });
            return;
          }
        }
        sendJson(res, 200, handler(body));
      })
      .catch((err: Error) => sendJson(res, 413, { __type: 'InvalidRequestException', message: err.message }));
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
