import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleForNode } from './support/bundle.js';
import { afterAll, expect, it } from 'vitest';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { expectValidDocuments } from './support/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'recorder-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('examples/legacy-and-otel.ts: legacy recorder code and plain OTel code make one trace', async () => {
  const script = join(dir, 'example.mjs');
  await bundleForNode('examples/legacy-and-otel.ts', script);
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
