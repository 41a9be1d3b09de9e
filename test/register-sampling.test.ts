import { SpanKind, trace } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { registerXRay, type RegisterXRayOptions, type XRayRegistration } from '../src/setup/register.js';
import { capturingLogger } from './fixtures/recorder-harness.js';
import { binomialInterval } from './support/binomial.js';

let reg: XRayRegistration | undefined;
afterEach(async () => {
  await reg?.shutdown();
  reg = undefined;
});

/** Registers, starts `n` root spans in a row and counts the sampled ones. */
function sampledOf(options: RegisterXRayOptions, n: number): number {
  // Port 9 (discard): nothing needs to listen; the test counts decisions, not documents.
  reg = registerXRay({ daemonAddress: '127.0.0.1:9', ...options });
  const tracer = trace.getTracer('t');
  let sampled = 0;
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('GET /x', { kind: SpanKind.SERVER });
    if (span.isRecording()) sampled++;
    span.end();
  }
  return sampled;
}

describe("registerXRay's sampling option", () => {
  it('false (the default) keeps every trace', async () => {
    expect(sampledOf({}, 500)).toBe(500);
    await reg?.shutdown();
    expect(sampledOf({ sampling: false }, 500)).toBe(500);
  });

  it('a rules object decides', () => {
    expect(sampledOf({ sampling: { version: 2, default: { fixed_target: 0, rate: 0 } } }, 500)).toBe(0);
  });

  it("'local' is X-Ray's default rule: 1 per second, then 5%", () => {
    const n = 4000;
    const first = Math.floor(Date.now() / 1000);
    const sampled = sampledOf({ sampling: 'local' }, n);
    const seconds = Math.floor(Date.now() / 1000) - first + 1;
    const [lo, hi] = binomialInterval(n, 0.05, 0.9999);
    expect(sampled).toBeGreaterThanOrEqual(lo - seconds);
    expect(sampled).toBeLessThanOrEqual(hi + seconds);
  });

  it('a rules file that cannot be read is reported, and the default rule applies instead', () => {
    const logger = capturingLogger();
    const sampled = sampledOf({ sampling: '/nonexistent/sampling-rules.json', logger }, 4000);
    expect(logger.warnings()).toEqual([
      'X-Ray sampling: cannot read sampling rules /nonexistent/sampling-rules.json: ENOENT; using the default rule (1 request per second, then 5%)',
    ]);
    expect(sampled).toBeGreaterThan(0);
    expect(sampled).toBeLessThan(4000);
  });

  it('a sampler of your own wins over sampling, with a warning', () => {
    const logger = capturingLogger();
    expect(sampledOf({ sampler: new AlwaysOffSampler(), sampling: false, logger }, 100)).toBe(0);
    expect(logger.warnings()).toEqual(['registerXRay: both "sampler" and "sampling" are set; "sampler" is used']);
  });
});
