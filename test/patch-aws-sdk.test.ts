import { createRequire } from 'node:module';
import { propagation } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import AWSXRay from 'aws-xray-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityDocument } from '../src/exporter/document.js';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';
import { CREDENTIALS, REGION, S3_OPTIONS, startFakeAws, type FakeAws } from './support/fake-aws-services.js';
import { onlySubsegmentOf } from './support/traced.js';

// The clients are required after patching, as an application's would be after `patch()`.
const require = createRequire(import.meta.url);
type DynamoDB = typeof import('@aws-sdk/client-dynamodb');
type S3 = typeof import('@aws-sdk/client-s3');
type SQS = typeof import('@aws-sdk/client-sqs');

/** What the X-Ray SDK and the exporter both write for an AWS call, minus ids and times. */
const AWS_FIELDS = ['operation', 'region', 'request_id', 'table_name', 'table_names', 'queue_url', 'bucket_name', 'key', 'id_2', 'message_id'];

/** Different on every call: compared for presence (and against the fake endpoint's own ids below). */
const ID_FIELDS = new Set(['request_id', 'id_2', 'message_id']);

interface Shape {
  name: string;
  namespace: unknown;
  aws: Record<string, unknown>;
  status: unknown;
  error: boolean;
  fault: boolean;
  throttle: boolean;
}

/**
 * aws-xray-sdk-core sets `fault` on every failed call (`addError` always adds it), 4xx included;
 * the exporter follows X-Ray's definition (4xx is an error, 5xx a fault) as the translation contract
 * does, so that one flag is compared as the contract has it.
 */
function xraySdkShape(doc: Record<string, unknown>): Shape {
  const s = shape(doc);
  if (typeof s.status === 'number' && s.status >= 400 && s.status < 500) s.fault = false;
  return s;
}

function shape(doc: EntityDocument | Record<string, unknown>): Shape {
  const d = doc as Record<string, unknown> & { aws?: Record<string, unknown>; http?: { response?: { status?: unknown } } };
  const aws: Record<string, unknown> = {};
  for (const key of AWS_FIELDS) if (d.aws?.[key] !== undefined) aws[key] = ID_FIELDS.has(key) ? `<${key}>` : d.aws[key];
  return {
    name: String(d.name),
    namespace: d.namespace,
    aws,
    status: d.http?.response?.status,
    error: d.error === true,
    fault: d.fault === true,
    throttle: d.throttle === true,
  };
}

let fake: FakeAws;
let t: Tracing;
let clients: { dynamodb: DynamoDB; s3: S3; sqs: SQS };

beforeAll(async () => {
  fake = await startFakeAws();
  t = setupTracing();
  propagation.setGlobalPropagator(new AWSXRayPropagator());
  // `boto3` is the seed's name; `requests` also patches http, so a duplicate HTTP child would show.
  const result = t.recorder.patch(['boto3', 'requests']);
  expect(result.patched.sort()).toEqual(['aws-sdk', 'fetch', 'http']);
  expect(t.logger.warnings()).toEqual([]);
  clients = { dynamodb: require('@aws-sdk/client-dynamodb') as DynamoDB, s3: require('@aws-sdk/client-s3') as S3, sqs: require('@aws-sdk/client-sqs') as SQS };
  AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
  AWSXRay.enableManualMode();
});

afterAll(async () => {
  propagation.disable();
  await t.teardown();
  await fake.close();
});

const config = () => ({ region: REGION, endpoint: fake.url, credentials: CREDENTIALS, maxAttempts: 3 });

interface Client {
  send(command: unknown): Promise<unknown>;
  middlewareStack: unknown;
}

/** The call made by a client that `patch()` traces: its one subsegment, as the exporter writes it (schema-checked). */
function patchedCall(client: Client, command: unknown): Promise<{ doc: EntityDocument; error?: unknown }> {
  return onlySubsegmentOf(t, () => client.send(command));
}

/** The same call through the X-Ray SDK's `captureAWSv3Client`: its subsegment as it would send it. */
async function xraySdkCall(client: Client, command: unknown): Promise<Record<string, unknown>> {
  const segment = new AWSXRay.Segment('app');
  AWSXRay.captureAWSv3Client(client as never, segment);
  try {
    await client.send(command);
  } catch {
    // Compared through the subsegment.
  }
  const sub = (segment.subsegments ?? [])[0];
  expect(sub).toBeDefined();
  return JSON.parse(JSON.stringify(sub)) as Record<string, unknown>;
}

/** Runs one call both ways, each with a fresh client of the same configuration. */
async function compare(make: () => Client, command: () => unknown): Promise<{ ours: EntityDocument; theirs: Record<string, unknown>; error?: unknown }> {
  const { doc: ours, error } = await patchedCall(make(), command());
  const theirs = await xraySdkCall(make(), command());
  expect(shape(ours)).toEqual(xraySdkShape(theirs));
  return { ours, theirs, error };
}

describe('patch(["boto3"]): AWS SDK v3 calls look as captureAWSv3Client records them', () => {
  it('DynamoDB PutItem: one aws subsegment named DynamoDB, with operation, region, request id and table', async () => {
    const { DynamoDBClient, PutItemCommand } = clients.dynamodb;
    const { ours, theirs } = await compare(
      () => new DynamoDBClient(config()),
      () => new PutItemCommand({ TableName: 'orders', Item: { id: { S: '1' } } }),
    );
    expect(ours).toMatchObject({ name: 'DynamoDB', namespace: 'aws', aws: { operation: 'PutItem', region: REGION, table_name: 'orders', retries: 0 } });
    expect(ours.aws?.request_id).toBe(fake.requests.at(-2)?.requestId);
    expect(ours.http).toEqual({ response: { status: 200 } });
    // No HTTP child under the AWS call although http is patched too.
    expect(ours.subsegments).toBeUndefined();
    // The trace header names the aws subsegment as the parent, as the X-Ray SDK's does.
    const sent = fake.requests.at(-2)?.headers['x-amzn-trace-id'];
    expect(sent).toMatch(new RegExp(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=${ours.id};Sampled=1$`));
    expect(fake.requests.at(-1)?.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    // aws-xray-sdk-core writes the attempt count as `retries`; the Python and Java SDKs write retries.
    expect(theirs.aws).toMatchObject({ retries: 1 });
  });

  it('DynamoDB GetItem on a missing table: error, 400, the request id of the failure, a remote exception', async () => {
    const { DynamoDBClient, GetItemCommand } = clients.dynamodb;
    const { ours, error } = await compare(
      () => new DynamoDBClient(config()),
      () => new GetItemCommand({ TableName: 'missing', Key: { id: { S: '1' } } }),
    );
    expect((error as Error).name).toBe('ResourceNotFoundException');
    expect(ours.aws?.request_id).toBe(fake.requests.at(-2)?.requestId);
    expect(ours).toMatchObject({ error: true, aws: { table_name: 'missing' }, http: { response: { status: 400 } } });
    expect(typeof ours.cause === 'object' ? ours.cause.exceptions?.[0] : ours.cause).toMatchObject({ type: 'ResourceNotFoundException', remote: true });
  });

  it('a retried call counts its retries, and a throttling error sets throttle', async () => {
    const { DynamoDBClient, PutItemCommand } = clients.dynamodb;
    fake.failNext(1, 500, 'InternalServerError');
    const { doc: retried } = await patchedCall(new DynamoDBClient(config()), new PutItemCommand({ TableName: 'orders', Item: { id: { S: '2' } } }));
    expect(retried).toMatchObject({ aws: { retries: 1 }, http: { response: { status: 200 } } });
    expect(retried.fault).toBeUndefined();

    fake.failNext(3, 400, 'ProvisionedThroughputExceededException');
    const { doc: throttled } = await patchedCall(new DynamoDBClient(config()), new PutItemCommand({ TableName: 'orders', Item: { id: { S: '3' } } }));
    expect(throttled).toMatchObject({ error: true, throttle: true, aws: { retries: 2 } });

    fake.failNext(3, 400, 'ProvisionedThroughputExceededException');
    const theirs = await xraySdkCall(new DynamoDBClient(config()), new PutItemCommand({ TableName: 'orders', Item: { id: { S: '4' } } }));
    expect(shape(throttled)).toEqual(xraySdkShape(theirs));
  });

  it('S3 PutObject and GetObject: bucket_name, key and the extended request id as id_2', async () => {
    const { S3Client, PutObjectCommand, GetObjectCommand } = clients.s3;
    const make = () => new S3Client({ ...config(), ...S3_OPTIONS });
    const put = await compare(make, () => new PutObjectCommand({ Bucket: 'photos', Key: 'cat.png', Body: 'meow' }));
    expect(put.ours).toMatchObject({ name: 'S3', aws: { operation: 'PutObject', bucket_name: 'photos', key: 'cat.png' } });
    expect(put.ours.aws?.id_2).toMatch(/^id2-/);
    const get = await compare(make, () => new GetObjectCommand({ Bucket: 'photos', Key: 'cat.png' }));
    expect(get.ours).toMatchObject({ name: 'S3', aws: { operation: 'GetObject', bucket_name: 'photos', key: 'cat.png' } });
  });

  it('SQS SendMessage: queue_url and message_id', async () => {
    const { SQSClient, SendMessageCommand } = clients.sqs;
    const queue = `${fake.url}/000000000000/jobs`;
    const { ours } = await compare(
      () => new SQSClient(config()),
      () => new SendMessageCommand({ QueueUrl: queue, MessageBody: 'hello' }),
    );
    expect(ours).toMatchObject({ name: 'SQS', namespace: 'aws', aws: { operation: 'SendMessage', queue_url: queue } });
    expect(ours.aws?.message_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ours.http?.request).toBeUndefined();
  });
});
