import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Legacy code uses `require`, new code `import`: both must load the built package by its name
// (self-reference through package.json "exports"). `npm test` builds first.
const root = fileURLToPath(new URL('..', import.meta.url));
const API = ['XRayUdpSpanExporter', 'toSegmentDocuments', 'parseDaemonAddress', 'registerXRay', 'xrayRecorder', 'xray_recorder', 'XRayRecorder', 'patch', 'patch_all', 'patchAll'];

function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('the published package', () => {
  it('has been built (npm test runs the build first)', () => {
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli/main.js', 'dist/register.js', 'dist/xray-otel-bridge-udp-worker.mjs']) {
      expect(existsSync(`${root}/${f}`), f).toBe(true);
    }
  });

  it('points every entry of "exports" and "typesVersions" at a file the build made', () => {
    const manifest = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: unknown; typesVersions: Record<string, Record<string, string[]>> };
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    collect(manifest.typesVersions);
    expect(targets.length).toBeGreaterThan(20);
    for (const target of targets) expect(existsSync(`${root}/${target}`), target).toBe(true);
  });

  it('loads with require() and exposes the public API', () => {
    const out = run(['-e', `const m = require('xray-otel-bridge'); console.log(JSON.stringify(${JSON.stringify(API)}.map((k) => typeof m[k])))`]);
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function', 'object', 'object', 'function', 'function', 'function', 'function']);
  });

  it('loads with import and exposes the same API', () => {
    const out = run(['--input-type=module', '-e', `const m = await import('xray-otel-bridge'); console.log(JSON.stringify(${JSON.stringify(API)}.map((k) => typeof m[k])))`]);
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function', 'object', 'object', 'function', 'function', 'function', 'function']);
  });

  it('require() and import agree on parsing a daemon address', () => {
    const cjs = run(['-e', `console.log(JSON.stringify(require('xray-otel-bridge').parseDaemonAddress('udp:[::1]:2000 tcp:127.0.0.1:2001')))`]);
    expect(JSON.parse(cjs)).toEqual({ udp: { host: '::1', port: 2000 }, tcp: { host: '127.0.0.1', port: 2001 } });
  });

  it('serves the local daemon from its own subpath, to require() and import alike', () => {
    const names = JSON.stringify(['startLocalDaemon', 'renderTrace', 'ListenError']);
    const cjs = run(['-e', `const m = require('xray-otel-bridge/local-daemon'); console.log(JSON.stringify(${names}.map((k) => typeof m[k])))`]);
    const esm = run(['--input-type=module', '-e', `const m = await import('xray-otel-bridge/local-daemon'); console.log(JSON.stringify(${names}.map((k) => typeof m[k])))`]);
    expect(JSON.parse(cjs)).toEqual(['function', 'function', 'function']);
    expect(JSON.parse(esm)).toEqual(['function', 'function', 'function']);
  });

  it('serves the ESM loader as xray-otel-bridge/register, for node --import', () => {
    const out = run(['--import', 'xray-otel-bridge/register', '--input-type=module', '-e', `console.log(globalThis[Symbol.for('xray-otel-bridge.esm-loader')] === true)`]);
    expect(out.trim()).toBe('true');
  });

  it('keeps the development daemon off the main entry', () => {
    const out = run(['-e', `const m = require('xray-otel-bridge'); console.log(JSON.stringify(['startLocalDaemon', 'renderTrace'].map((k) => typeof m[k])))`]);
    expect(JSON.parse(out)).toEqual(['undefined', 'undefined']);
  });

  it('ships declarations without members marked @internal', () => {
    for (const f of ['dist/index.d.ts', 'dist/local-daemon.d.ts']) {
      const text = readFileSync(`${root}/${f}`, 'utf8');
      expect(text, f).not.toMatch(/@internal|childEnded|parentContext/);
    }
  });

  it('serves the aws-xray-sdk-core drop-in as the SDK does: module.exports = AWSXRay, and ESM default plus named exports', () => {
    const cjs = run(['-e', "const X = require('xray-otel-bridge/aws-xray-sdk-core'); console.log(JSON.stringify([typeof X, typeof X.captureFunc, typeof X.Segment, 'default' in X]))"]);
    expect(JSON.parse(cjs)).toEqual(['object', 'function', 'function', false]);
    const esm = run([
      '--input-type=module',
      '-e',
      "import X, { captureAsyncFunc, Segment } from 'xray-otel-bridge/aws-xray-sdk-core'; console.log(JSON.stringify([X.captureAsyncFunc === captureAsyncFunc, X.Segment === Segment]))",
    ]);
    expect(JSON.parse(esm)).toEqual([true, true]);
    // Loaded both ways in one process, it is one AWSXRay (segments and classes are shared).
    const both = run([
      '--input-type=module',
      '-e',
      "import { createRequire } from 'node:module'; import X from 'xray-otel-bridge/aws-xray-sdk-core'; const req = createRequire(process.cwd() + '/'); console.log(req('xray-otel-bridge/aws-xray-sdk-core') === X)",
    ]);
    expect(both.trim()).toBe('true');
    expect(readFileSync(`${root}/dist/aws-xray-sdk-core.d.cts`, 'utf8')).toContain('export = AWSXRay');
  });

  it('serves the Express middleware and the umbrella package', () => {
    const out = run([
      '-e',
      "const e = require('xray-otel-bridge/aws-xray-sdk-express'); const u = require('xray-otel-bridge/aws-xray-sdk'); console.log(JSON.stringify([Object.keys(e), u === require('xray-otel-bridge/aws-xray-sdk-core'), u.express === e]))",
    ]);
    expect(JSON.parse(out)).toEqual([['openSegment', 'closeSegment'], true, true]);
  });

  it('serves the Postgres and MySQL patchers as the SDK does: their own packages, and on the umbrella', () => {
    const cjs = run([
      '-e',
      "const u = require('xray-otel-bridge/aws-xray-sdk'); const pg = require('xray-otel-bridge/aws-xray-sdk-postgres'); const my = require('xray-otel-bridge/aws-xray-sdk-mysql'); console.log(JSON.stringify([typeof pg, typeof my, typeof u.capturePostgres, typeof u.captureMySQL]))",
    ]);
    expect(JSON.parse(cjs)).toEqual(['function', 'function', 'function', 'function']);
    const esm = run([
      '--input-type=module',
      '-e',
      "import capturePostgres from 'xray-otel-bridge/aws-xray-sdk-postgres'; import { captureMySQL } from 'xray-otel-bridge/aws-xray-sdk-mysql'; import { capturePostgres as fromUmbrella } from 'xray-otel-bridge/aws-xray-sdk'; console.log(JSON.stringify([typeof capturePostgres, typeof captureMySQL, typeof fromUmbrella]))",
    ]);
    expect(JSON.parse(esm)).toEqual(['function', 'function', 'function']);
  });
});
