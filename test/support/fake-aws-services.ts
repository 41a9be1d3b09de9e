import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake endpoint answered. */
export interface FakeAwsRequest {
  service: 'dynamodb' | 'sqs' | 's3';
  operation: string;
  headers: IncomingHttpHeaders;
  requestId: string;
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`: the `endpoint` for every client. */
  readonly url: string;
  readonly requests: FakeAwsRequest[];
  /** The next `count` requests fail with this status (5xx and throttling errors are retried by the SDK). */
  failNext(count: number, status: number, errorType: string): void;
  close(): Promise<void>;
}

/** Path-style S3 needs this on every client. */
export const S3_OPTIONS = { forcePathStyle: true } as const;
export const REGION = 'us-west-2';
export const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/**
 * A local stand-in for DynamoDB (JSON 1.0), SQS (JSON 1.0) and S3 (REST, path style), answering
 * real AWS SDK v3 clients with the headers and bodies they parse: request ids, S3's extended id,
 * SQS's body MD5, AWS error types. Enough for the calls the tests make, not an emulator.
 */
export async function startFakeAws(): Promise<FakeAws> {
  const requests: FakeAwsRequest[] = [];
  let failures: { count: number; status: number; errorType: string } | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const requestId = randomUUID();
      const target = header(req, 'x-amz-target');
      const [prefix, operation = ''] = target?.split('.') ?? [];
      const service = prefix?.startsWith('DynamoDB') ? 'dynamodb' : prefix === 'AmazonSQS' ? 'sqs' : 's3';
      requests.push({ service, operation: service === 's3' ? `${req.method} ${req.url}` : operation, headers: req.headers, requestId });

      if (failures !== undefined && failures.count > 0) {
        failures.count--;
        return fail(res, service, requestId, failures.status, failures.errorType);
      }
      if (service === 's3') return s3(req, res, requestId);
      const input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
      if (service === 'dynamodb') return dynamodb(res, requestId, operation, input);
      return sqs(res, requestId, operation, input);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status, errorType) {
      failures = { count, status, errorType };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function json(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

function fail(res: ServerResponse, service: FakeAwsRequest['service'], requestId: string, status: number, errorType: string): void {
  if (service === 's3') {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${errorType}</Code><Message>fake failure</Message><RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': `id2-${requestId}` });
    res.end(xml);
    return;
  }
  json(res, requestId, status, { __type: `com.amazonaws.fake#${errorType}`, message: 'fake failure' });
}

function dynamodb(res: ServerResponse, requestId: string, operation: string, input: Record<string, unknown>): void {
  if (input.TableName === 'missing') {
    return json(res, requestId, 400, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' });
  }
  if (operation === 'GetItem') return json(res, requestId, 200, { Item: { id: { S: '1' } } });
  if (operation === 'ListTables') return json(res, requestId, 200, { TableNames: ['orders', 'users'] });
  return json(res, requestId, 200, {});
}

function sqs(res: ServerResponse, requestId: string, operation: string, input: Record<string, unknown>): void {
  if (operation === 'SendMessage') {
    const md5 = createHash('md5').update(String(input.MessageBody)).digest('hex');
    return json(res, requestId, 200, { MessageId: randomUUID(), MD5OfMessageBody: md5 });
  }
  if (operation === 'ReceiveMessage') return json(res, requestId, 200, { Messages: [] });
  return json(res, requestId, 200, {});
}

function s3(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const headers = { 'x-amz-request-id': requestId, 'x-amz-id-2': `id2-${requestId}` };
  if (req.method === 'GET') {
    const body = 'hello from the fake S3';
    res.writeHead(200, { ...headers, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), etag: '"abc"' });
    res.end(body);
    return;
  }
  res.writeHead(200, { ...headers, etag: '"abc"', 'content-length': 0 });
  res.end();
}
