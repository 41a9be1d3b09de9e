import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The shipped declarations are the API editors and compilers see. A fixture of right and wrong
// uses (`@ts-expect-error` on each wrong one) is compiled against dist/ by the project's tsc, as an
// application would import the package (`npm test` builds first).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/typings/capture-usage.ts');
const ENTITY_FIXTURE = join(ROOT, 'test/fixtures/typings/entity-usage.ts');
const EXPORTER_FIXTURE = join(ROOT, 'test/fixtures/typings/exporter-usage.ts');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const dir = mkdtempSync(join(tmpdir(), 'typings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compile(experimentalDecorators: boolean, fixture = FIXTURE): Promise<{ code: number; output: string }> {
  const config = join(dir, `tsconfig.${experimentalDecorators ? 'legacy' : 'standard'}.${fixture.replace(/.*\/|\.ts$/g, '')}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], experimentalDecorators },
      files: [fixture],
    }),
  );
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', config, '--pretty', 'false'], { cwd: ROOT });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? 1, output: e.stdout ?? String(err) };
  }
}

describe('the shipped typings of capture, captureAsync and capture_async', () => {
  it('are precise: nothing about them is `any` in dist/index.d.ts or dist/index.d.cts', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const dts = readFileSync(join(ROOT, file), 'utf8');
      for (const name of ['capture', 'captureAsync', 'capture_async']) expect(dts, `${file}: ${name}`).toMatch(new RegExp(`readonly ${name}: Capture;`));
    }
  });

  it('the fixture has wrong uses to reject', () => {
    expect(readFileSync(FIXTURE, 'utf8').match(/@ts-expect-error/g)?.length).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ['standard decorators', false],
    ['experimentalDecorators', true],
  ])('accept every right use and reject every wrong one, with %s', async (_name, experimentalDecorators) => {
    const { code, output } = await compile(experimentalDecorators);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});

describe('the shipped typings of entity methods with several forms', () => {
  it('the fixture has wrong uses to reject', () => {
    expect(readFileSync(ENTITY_FIXTURE, 'utf8').match(/@ts-expect-error/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('accept the SDK forms of addException and reject misspelt or mistyped options', async () => {
    const { code, output } = await compile(false, ENTITY_FIXTURE);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});

describe('the shipped typings of the exporter options', () => {
  it('the fixture has wrong uses to reject', () => {
    expect(readFileSync(EXPORTER_FIXTURE, 'utf8').match(/@ts-expect-error/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it("accept sendFrom 'main-thread' and 'worker-thread' (on registerXRay too) and reject any other value", async () => {
    const { code, output } = await compile(false, EXPORTER_FIXTURE);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});
