// The instrumentations patch() loads must be releases on the OpenTelemetry JS 2.x line this
// library runs on: their next minors need OTel 3.x and Node >= 22.15, so a bare `npm install`
// (what a user copies from a warning) would install one that cannot work here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../src/patch/registry.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const require = createRequire(import.meta.url);

describe('patch targets name the instrumentation releases this library works with', () => {
  for (const target of TARGETS.values()) {
    it(`${target.name}: the install line's range is the peer dependency range, and the tested release is in it`, () => {
      expect(pkg.peerDependencies[target.instrumentation]).toBe(target.versions);
      const installed = (require(`${target.instrumentation}/package.json`) as { version: string }).version;
      const [major, minor] = target.versions.replace('^', '').split('.');
      expect(installed.startsWith(`${major}.${minor}.`), `${target.instrumentation} ${installed} within ${target.versions}`).toBe(true);
    });
  }
});
