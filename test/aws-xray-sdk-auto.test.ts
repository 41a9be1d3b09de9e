// "It just works, like the SDK did": with no OpenTelemetry setup, the drop-in (ESM, through the
// `--import` alias) and the recorder facade register the X-Ray pipeline themselves and a short
// script loses nothing: its segments reach the daemon before the process exits.
import { beforeAll, describe, expect, it } from 'vitest';
import { PROGRAMS, requireBuiltAlias, runProgram } from './support/parity.js';

beforeAll(() => requireBuiltAlias());

describe('first use without a tracer provider', () => {
  it('an ESM program under `node --import xray-otel-bridge/alias` sends its segment', async () => {
    const run = await runProgram(`${PROGRAMS}esm-import.mjs`, 'dropin', { AWS_XRAY_LOG_LEVEL: 'info' }, ['--import', 'xray-otel-bridge/alias']);
    expect(run.code, run.stderr).toBe(0);
    // The SDK's logger writes info through console.info (stdout), as the SDK's does.
    const lines = run.stdout.split('\n').filter((l) => !l.includes('[INFO]'));
    expect(lines).toEqual(['express middleware: function function', 'done', '']);
    expect(run.traces).toEqual([
      {
        trace: 'T1',
        roots: [{ name: 'esm-service', kind: 'segment', children: [{ name: 'work', kind: 'subsegment', annotations: { esm: true }, children: [] }] }],
      },
    ]);
    // Said once, at info level.
    expect(run.stdout.match(/\[INFO\] No OpenTelemetry tracer provider is registered: registered the X-Ray pipeline/g)).toHaveLength(1);
    for (const d of run.documents) expect(d.errors).toEqual([]);
  });

  it('the recorder facade sends its segment instead of nothing', async () => {
    const run = await runProgram(`${PROGRAMS}recorder-facade.mjs`, 'sdk', { AWS_XRAY_LOG_LEVEL: 'info' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('ended\n');
    expect(run.traces).toEqual([
      {
        trace: 'T1',
        roots: [
          {
            name: 'facade-service',
            kind: 'segment',
            metadata: { default: { k: 'v' } },
            children: [{ name: 'step', kind: 'subsegment', annotations: { n: 1 }, children: [] }],
          },
        ],
      },
    ]);
    expect(run.stderr.match(/registered the X-Ray pipeline/g)).toHaveLength(1);
  });
});

describe('sampling of requests that arrive without a decision', () => {
  it("X-Ray's default rule (1 per second, then 5%) decides when the drop-in registered the pipeline, as in the SDK", async () => {
    // 20 requests within a second or two: the reservoir takes one a second, 5% of the rest.
    // Every request traced (the behaviour before) has a chance of 0.05^18 with this rule.
    for (const runtime of ['sdk', 'dropin'] as const) {
      const run = await runProgram(`${PROGRAMS}express-sampling.cjs`, runtime);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('answered 20\n');
      expect(run.traces.length, runtime).toBeGreaterThanOrEqual(1);
      expect(run.traces.length, runtime).toBeLessThan(20);
      for (const d of run.documents) expect(d.errors).toEqual([]);
    }
  });

  it('setSamplingRules overrides it: a rule of rate 1 traces every request, under the SDK and the drop-in alike', async () => {
    const sdk = await runProgram(`${PROGRAMS}express-sampling.cjs`, 'sdk', { SAMPLING_RULES: 'all' });
    const dropin = await runProgram(`${PROGRAMS}express-sampling.cjs`, 'dropin', { SAMPLING_RULES: 'all' });
    expect(sdk.traces.length).toBe(20);
    expect(dropin.stdout).toBe(sdk.stdout);
    expect(dropin.traces).toEqual(sdk.traces);
  });
});
