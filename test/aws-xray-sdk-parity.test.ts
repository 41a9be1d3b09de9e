// Parity: legacy programs written against aws-xray-sdk-core run unchanged on the drop-in
// (`node --require xray-otel-bridge/alias`) and send the same traces as under the real SDK.
// Each intended difference is normalised in test/support/parity.ts and listed in docs/aws-xray-sdk-core.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from './support/fake-aws.js';
import { PROGRAMS, requireBuiltAlias, runProgram, type Run } from './support/parity.js';

const LAMBDA_ENV = {
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_LAMBDA_FUNCTION_NAME: 'orders-fn',
  _X_AMZN_TRACE_ID: 'Root=1-abcdef01-0123456789abcdef01234567;Parent=1111222233334444;Sampled=1',
};

let fakeAws: FakeAws;

beforeAll(async () => {
  requireBuiltAlias();
  fakeAws = await startFakeAws();
});
afterAll(() => fakeAws?.close());

async function both(program: string, env: Record<string, string> = {}): Promise<{ sdk: Run; dropin: Run }> {
  const sdk = await runProgram(`${PROGRAMS}${program}`, 'sdk', env);
  const dropin = await runProgram(`${PROGRAMS}${program}`, 'dropin', env);
  return { sdk, dropin };
}

function expectSame({ sdk, dropin }: { sdk: Run; dropin: Run }, expectedTraces: number): void {
  expect(sdk.code, sdk.stderr).toBe(0);
  expect(sdk.traces.length).toBe(expectedTraces);
  expect(dropin.stdout).toBe(sdk.stdout);
  expect(dropin.code, dropin.stderr).toBe(sdk.code);
  expect(dropin.traces).toEqual(sdk.traces);
  for (const d of dropin.documents) expect(d.errors, JSON.stringify(d.document)).toEqual([]);
}

/** [what the program shows, program, traces it sends, environment]. */
const PROGRAMS_TABLE: Array<[string, string, number, Record<string, string>?]> = [
  ['manual mode: explicit parents, captureFunc and captureAsyncFunc', 'manual-mode.cjs', 1],
  ['automatic mode: getNamespace().run, setSegment, nested captureAsyncFunc', 'automatic-mode.cjs', 1],
  ['errors: thrown through captureFunc, close(err, remote), addError(string), captureCallbackFunc', 'callbacks-and-errors.cjs', 1],
  ['an error rethrown through nested captures is recorded once; addAttribute of names that are not X-Ray fields', 'nested-errors.cjs', 1],
  ['flags, user, SQL data and precursor ids', 'flags-user-sql.cjs', 1],
  ['context-missing strategies and bad arguments: what is thrown, returned and printed', 'context-missing.cjs', 1],
  ['express: 200 with an incoming trace header, 404, 429 and a thrown 500', 'express.cjs', 4],
  ['captureHTTPsGlobal: 200, 503, 404 and a refused connection', 'http-global.cjs', 1],
  ['Lambda: subsegments under the function segment Lambda owns', 'lambda.cjs', 1, LAMBDA_ENV],
];

describe('legacy aws-xray-sdk-core programs, under the SDK and under the drop-in', () => {
  for (const [title, program, traces, env] of PROGRAMS_TABLE) {
    it(title, async () => {
      expectSame(await both(program, env), traces);
    });
  }

  it('captureAWSv3Client against a local DynamoDB stand-in: get, put, not found, throttled', async () => {
    const runs = await both('aws-v3.cjs', { FAKE_AWS_ENDPOINT: fakeAws.endpoint });
    expectSame(runs, 1);
    // Both sent the trace header downstream on all four calls.
    expect(fakeAws.traceHeaders.filter((h) => h?.startsWith('Root=1-')).length).toBe(8);
  });
});
