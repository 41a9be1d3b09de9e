import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shareReservoir } from '../src/local-daemon/sampling-quota.js';
import { startLocalDaemon, type LocalDaemon } from '../src/local-daemon/server.js';

const dir = mkdtempSync(join(tmpdir(), 'xray-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started: LocalDaemon[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.close()));
});

async function daemon(options: Parameters<typeof startLocalDaemon>[0] = {}): Promise<LocalDaemon> {
  const d = await startLocalDaemon({ address: '127.0.0.1:0', ...options });
  started.push(d);
  return d;
}

async function post(d: LocalDaemon, path: string, body: unknown = {}): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${d.address.tcp.port}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

function rulesFile(name: string, apiRate: number, reservoir = 10): string {
  const file = join(dir, name);
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
    await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', a, 300, 40, 8)] });
    const second = await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', b, 100, 15, 8)] });
    // a reported 300 requests (30/s over the 10 s interval), b 100 (10/s): 6 and 2 of 8.
    expect(second.SamplingTargetDocuments).toEqual([
      { RuleName: 'local-1', FixedRate: 0.1, ReservoirQuota: 2, ReservoirQuotaTTL: expect.any(Number), Interval: 10 },
    ]);
    const third = await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('local-1', a, 300)] });
    expect(third.SamplingTargetDocuments[0].ReservoirQuota).toBe(6);
    expect(d.sampling.snapshot().rules[0]).toMatchObject({ RuleName: 'local-1', counts: { requests: 700, sampled: 55, borrowed: 16 }, clients: 2 });
  });

  it('tells samplers the interval it was given', async () => {
    const d = await daemon({ samplingIntervalSeconds: 1 });
    const r = await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('Default', 'c'.repeat(24), 1)] });
    expect(r.SamplingTargetDocuments[0]).toMatchObject({ Interval: 1, ReservoirQuota: 1 });
  });
});

describe('a rules file that changes', () => {
  it('is re-read at the next call, and LastRuleModification moves so samplers refresh', async () => {
    const file = rulesFile('live.json', 0.1);
    const d = await daemon({ samplingRulesFile: file });
    const before = await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [] });
    await new Promise((r) => setTimeout(r, 20));
    rulesFile('live.json', 0.9, 12345);
    const rules = await post(d, '/GetSamplingRules');
    expect(rules.SamplingRuleRecords[0].SamplingRule).toMatchObject({ RuleName: 'local-1', FixedRate: 0.9, ReservoirSize: 12345 });
    const after = await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [] });
    expect(after.LastRuleModification).toBeGreaterThan(before.LastRuleModification);
  });

  it('that is broken keeps the previous rules and says why (a \'warning\' event)', async () => {
    const file = rulesFile('broken.json', 0.25);
    const d = await daemon({ samplingRulesFile: file });
    const warnings: string[] = [];
    d.on('warning', (m) => warnings.push(m));
    writeFileSync(file, '{"version": 2, "default": {"fixed_target": 1}}');
    const rules = await post(d, '/GetSamplingRules');
    expect(rules.SamplingRuleRecords[0].SamplingRule).toMatchObject({ FixedRate: 0.25 });
    expect(warnings).toEqual([expect.stringMatching(/broken\.json: default\."rate" must be a number; the previous rules stay in force$/)]);
    // Said once per change, not on every call.
    await post(d, '/GetSamplingRules');
    expect(warnings).toHaveLength(1);
  });
});

describe('the web page\'s sampling panel', () => {
  it('GET /api/sampling lists the rules with what samplers reported; the page loads the panel', async () => {
    const d = await daemon({ http: '127.0.0.1:0', samplingRulesFile: rulesFile('web.json', 0.5) });
    await post(d, '/SamplingTargets', { SamplingStatisticsDocuments: [stats('Default', 'd'.repeat(24), 42, 3, 1)] });
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
