// A local stand-in for DynamoDB's JSON API, enough for the parity programs: GetItem, PutItem,
// DescribeTable (table "missing" answers ResourceNotFoundException) and throttling (table "hot").
import { createServer, type Server } from 'node:http';

export interface FakeAws {
  endpoint: string;
  /** The X-Amzn-Trace-Id header of each request, in order. */
  traceHeaders: Array<string | undefined>;
  close(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const traceHeaders: Array<string | undefined> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      traceHeaders.push(req.headers['x-amzn-trace-id'] as string | undefined);
      const target = String(req.headers['x-amz-target'] ?? '').split('.')[1];
      const input = (body ? JSON.parse(body) : {}) as { TableName?: string };
      // The same call gets the same id in every run, so two runs can be compared.
      const requestId = `REQ-${target}-${input.TableName ?? ''}`;
      const send = (status: number, payload: unknown) => {
        const text = JSON.stringify(payload);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (input.TableName === 'missing') {
        send(400, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' });
      } else if (input.TableName === 'hot') {
        send(400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate exceeded' });
      } else if (target === 'GetItem') {
        send(200, { Item: { id: { S: 'o-1' } } });
      } else {
        send(200, {});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    traceHeaders,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
