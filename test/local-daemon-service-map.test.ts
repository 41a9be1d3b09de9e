// The service map, as X-Ray's console opens with: services, the resources they call, edges with counts.
import { afterEach, describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { renderServiceMap } from '../src/local-daemon/render-map.js';
import { buildServiceMap } from '../src/local-daemon/service-map.js';
import { assembleTrace, type AssembledTrace } from '../src/local-daemon/traces.js';
import { datagram, newId, newTraceId, sendDatagrams, startCli, type CliDaemon } from './fixtures/daemon-harness.js';

const T0 = 1_700_000_000;

/** storefront (called by a client) → inventory (a traced service) and → postgres (remote) and → DynamoDB (aws). */
function shopTrace(status: number, opts: { throttle?: boolean } = {}): SegmentDocument[] {
  const trace_id = newTraceId();
  const call = newId();
  const storefront: SegmentDocument = {
    name: 'storefront',
    id: newId(),
    trace_id,
    start_time: T0,
    end_time: T0 + 0.1,
    origin: 'AWS::EC2::Instance',
    http: { request: { method: 'GET', url: 'http://shop/cart' }, response: { status } },
    fault: status >= 500 ? true : undefined,
    error: status >= 400 && status < 500 ? true : undefined,
    throttle: opts.throttle,
    subsegments: [
      { name: 'inventory', id: call, start_time: T0 + 0.01, end_time: T0 + 0.05, namespace: 'remote' },
      { name: 'postgres', id: newId(), start_time: T0 + 0.05, end_time: T0 + 0.06, namespace: 'remote' },
      { name: 'DynamoDB', id: newId(), start_time: T0 + 0.06, end_time: T0 + 0.08, namespace: 'aws' },
      { name: 'local-work', id: newId(), start_time: T0 + 0.08, end_time: T0 + 0.09 },
    ],
  };
  const inventory: SegmentDocument = { name: 'inventory', id: newId(), trace_id, parent_id: call, start_time: T0 + 0.015, end_time: T0 + 0.045 };
  return [storefront, inventory];
}

function trace(docs: SegmentDocument[]): AssembledTrace {
  return { ...assembleTrace(docs[0]!.trace_id, docs), documentsNotKept: 0, firstReceivedAt: 0, lastReceivedAt: 0, revision: 1 };
}

describe('buildServiceMap', () => {
  it('has a node per service and per remote or AWS resource, and edges with request counts', () => {
    const map = buildServiceMap([trace(shopTrace(200)), trace(shopTrace(503)), trace(shopTrace(404)), trace(shopTrace(429, { throttle: true }))]);
    expect(map.nodes.map((n) => `${n.kind}:${n.name}`).sort()).toEqual(['aws:DynamoDB', 'client:client', 'remote:postgres', 'service:inventory', 'service:storefront']);
    expect(map.edges.map((e) => `${e.from} → ${e.to} ${e.requests}`).sort()).toEqual([
      'client → service:storefront 4',
      'service:storefront → aws:DynamoDB 4',
      'service:storefront → remote:postgres 4',
      'service:storefront → service:inventory 4',
    ]);
    const storefront = map.nodes.find((n) => n.name === 'storefront')!;
    expect(storefront).toMatchObject({ requests: 4, origin: 'AWS::EC2::Instance', outcomes: { ok: 1, error: 1, fault: 1, throttle: 1 } });
    expect(storefront.averageMs).toBeCloseTo(100, 3);
    expect(map.nodes.find((n) => n.name === 'postgres')!.averageMs).toBeCloseTo(10, 3);
  });

  it('hangs the subsegments of a Lambda function under one function node', () => {
    const trace_id = newTraceId();
    const facade = 'fafafafafafafafa';
    const docs: SegmentDocument[] = [{ name: 'S3', id: newId(), trace_id, type: 'subsegment', parent_id: facade, namespace: 'aws', start_time: T0, end_time: T0 + 0.02 }];
    const map = buildServiceMap([trace(docs)]);
    expect(map.edges.map((e) => `${e.from} → ${e.to}`)).toEqual(['service:(Lambda function) → aws:S3']);
  });
});

describe('renderServiceMap', () => {
  it('prints one line per node with requests, mean latency and outcome shares, then the edges', () => {
    const text = renderServiceMap(buildServiceMap([trace(shopTrace(200)), trace(shopTrace(503))]));
    expect(text).toContain('service map · 5 nodes · 4 edges · 2 traces');
    expect(text).toMatch(/^ {2}storefront +2 requests {2}avg 100 ms {2}ok 50% error 0% fault 50% throttle 0% AWS::EC2::Instance$/m);
    expect(text).toMatch(/^ {2}DynamoDB \(AWS\) +2 calls {2}avg 20 ms {2}ok 100% error 0% fault 0% throttle 0%$/m);
    expect(text).toContain('    client → storefront  2');
    expect(text).toContain('    storefront → inventory  2');
  });

  it('says "1 node · 1 edge · 1 trace" in the singular', () => {
    const trace_id = newTraceId();
    const text = renderServiceMap(buildServiceMap([trace([{ name: 'api', id: newId(), trace_id, start_time: T0, end_time: T0 + 1 }])]));
    expect(text).toContain('service map · 2 nodes · 1 edge · 1 trace');
  });
});

describe('xray-otel-bridge daemon --map', () => {
  let cli: CliDaemon | undefined;
  afterEach(async () => {
    await cli?.stop();
  });

  it('prints the service map when traces are reported', async () => {
    cli = await startCli(['--udp', '127.0.0.1:0', '--map', '--quiet-ms', '50']);
    await sendDatagrams(cli.port, [...shopTrace(200), ...shopTrace(503)].map(datagram));
    const out = await cli.waitForOutput('storefront → inventory  2');
    expect(out).toContain('service map · 5 nodes · 4 edges · 2 traces');
    expect(out).not.toContain('segment  100 ms');
  });
});
