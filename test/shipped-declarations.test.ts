// Every declaration file the package ships must be valid TypeScript on its own: a syntax error in
// one (the bundler once fused `typeof utils` with the next declaration) breaks every TypeScript
// user who imports that entry, whatever their skipLibCheck says.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const dir = mkdtempSync(join(tmpdir(), 'declarations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const declarations = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.d\.c?ts$/.test(f))
  .map((f) => join(ROOT, 'dist', f));

describe('the shipped declaration files', () => {
  it('exist for the ESM and the CommonJS builds', () => {
    expect(declarations.some((f) => f.endsWith('aws-xray-sdk-core.d.ts'))).toBe(true);
    expect(declarations.some((f) => f.endsWith('aws-xray-sdk-core.d.cts'))).toBe(true);
  });

  it('all compile, with skipLibCheck off', async () => {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: declarations,
      }),
    );
    let output = '';
    try {
      await promisify(execFile)(process.execPath, [TSC, '-p', config, '--pretty', 'false'], { cwd: ROOT });
    } catch (err) {
      output = (err as { stdout?: string }).stdout ?? String(err);
    }
    // Errors inside dependencies' own declarations are theirs; ours must be clean.
    const ours = output.split('\n').filter((line) => line.includes('error TS') && !line.includes('node_modules'));
    expect(ours).toEqual([]);
  }, 120_000);
});
