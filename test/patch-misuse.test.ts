import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForNode } from './support/bundle.js';
import { linkModules } from './support/linked-modules.js';

const run = promisify(execFile);

/** Not installed in the child's application: pg's instrumentation, and the AWS SDK altogether. */
const LEFT_OUT = new Set(['@opentelemetry/instrumentation-pg', '@aws-sdk', '@smithy', 'aws-sdk']);

let dir: string;
let out: {
  steps: Record<string, { result: { patched: string[]; skipped: Array<{ name: string; reason: string }> }; warnings: string[] }>;
  status: number;
  pgClient: string;
  mysql2: string;
  clientSpans: number;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patch-misuse-'));
  linkModules(join(dir, 'node_modules'), LEFT_OUT);
  const script = await bundleForNode('test/fixtures/patch-misuse-child.ts', join(dir, 'app.mjs'));
  const { stdout } = await run(process.execPath, [script], { cwd: dir });
  out = JSON.parse(stdout) as typeof out;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('patching gone wrong: warnings, never a throw, and the application keeps working', () => {
  it('a module loaded before patch(): patched, with a warning saying only later clients are traced and how to fix it', () => {
    const { result, warnings } = out.steps.afterLoad!;
    expect(result.patched).toEqual(['mysql2']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/mysql2 was loaded before it was patched.*first in the entry module; ES module applications: start with `node --import xray-otel-bridge\/register/);
  });

  it('an instrumentation that is not installed: the exact npm install line, once', () => {
    const { result, warnings } = out.steps.missingInstrumentation!;
    expect(result.patched).toEqual([]);
    expect(warnings).toEqual(["patch('pg'): @opentelemetry/instrumentation-pg is not installed, so pg calls are not traced; run `npm install @opentelemetry/instrumentation-pg@^0.76.0`"]);
    // Asked again under the Python name: reported in the result, not logged a second time.
    expect(out.steps.missingAgain!.result.skipped).toEqual([{ name: 'psycopg2', reason: expect.stringMatching(/npm install @opentelemetry\/instrumentation-pg@\^0\.76\.0/) }]);
    expect(out.steps.missingAgain!.warnings).toEqual([]);
  });

  it('a Python name with no Node counterpart, an unknown name, a non-name: each says why', () => {
    expect(out.steps.noNodeCounterpart!.warnings).toEqual([expect.stringMatching(/^patch\('sqlite3'\): no OpenTelemetry instrumentation exists for the Node SQLite drivers/)]);
    expect(out.steps.unknown!.warnings).toEqual([expect.stringMatching(/^patch\('nonsense'\): unknown module; patch\(\) knows aws-sdk, http, fetch, pg, mysql2, mysql, .*boto3/)]);
    expect(out.steps.notAName!.warnings).toEqual([expect.stringMatching(/takes a module name/)]);
  });

  it('configure({ patch_modules }) (the Django setting) patches as patch() does', () => {
    expect(out.steps.configure!.warnings).toEqual([expect.stringMatching(/^patch\('fortran'\): unknown module/)]);
  });

  it('patching twice is a no-op: one span per call, no warning', () => {
    expect(out.steps.http!.result.patched).toEqual(['http']);
    expect(out.steps.httpTwice!.result.patched).toEqual(['http']);
    expect(out.steps.httpTwice!.warnings).toEqual([]);
    expect(out.clientSpans).toBe(1);
  });

  it('patch_all(): what is installed, without the AWS SDK the application lacks and without express (patched only when named); warnings already given are not repeated', () => {
    expect(out.steps.all!.result.patched.sort()).toEqual(['fetch', 'http', 'mysql2']);
    expect(out.steps.all!.result.skipped.map((s) => s.name)).toEqual(['pg']);
    expect(out.steps.all!.warnings).toEqual([]);
  });

  it('the application still works: its HTTP call answers, and pg and mysql2 load', () => {
    expect(out.status).toBe(200);
    expect(out.pgClient).toBe('Client');
    expect(out.mysql2).toBe('function');
  });
});
