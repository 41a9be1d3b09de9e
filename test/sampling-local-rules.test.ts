import { ROOT_CONTEXT, SpanKind, type Attributes } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalRulesSampler } from '../src/sampling/create.js';
import { LocalRulesSampler, samplingRequestOf } from '../src/sampling/local-sampler.js';
import { loadSamplingRules, type SamplingRulesDocument } from '../src/sampling/rules-file.js';
import { compileWildcard } from '../src/sampling/wildcard.js';
import { binomialInterval } from './support/binomial.js';

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';

function sampler(doc: SamplingRulesDocument, options: ConstructorParameters<typeof LocalRulesSampler>[1] = {}): LocalRulesSampler {
  return new LocalRulesSampler(loadSamplingRules(doc), options);
}

function decide(s: LocalRulesSampler, attributes: Attributes = {}): boolean {
  return s.shouldSample(ROOT_CONTEXT, TRACE_ID, 'GET', SpanKind.SERVER, attributes).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

const http = (method: string, path: string, host = 'shop.example.com'): Attributes => ({
  'http.request.method': method,
  'url.path': path,
  'server.address': host,
});

/** A clock tests move by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the rate', () => {
  it('samples a share of decisions within the 99.9% binomial interval (rate 0.1, no reservoir, 20,000 decisions)', () => {
    const s = sampler({ version: 2, default: { fixed_target: 0, rate: 0.1 } });
    const n = 20_000;
    let sampled = 0;
    for (let i = 0; i < n; i++) if (decide(s)) sampled++;
    const [lo, hi] = binomialInterval(n, 0.1, 0.999);
    expect(sampled).toBeGreaterThanOrEqual(lo);
    expect(sampled).toBeLessThanOrEqual(hi);
  });

  it('is exact at its ends: rate 0 samples nothing, rate 1 everything', () => {
    const none = sampler({ version: 2, default: { fixed_target: 0, rate: 0 } });
    const all = sampler({ version: 2, default: { fixed_target: 0, rate: 1 } });
    for (let i = 0; i < 1000; i++) {
      expect(decide(none)).toBe(false);
      expect(decide(all)).toBe(true);
    }
  });
});

describe('the reservoir (fixed_target per second)', () => {
  it('borrows exactly fixed_target decisions each second before the rate applies', () => {
    const clock = fakeClock();
    let rateAsked = 0;
    const s = sampler(
      { version: 2, default: { fixed_target: 5, rate: 0 } },
      { now: clock.now, random: () => (rateAsked++, 0.5) },
    );
    for (let second = 0; second < 4; second++) {
      const decisions = Array.from({ length: 50 }, () => decide(s));
      expect(decisions.slice(0, 5)).toEqual([true, true, true, true, true]);
      expect(decisions.slice(5).some(Boolean)).toBe(false);
      // The rate is consulted only once the reservoir is spent.
      expect(rateAsked).toBe(45 * (second + 1));
      clock.advance(1000);
    }
  });

  it('refills at each new calendar second, not 1000 ms after the first decision', () => {
    const clock = fakeClock(1_700_000_000_900);
    const s = sampler({ version: 2, default: { fixed_target: 2, rate: 0 } }, { now: clock.now });
    expect([decide(s), decide(s), decide(s)]).toEqual([true, true, false]);
    clock.advance(100); // the next second begins
    expect([decide(s), decide(s), decide(s)]).toEqual([true, true, false]);
    clock.advance(999);
    expect(decide(s)).toBe(false);
  });

  it('then samples the rest at the rate (reservoir 5/s, rate 0.5, 1,000 decisions in one second)', () => {
    const clock = fakeClock();
    const s = sampler({ version: 2, default: { fixed_target: 5, rate: 0.5 } }, { now: clock.now });
    let sampled = 0;
    for (let i = 0; i < 1000; i++) if (decide(s)) sampled++;
    const [lo, hi] = binomialInterval(995, 0.5, 0.9999);
    expect(sampled - 5).toBeGreaterThanOrEqual(lo);
    expect(sampled - 5).toBeLessThanOrEqual(hi);
  });

  it('is kept per rule', () => {
    const clock = fakeClock();
    const s = sampler(
      { version: 2, rules: [{ host: '*', http_method: '*', url_path: '/a', fixed_target: 1, rate: 0 }], default: { fixed_target: 1, rate: 0 } },
      { now: clock.now },
    );
    expect([decide(s, http('GET', '/a')), decide(s, http('GET', '/a'))]).toEqual([true, false]);
    expect([decide(s, http('GET', '/b')), decide(s, http('GET', '/b'))]).toEqual([true, false]);
  });
});

describe('rule matching', () => {
  const doc: SamplingRulesDocument = {
    version: 2,
    rules: [
      { description: 'health checks', host: '*', http_method: 'GET', url_path: '/health', fixed_target: 0, rate: 0 },
      { host: '*', http_method: '*', url_path: '/api/*', fixed_target: 0, rate: 1 },
      { description: 'shadowed by the one above', host: '*', http_method: '*', url_path: '/api/private', fixed_target: 0, rate: 0 },
      { host: 'admin.example.com', http_method: 'POST', url_path: '*', fixed_target: 0, rate: 1 },
      { host: '*', http_method: '*', url_path: '/v?/items', fixed_target: 0, rate: 1 },
    ],
    default: { fixed_target: 0, rate: 0 },
  };
  const s = sampler(doc);

  it.each([
    ['GET /health: the first rule', http('GET', '/health'), false],
    ['POST /health: method differs, falls to the default', http('POST', '/health'), false],
    ['GET /api/orders: "*" matches a run of characters', http('GET', '/api/orders'), true],
    ['GET /api/private: the first matching rule wins over a later, narrower one', http('GET', '/api/private'), true],
    ['GET /API/Orders: patterns ignore case', http('GET', '/API/Orders'), true],
    ['GET /apix: "/api/*" needs the slash', http('GET', '/apix'), false],
    ['POST to admin.example.com: host pattern', http('POST', '/anything', 'admin.example.com'), true],
    ['GET to admin.example.com: method differs', http('GET', '/anything', 'admin.example.com'), false],
    ['GET /v1/items: "?" matches one character', http('GET', '/v1/items'), true],
    ['GET /v10/items: "?" matches exactly one', http('GET', '/v10/items'), false],
    ['GET /v/items: "?" needs a character', http('GET', '/v/items'), false],
    ['an unmatched request: the default (last)', http('GET', '/other'), false],
  ])('%s', (_what, attributes, expected) => {
    expect(decide(s, attributes)).toBe(expected);
  });

  it('treats what a span does not say (no HTTP attributes) as matching, as the SDKs do: the first rule decides', () => {
    const first = sampler({ version: 2, rules: [{ host: 'x', http_method: 'PUT', url_path: '/y', fixed_target: 0, rate: 1 }], default: { fixed_target: 0, rate: 0 } });
    expect(decide(first, {})).toBe(true);
    expect(decide(first, { 'http.request.method': 'GET' })).toBe(false);
  });

  it('reads the older HTTP conventions too (http.method, http.target without the query, http.host without the port)', () => {
    expect(samplingRequestOf({ 'http.method': 'GET', 'http.target': '/api/x?q=1', 'http.host': 'shop:8080' })).toEqual({
      method: 'GET',
      urlPath: '/api/x',
      host: 'shop',
    });
    expect(samplingRequestOf({ 'url.full': 'https://shop.example.com/api/x?q=1' })).toEqual({ urlPath: '/api/x', host: 'shop.example.com' });
  });

  it('reads a version 1 file\'s service_name as the host, as the Node SDK does', () => {
    const v1 = sampler({
      version: 1,
      rules: [{ service_name: 'orders.example.com', http_method: '*', url_path: '*', fixed_target: 0, rate: 1 }],
      default: { fixed_target: 0, rate: 0 },
    });
    expect(decide(v1, http('GET', '/', 'orders.example.com'))).toBe(true);
    expect(decide(v1, http('GET', '/', 'other.example.com'))).toBe(false);
  });
});

describe('wildcards', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything at all', true],
    ['a*', 'a', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*.example.com', 'shop.example.com', true],
    ['*.example.com', 'shopexample.com', false],
    ['/a+b(c)', '/a+b(c)', true],
    ['/a+b(c)', '/aab(c)', false],
    ['GET', 'get', true],
    ['/a+*(c)', '/a+xy(c)', true],
    ['/a+*(c)', '/aaxy(c)', false],
  ])('%j against %j → %s', (pattern, text, expected) => {
    expect(compileWildcard(pattern)(text)).toBe(expected);
  });
});

describe('rules files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xray-local-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file by path', () => {
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ version: 2, rules: [{ host: '*', http_method: 'GET', url_path: '/x', fixed_target: 3, rate: 0.2 }], default: { fixed_target: 1, rate: 0.05 } }));
    expect(loadSamplingRules(file)).toEqual({
      version: 2,
      rules: [{ host: '*', httpMethod: 'GET', urlPath: '/x', fixedTarget: 3, rate: 0.2 }],
      default: { fixedTarget: 1, rate: 0.05 },
    });
  });

  it.each([
    ['an unknown rule key (a typo would otherwise widen the rule)', { version: 2, rules: [{ host: '*', http_method: '*', url_path: '*', fixed_target: 1, rate: 0.1, url: '/x' }], default: { fixed_target: 1, rate: 0.05 } }, /rules\[0\] has "url"/],
    ['version 2 with service_name', { version: 2, rules: [{ service_name: '*', http_method: '*', url_path: '*', fixed_target: 1, rate: 0.1 }], default: { fixed_target: 1, rate: 0.05 } }, /rules\[0\] has "service_name"/],
    ['a default with more than fixed_target and rate', { version: 2, default: { fixed_target: 1, rate: 0.05, host: '*' } }, /default has "host"/],
    ['a fractional fixed_target', { version: 2, default: { fixed_target: 1.5, rate: 0.05 } }, /"fixed_target" must be a whole number/],
    ['version 3', { version: 3, default: { fixed_target: 1, rate: 0.05 } }, /"version" must be 1 or 2/],
  ])('refuses %s', (_what, doc, message) => {
    expect(() => loadSamplingRules(doc as unknown as SamplingRulesDocument)).toThrow(message);
    expect(() => createLocalRulesSampler(doc as unknown as SamplingRulesDocument)).toThrow(
      expect.objectContaining({ name: 'SamplingRulesError', code: 'ERR_XRAY_SAMPLING_RULES' }),
    );
  });
});
