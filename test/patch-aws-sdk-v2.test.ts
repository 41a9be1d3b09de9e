import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForNode } from './support/bundle.js';
import { linkModules } from './support/linked-modules.js';

// @opentelemetry/instrumentation-aws-sdk traces AWS SDK v3 only (its module definitions are the
// @smithy/* and @aws-sdk/* packages). What patch() does about v2 depends only on the `aws-sdk`
// package being installed, so the application directories get a package of that name and version
// rather than the real SDK (tens of megabytes, end-of-support, and untraced either way).
const run = promisify(execFile);

const APP = `
import { createRequire } from 'node:module';
import { xrayRecorder } from './xray-otel-bridge.mjs';
const warnings = [];
xrayRecorder.configure({ logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
const steps = {};
for (const [step, call] of [
  ['aws-sdk', () => xrayRecorder.patch('aws-sdk')],
  ['boto3', () => xrayRecorder.patch(['boto3'])],
  ['all', () => xrayRecorder.patch_all()],
]) {
  const before = warnings.length;
  let result;
  try {
    result = call();
  } catch (err) {
    result = { threw: String(err) };
  }
  steps[step] = { result, warnings: warnings.slice(before) };
}
const AWS = createRequire(import.meta.url)('aws-sdk');
process.stdout.write(JSON.stringify({ steps, v2: AWS.VERSION }));
`;

type Out = { steps: Record<string, { result: { patched: string[]; skipped: Array<{ name: string; reason: string }> }; warnings: string[] }>; v2: string };

let root: string;

async function application(name: string, leftOut: ReadonlySet<string>): Promise<Out> {
  const dir = join(root, name);
  mkdirSync(dir);
  linkModules(join(dir, 'node_modules'), leftOut);
  mkdirSync(join(dir, 'node_modules', 'aws-sdk'));
  writeFileSync(join(dir, 'node_modules', 'aws-sdk', 'package.json'), JSON.stringify({ name: 'aws-sdk', version: '2.1693.0', main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules', 'aws-sdk', 'index.js'), "exports.VERSION = '2.1693.0';\n");
  await bundleForNode('src/index.ts', join(dir, 'xray-otel-bridge.mjs'));
  writeFileSync(join(dir, 'app.mjs'), APP);
  const { stdout } = await run(process.execPath, ['--no-warnings', 'app.mjs'], { cwd: dir });
  return JSON.parse(stdout) as Out;
}

let v2Only: Out;
let both: Out;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'patch-aws-v2-'));
  v2Only = await application('v2-only', new Set(['@aws-sdk', '@smithy']));
  both = await application('v2-and-v3', new Set());
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const ADVICE =
  /AWS SDK v2 \(the aws-sdk package\) is not traced: @opentelemetry\/instrumentation-aws-sdk traces v3 clients \(@aws-sdk\/client-\*\) only\. Trace v2 clients with captureAWS\(require\('aws-sdk'\)\) or captureAWSClient\(new AWS\.S3\(\)\) from xray-otel-bridge\/aws-xray-sdk-core/;

describe('patch("aws-sdk") when the application has AWS SDK v2', () => {
  it('v2 alone: nothing is patched, and the warning names the drop-in’s captureAWS/captureAWSClient, once', () => {
    const step = v2Only.steps['aws-sdk']!;
    expect(step.result).toEqual({ patched: [], skipped: [{ name: 'aws-sdk', reason: expect.stringMatching(ADVICE) }] });
    expect(step.warnings).toEqual([expect.stringMatching(/^patch\('aws-sdk'\): AWS SDK v2/)]);
    expect(step.warnings[0]).toMatch(ADVICE);
  });

  it('v2 alone, under the Python name and in patch_all(): skipped with the same reason, not warned again', () => {
    expect(v2Only.steps.boto3!.result).toEqual({ patched: [], skipped: [{ name: 'boto3', reason: expect.stringMatching(ADVICE) }] });
    expect(v2Only.steps.boto3!.warnings).toEqual([]);
    expect(v2Only.steps.all!.result.patched).not.toContain('aws-sdk');
    expect(v2Only.steps.all!.result.skipped).toContainEqual({ name: 'aws-sdk', reason: expect.stringMatching(ADVICE) });
    expect(v2Only.steps.all!.warnings).toEqual([]);
  });

  it('v2 next to v3: v3 is patched, and the warning says v2 clients are not traced, once', () => {
    expect(both.steps['aws-sdk']!.result).toEqual({ patched: ['aws-sdk'], skipped: [] });
    expect(both.steps['aws-sdk']!.warnings).toEqual([expect.stringMatching(ADVICE)]);
    expect(both.steps.boto3!.result.patched).toEqual(['aws-sdk']);
    expect(both.steps.boto3!.warnings).toEqual([]);
    expect(both.steps.all!.result.patched).toContain('aws-sdk');
  });

  it('nothing throws, and the application still loads v2', () => {
    for (const out of [v2Only, both]) {
      for (const step of Object.values(out.steps)) expect(step.result).not.toHaveProperty('threw');
      expect(out.v2).toBe('2.1693.0');
    }
  });
});
