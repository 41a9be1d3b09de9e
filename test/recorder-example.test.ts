import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { expectValidDocuments } from './support/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'recorder-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('examples/legacy-and-otel.ts: legacy recorder code and plain OTel code make one trace', async () => {
  const script = join(dir, 'example.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../examples/legacy-and-otel.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const env = { ...process.env };
  delete env.AWS_LAMBDA_FUNCTION_NAME;
  delete env.LAMBDA_TASK_ROOT;
  const { stdout } = await promisify(execFile)(process.execPath, [script], { env });
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
