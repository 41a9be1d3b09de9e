import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shareReservoir } from '../src/local-daemon/sampling-quota.js';
import { DEFAULT_SAMPLING_RULE, loadSamplingRules, parseSamplingRules } from '../src/local-daemon/sampling.js';
import { startLocalDaemon, type LocalDaemon } from '../src/local-daemon/server.js';

const started: LocalDaemon[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.close()));
});

async function daemon(options: Parameters<typeof startLocalDaemon>[0] = {}): Promise<LocalDaemon> {
  const d = await startLocalDaemon({ address: '127.0.0.1:0', ...options });
  started.push(d);
  return d;
}

async function post(d: LocalDaemon, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${d.address.tcp.port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('sampling endpoints on the daemon\'s TCP port', () => {
  it('listens for sampling on the same port as for documents', async () => {
    const d = await daemon();
    expect(d.address.tcp).toEqual(d.address.udp);
    expect(d.address.daemonAddress).toBe(`127.0.0.1:${d.address.udp.port}`);
  });

  it('POST /GetSamplingRules answers X-Ray\'s default rule in the API\'s shape', async () => {
    const d = await daemon();
    const { status, json } = await post(d, '/GetSamplingRules', {});
    expect(status).toBe(200);
    expect(json).toEqual({
      SamplingRuleRecords: [
        {
          SamplingRule: {
            RuleName: 'Default',
            RuleARN: expect.stringMatching(/^arn:aws:xray:.*:sampling-rule\/Default$/),
            Priority: 10000,
            FixedRate: 0.05,
            ReservoirSize: 1,
            ServiceName: '*',
            ServiceType: '*',
            Host: '*',
            HTTPMethod: '*',
            URLPath: '*',
            ResourceARN: '*',
            Version: 1,
            Attributes: {},
          },
          CreatedAt: expect.any(Number),
          ModifiedAt: expect.any(Number),
        },
      ],
    });
  });

  it('POST /SamplingTargets answers a target for each known rule and lists unknown ones as unprocessed', async () => {
    const d = await daemon();
    const now = Math.floor(Date.now() / 1000);
    const { status, json } = await post(d, '/SamplingTargets', {
      SamplingStatisticsDocuments: [
        { RuleName: 'Default', ClientID: 'a'.repeat(24), RequestCount: 10, BorrowCount: 1, SampledCount: 2, Timestamp: now },
        { RuleName: 'Gone', ClientID: 'a'.repeat(24), RequestCount: 1, BorrowCount: 0, SampledCount: 0, Timestamp: now },
      ],
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      SamplingTargetDocuments: [{ RuleName: 'Default', FixedRate: 0.05, ReservoirQuota: 1, ReservoirQuotaTTL: expect.any(Number), Interval: 10 }],
      LastRuleModification: expect.any(Number),
      UnprocessedStatistics: [{ RuleName: 'Gone', ErrorCode: '400', Message: 'unknown sampling rule "Gone"' }],
    });
    expect(json.SamplingTargetDocuments[0].ReservoirQuotaTTL).toBeGreaterThan(Date.now() / 1000);
  });

  it('answers other paths, other methods and bad bodies with errors', async () => {
    const d = await daemon();
    expect((await post(d, '/TraceSegments', {})).status).toBe(404);
    expect((await post(d, '/SamplingTargets', '{oops')).status).toBe(400);
    const get = await fetch(`http://127.0.0.1:${d.address.tcp.port}/GetSamplingRules`);
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  it('serves the rules given to it', async () => {
    const rules = parseSamplingRules({
      version: 2,
      rules: [{ description: 'health checks', host: '*', http_method: 'GET', url_path: '/health', fixed_target: 0, rate: 0 }],
      default: { fixed_target: 2, rate: 0.5 },
    });
    const d = await daemon({ samplingRules: rules });
    const { json } = await post(d, '/GetSamplingRules', {});
    expect(json.SamplingRuleRecords.map((r: any) => r.SamplingRule)).toEqual([
      expect.objectContaining({ RuleName: 'local-1', Priority: 1, HTTPMethod: 'GET', URLPath: '/health', FixedRate: 0, ReservoirSize: 0 }),
      expect.objectContaining({ RuleName: 'Default', Priority: 10000, FixedRate: 0.5, ReservoirSize: 2 }),
    ]);
  });
});

describe('--sampling-rules files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xray-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('reads the X-Ray SDK local rules format, versions 1 and 2', () => {
    const v1 = loadSamplingRules(
      write('v1.json', { version: 1, rules: [{ service_name: 'orders', http_method: '*', url_path: '/api/*', fixed_target: 1, rate: 0.1 }], default: { fixed_target: 1, rate: 0.05 } }),
    );
    expect(v1[0]).toMatchObject({ Host: 'orders', URLPath: '/api/*', FixedRate: 0.1, ReservoirSize: 1 });
    expect(v1[1]).toEqual(DEFAULT_SAMPLING_RULE);
  });

  it('reads what "aws xray get-sampling-rules" prints', () => {
    const rules = loadSamplingRules(
      write('api.json', {
        SamplingRuleRecords: [
          { SamplingRule: { RuleName: 'checkout', RuleARN: 'arn:aws:xray:eu-west-1:123456789012:sampling-rule/checkout', Priority: 5, FixedRate: 1, ReservoirSize: 10, ServiceName: 'shop', ServiceType: '*', Host: '*', HTTPMethod: 'POST', URLPath: '/checkout', ResourceARN: '*', Version: 1, Attributes: {} } },
        ],
      }),
    );
    expect(rules).toEqual([expect.objectContaining({ RuleName: 'checkout', RuleARN: 'arn:aws:xray:eu-west-1:123456789012:sampling-rule/checkout', ServiceName: 'shop', Priority: 5 })]);
  });

  it.each([
    ['not JSON', '{', /are not JSON/],
    ['no version', { default: { fixed_target: 1, rate: 0.05 } }, /"version" must be 1 or 2/],
    ['no default', { version: 2 }, /"default" must be an object/],
    ['a rate above 1', { version: 2, default: { fixed_target: 1, rate: 5 } }, /default\."rate" must be between 0 and 1, got 5/],
    ['a rule without url_path', { version: 2, rules: [{ host: '*', http_method: '*', fixed_target: 1, rate: 0.1 }], default: { fixed_target: 1, rate: 0.05 } }, /rules\[0\]\."url_path" must be a non-empty string/],
  ])('refuses a file with %s, naming the file and the problem', (_what, content, message) => {
    const file = write('bad.json', content);
    expect(() => loadSamplingRules(file)).toThrow(message);
    expect(() => loadSamplingRules(file)).toThrow(file);
    expect(() => loadSamplingRules(file)).toThrow(expect.objectContaining({ code: 'ERR_XRAY_SAMPLING_RULES' }));
  });
});

describe('compatibility with a real X-Ray SDK sampler', () => {
  it('aws-xray-sdk-core fetches rules and targets from the stand-in', async () => {
    const d = await daemon();
    const require = createRequire(import.meta.url);
    const DaemonConfig = require('aws-xray-sdk-core/dist/lib/daemon_config');
    const ServiceConnector = require('aws-xray-sdk-core/dist/lib/middleware/sampling/service_connector');
    DaemonConfig.setDaemonAddress(d.address.daemonAddress);

    const rules: any[] = await new Promise((resolve, reject) =>
      ServiceConnector.fetchSamplingRules((err: Error | null, r: any[]) => (err ? reject(err) : resolve(r))),
    );
    expect(rules.map((r) => [r.getName(), r.isDefault()])).toEqual([['Default', true]]);

    const targets: Record<string, { rate: number; quota: number; interval: number }> = await new Promise((resolve, reject) =>
      ServiceConnector.fetchTargets(rules, (err: Error | null, t: any) => (err ? reject(err) : resolve(t))),
    );
    expect(targets.Default).toMatchObject({ rate: 0.05, quota: 1, interval: 10 });
  });
});

// Reservoir quotas, live rules files and the web panel.
const targetsDir = mkdtempSync(join(tmpdir(), 'xray-targets-'));
afterAll(() => rmSync(targetsDir, { recursive: true, force: true }));

async function postJson(d: LocalDaemon, path: string, body: unknown = {}): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${d.address.tcp.port}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

function rulesFile(name: string, apiRate: number, reservoir = 10): string {
  const file = join(targetsDir, name);
  writeFileSync(
    file,
    JSON.stringify({
      version: 2,
      rules: [{ description: 'api', host: '*', http_method: '*', url_path: '/api/*', fixed_target: reservoir, rate: apiRate }],
      default: { fixed_target: 1, rate: 0.05 },
    }),
  );
  return file;
}

const stats = (rule: string, client: string, requests: number, sampled = 0, borrowed = 0) => ({
  RuleName: rule,
  ClientID: client,
  RequestCount: requests,
  SampledCount: sampled,
  BorrowCount: borrowed,
  Timestamp: Math.floor(Date.now() / 1000),
});

describe('reservoir quotas from reported statistics', () => {
  it('one client gets the whole reservoir', () => {
    expect(shareReservoir(10, [{ id: 'a', rate: 3 }])).toEqual(new Map([['a', 10]]));
  });

  it('clients share in proportion to their request rates, in whole traces that add up to the reservoir', () => {
    const quotas = shareReservoir(10, [
      { id: 'a', rate: 30 },
      { id: 'b', rate: 10 },
      { id: 'c', rate: 5 },
    ]);
    // Exact shares 6.67, 2.22, 1.11: floors 6 + 2 + 1, the one left over to the largest remainder.
    expect(quotas).toEqual(new Map([['a', 7], ['b', 2], ['c', 1]]));
  });

  it('idle clients share evenly; none is owed more than the reservoir', () => {
    expect(shareReservoir(3, [{ id: 'b', rate: 0 }, { id: 'a', rate: 0 }])).toEqual(new Map([['b', 1], ['a', 2]]));
    expect(shareReservoir(0, [{ id: 'a', rate: 5 }])).toEqual(new Map([['a', 0]]));
  });

  it('the daemon answers each client its share of the rule\'s reservoir', async () => {
    const d = await daemon({ samplingRulesFile: rulesFile('share.json', 0.1, 8) });
    const a = 'a'.repeat(24);
    const b = 'b'.repeat(24);
    await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', a, 300, 40, 8)] });
    const second = await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', b, 100, 15, 8)] });
    // a reported 300 requests (30/s over the 10 s interval), b 100 (10/s): 6 and 2 of 8.
    expect(second.SamplingTargetDocuments).toEqual([
      { RuleName: 'local-1', FixedRate: 0.1, ReservoirQuota: 2, ReservoirQuotaTTL: expect.any(Number), Interval: 10 },
    ]);
    const third = await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', a, 300)] });
    expect(third.SamplingTargetDocuments[0].ReservoirQuota).toBe(6);
    expect(d.sampling.snapshot().rules[0]).toMatchObject({ RuleName: 'local-1', counts: { requests: 700, sampled: 55, borrowed: 16 }, clients: 2 });
  });

  it('tells samplers the interval it was given', async () => {
    const d = await daemon({ samplingIntervalSeconds: 1 });
    const r = await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('Default', 'c'.repeat(24), 1)] });
    expect(r.SamplingTargetDocuments[0]).toMatchObject({ Interval: 1, ReservoirQuota: 1 });
  });
});

describe('a rules file that changes', () => {
  it('is re-read at the next call, and LastRuleModification moves so samplers refresh', async () => {
    const file = rulesFile('live.json', 0.1);
    const d = await daemon({ samplingRulesFile: file });
    const before = await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [] });
    await new Promise((r) => setTimeout(r, 20));
    rulesFile('live.json', 0.9, 12345);
    const rules = await postJson(d, '/GetSamplingRules');
    expect(rules.SamplingRuleRecords[0].SamplingRule).toMatchObject({ RuleName: 'local-1', FixedRate: 0.9, ReservoirSize: 12345 });
    const after = await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [] });
    expect(after.LastRuleModification).toBeGreaterThan(before.LastRuleModification);
  });

  it('that is broken keeps the previous rules and says why (a \'warning\' event)', async () => {
    const file = rulesFile('broken.json', 0.25);
    const d = await daemon({ samplingRulesFile: file });
    const warnings: string[] = [];
    d.on('warning', (m) => warnings.push(m));
    writeFileSync(file, '{"version": 2, "default": {"fixed_target": 1}}');
    const rules = await postJson(d, '/GetSamplingRules');
    expect(rules.SamplingRuleRecords[0].SamplingRule).toMatchObject({ FixedRate: 0.25 });
    expect(warnings).toEqual([expect.stringMatching(/broken\.json: default\."rate" must be a number; the previous rules stay in force$/)]);
    // Said once per change, not on every call.
    await postJson(d, '/GetSamplingRules');
    expect(warnings).toHaveLength(1);
  });
});

describe('the web page\'s sampling panel', () => {
  it('GET /api/sampling lists the rules with what samplers reported; the page loads the panel', async () => {
    const d = await daemon({ http: '127.0.0.1:0', samplingRulesFile: rulesFile('web.json', 0.5) });
    await postJson(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('Default', 'd'.repeat(24), 42, 3, 1)] });
    const base = d.address.http!.url;
    const api = (await (await fetch(`${base}api/sampling`)).json()) as any;
    expect(api.rulesFile).toMatch(/web\.json$/);
    expect(api.rules.map((r: any) => [r.RuleName, r.URLPath, r.counts])).toEqual([
      ['local-1', '/api/*', { requests: 0, sampled: 0, borrowed: 0 }],
      ['Default', '*', { requests: 42, sampled: 3, borrowed: 1 }],
    ]);
    const page = await (await fetch(base)).text();
    expect(page).toContain('id="sampling-panel"');
    expect(page).toContain('<script src="/sampling.js" defer></script>');
    const script = await fetch(`${base}sampling.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("fetch('/api/sampling'");
  });
});
