import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleForNode } from './support/bundle.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { expectValidDocuments } from './support/schema.js';

// Lambda reads its environment per process: each case runs the recorder in a child `node` with
// AWS_LAMBDA_FUNCTION_NAME and _X_AMZN_TRACE_ID set. Node cannot run the TypeScript source, so
// the child's script is bundled with esbuild first.

const run = promisify(execFile);
let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recorder-lambda-'));
  script = join(dir, 'child.mjs');
  await bundleForNode('test/fixtures/recorder-lambda-child.ts', script);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface ChildOutput {
  documents: SegmentDocument[];
  warnings: string[];
  invocations: Array<{ facadeId?: string; facadeTraceId?: string }>;
  spans: number;
}

async function lambda(traceHeader: string, scenario = 'one-invocation'): Promise<ChildOutput> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'orders-fn', _X_AMZN_TRACE_ID: traceHeader };
  delete env.AWS_XRAY_CONTEXT_MISSING;
  const { stdout } = await run(process.execPath, [script, scenario], { env });
  return JSON.parse(stdout) as ChildOutput;
}

const SAMPLED = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('in AWS Lambda', () => {
  it('subsegments are independent subsegments under the facade id, and no segment document is sent', async () => {
    const out = await lambda(SAMPLED);
    expectValidDocuments(out.documents);
    expect(out.documents.length).toBeGreaterThan(0);
    for (const doc of out.documents) {
      expect(doc).toMatchObject({ type: 'subsegment', trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8' });
    }
    const names = out.documents.map((d) => d.name).sort();
    expect(names).toEqual(['captured-one', 'handler-one']);
    const handler = out.documents.find((d) => d.name === 'handler-one')!;
    expect(handler.annotations).toEqual({ invocation: 'one' });
    expect(handler.subsegments).toEqual([expect.objectContaining({ name: 'dynamodb', namespace: 'aws' })]);
  });

  it('the facade segment carries the invocation ids; beginSegment and writes to it warn and do nothing', async () => {
    const out = await lambda(SAMPLED);
    expect(out.invocations).toEqual([{ facadeId: '53995c3f42cd8ad8', facadeTraceId: '1-5759e988-bd862e3fe1be46a994272793' }]);
    expect(out.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/beginSegment is ignored in AWS Lambda/),
        expect.stringMatching(/segment "orders-fn": is the Lambda function segment, which is read-only; putAnnotation ignored/),
        expect.stringMatching(/endSegment is ignored in AWS Lambda/),
      ]),
    );
  });

  it('each invocation gets the facade of its own _X_AMZN_TRACE_ID', async () => {
    const out = await lambda(SAMPLED, 'two-invocations');
    expectValidDocuments(out.documents);
    const byName = new Map(out.documents.map((d) => [d.name, d]));
    expect(byName.get('handler-one')).toMatchObject({ trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8' });
    expect(byName.get('handler-two')).toMatchObject({ trace_id: '1-6759e988-cd862e3fe1be46a994272793', parent_id: '63995c3f42cd8ad8' });
  });

  it('an invocation Lambda did not sample records nothing', async () => {
    const out = await lambda('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0');
    expect(out.spans).toBe(0);
    expect(out.documents).toEqual([]);
  });
});
