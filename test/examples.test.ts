import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { expectValidDocuments } from './support/schema.js';

// Every example is run the way the README says, against the built package (`npm test` builds first).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Each example, the command the README gives for it, and where it is run. */
const EXAMPLES: Record<string, { command: string; testedIn: string }> = {
  'demo.mjs': { command: 'npm run demo', testedIn: 'test/demo.test.ts' },
  'legacy-and-otel.ts': { command: 'npm run example -- examples/legacy-and-otel.ts', testedIn: 'test/examples.test.ts' },
};
/** Not examples: what runs them. */
const HELPERS = ['ts-loader.mjs'];

function runTypeScriptExample(file: string): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AWS_LAMBDA_FUNCTION_NAME;
  delete env.LAMBDA_TASK_ROOT;
  // What `npm run example -- <file>` runs once the package is built.
  return promisify(execFile)(process.execPath, ['--import', './examples/ts-loader.mjs', file], { cwd: ROOT, env });
}

describe('examples/', () => {
  it('every example has a command in the README and a test', () => {
    const files = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => !HELPERS.includes(f));
    expect(files.sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const [file, { command, testedIn }] of Object.entries(EXAMPLES)) {
      expect(README, `README gives the command for ${file}`).toContain(command);
      expect(readFileSync(new URL(`../${testedIn}`, import.meta.url), 'utf8'), `${testedIn} runs ${file}`).toContain(file === 'demo.mjs' ? 'examples/demo.mjs' : file);
    }
  });

  it('legacy-and-otel.ts: legacy recorder code and plain OTel code make one trace', async () => {
    const { stdout, stderr } = await runTypeScriptExample('examples/legacy-and-otel.ts');
    expect(stderr).toBe('');
    const documents = JSON.parse(stdout) as SegmentDocument[];
    expectValidDocuments(documents);
    expect(documents).toHaveLength(1);
    const shape = (d: EntityDocument): unknown => ({ name: d.name, ...(d.subsegments ? { subsegments: d.subsegments.map(shape) } : {}) });
    expect(shape(documents[0]!)).toEqual({
      name: 'orders-api',
      subsegments: [{ name: 'save_order', subsegments: [{ name: 'validate' }, { name: 'reserve_stock', subsegments: [{ name: 'audit' }] }] }],
    });
    expect(documents[0]).toMatchObject({ http: { request: { method: 'POST' }, response: { status: 201 } } });
  });
});
