import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { bundleForNode } from './support/bundle.js';
import { startFakeAws, type FakeAws } from './support/fake-aws-services.js';
import { expectValidDocuments } from './support/schema.js';

// Lambda's environment is read per process: the program runs in a child `node`, bundled first.
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let script: string;
let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws();
  dir = mkdtempSync(join(tmpdir(), 'patch-lambda-'));
  script = join(dir, 'child.mjs');
  await bundleForNode('test/fixtures/patch-lambda-child.ts', script);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fake.close();
});

const TRACE = '1-5759e988-bd862e3fe1be46a994272793';
const FACADE = '53995c3f42cd8ad8';

describe('the seeds\' Lambda program: patch(["boto3"]), begin_subsegment around a put, capture("get_object") around a get', () => {
  it('produces put → S3 PutObject and get_object → S3 GetObject under the Lambda facade', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'seed-fn', _X_AMZN_TRACE_ID: `Root=${TRACE};Parent=${FACADE};Sampled=1` };
    const { stdout } = await run(process.execPath, [script, fake.url], { env, cwd: root });
    const out = JSON.parse(stdout) as { documents: SegmentDocument[]; warnings: string[]; patched: string[]; body: string };
    expect(out.patched).toEqual(['aws-sdk']);
    expect(out.warnings).toEqual([]);
    expect(out.body).toBe('hello from the fake S3');
    expectValidDocuments(out.documents);

    // Lambda sends the function's segment itself: every document here is a subsegment under its facade.
    for (const doc of out.documents) expect(doc).toMatchObject({ type: 'subsegment', trace_id: TRACE, parent_id: FACADE });
    const tree = out.documents
      .map((d) => ({ name: d.name, children: (d.subsegments ?? []).map((c) => ({ name: c.name, namespace: c.namespace, aws: c.aws })) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(tree).toEqual([
      { name: 'get_object', children: [{ name: 'S3', namespace: 'aws', aws: expect.objectContaining({ operation: 'GetObject', bucket_name: 'seed-bucket', key: 'hello.txt', region: 'us-west-2' }) }] },
      { name: 'put', children: [{ name: 'S3', namespace: 'aws', aws: expect.objectContaining({ operation: 'PutObject', bucket_name: 'seed-bucket', key: 'hello.txt', region: 'us-west-2' }) }] },
    ]);
    // The calls carried the trace on to S3, each naming its own aws subsegment.
    const s3Ids = out.documents.flatMap((d) => d.subsegments ?? []).map((s) => s.id);
    const sent = fake.requests.map((r) => String(r.headers['x-amzn-trace-id']));
    expect(sent).toEqual(s3Ids.map((id) => expect.stringContaining(`Root=${TRACE};Parent=${id};Sampled=1`)));
  });
});
