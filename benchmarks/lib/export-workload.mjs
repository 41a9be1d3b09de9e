// Export only: real spans from a real BasicTracerProvider (collected by an InMemorySpanExporter),
// fed to XRayUdpSpanExporter.export() in batches of 512 as a BatchSpanProcessor would, for a
// fixed time. Measures spans/s through translation + UDP, and datagrams and bytes per span.
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadBridge } from './bridge.mjs';

export const BATCH_SIZE = 512;
export const SPANS_PER_TRACE = 10;

const now = () => process.hrtime.bigint();

/**
 * One request's trace: a SERVER root and 9 children (auth, cache, two SQL queries under a
 * loader, DynamoDB, two outgoing HTTP calls, render) with the attributes instrumentations set.
 */
function recordTrace(tracer, t0, n) {
  const ms = (offset) => t0 + offset;
  const under = (parent) => trace.setSpan(ROOT_CONTEXT, parent);
  const root = tracer.startSpan(
    'GET /orders/:id',
    {
      kind: SpanKind.SERVER,
      startTime: ms(0),
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'url.path': `/orders/${1000 + n}`,
        'url.scheme': 'https',
        'server.address': 'api.example.com',
        'server.port': 443,
        'client.address': '203.0.113.7',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        'network.protocol.version': '1.1',
      },
    },
    ROOT_CONTEXT,
  );
  const child = (name, kind, start, end, attributes, parent = root, extra) => {
    const span = tracer.startSpan(name, { kind, startTime: ms(start), attributes }, under(parent));
    extra?.(span);
    span.end(ms(end));
    return span;
  };
  child('auth.verify', SpanKind.INTERNAL, 0.2, 1.1, { 'enduser.id': `user-${n % 97}` });
  child('GET', SpanKind.CLIENT, 1.2, 1.6, {
    'db.system.name': 'redis',
    'db.operation.name': 'GET',
    'db.query.text': 'GET order:*',
    'server.address': 'cache.internal',
    'server.port': 6379,
  });
  const loader = tracer.startSpan('orders.load', { kind: SpanKind.INTERNAL, startTime: ms(1.7) }, under(root));
  child(
    'SELECT shop.orders',
    SpanKind.CLIENT,
    1.8,
    4.9,
    {
      'db.system.name': 'postgresql',
      'db.namespace': 'shop',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'orders',
      'db.query.text': 'SELECT id, status, total, currency, created_at FROM orders WHERE id = $1',
      'server.address': 'db.internal',
      'server.port': 5432,
      'db.user': 'app',
    },
    loader,
  );
  child(
    'SELECT shop.order_items',
    SpanKind.CLIENT,
    5.0,
    8.2,
    {
      'db.system.name': 'postgresql',
      'db.namespace': 'shop',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'order_items',
      'db.query.text': 'SELECT sku, quantity, unit_price FROM order_items WHERE order_id = $1 ORDER BY line',
      'server.address': 'db.internal',
      'server.port': 5432,
      'db.user': 'app',
    },
    loader,
  );
  loader.end(ms(8.3));
  child('DynamoDB.GetItem', SpanKind.CLIENT, 8.4, 12.0, {
    'rpc.system': 'aws-api',
    'rpc.service': 'DynamoDB',
    'rpc.method': 'GetItem',
    'aws.dynamodb.table_names': ['inventory'],
    'aws.request_id': `Q7M1S3A5J8GQ9F6E2K4H0N${String(n).padStart(10, '0')}`,
    'cloud.region': 'us-east-1',
    'http.response.status_code': 200,
  });
  child('GET', SpanKind.CLIENT, 12.1, 19.5, {
    'http.request.method': 'GET',
    'url.full': `https://pricing.internal/v1/prices?sku=SKU-${n % 500}&currency=EUR`,
    'server.address': 'pricing.internal',
    'server.port': 443,
    'http.response.status_code': 200,
    'network.protocol.version': '1.1',
  });
  child(
    'POST',
    SpanKind.CLIENT,
    19.6,
    21.0,
    {
      'http.request.method': 'POST',
      'url.full': 'https://analytics.internal/v2/events',
      'server.address': 'analytics.internal',
      'server.port': 443,
      'http.response.status_code': n % 50 === 0 ? 503 : 202,
    },
    root,
    (span) => {
      if (n % 50 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'Service Unavailable' });
    },
  );
  child('render', SpanKind.INTERNAL, 21.1, 22.4, { 'template.name': 'order.json' }, root, (span) =>
    span.addEvent('serialized', { 'payload.bytes': 1834 }),
  );
  root.setAttribute('http.response.status_code', 200);
  root.end(ms(22.6));
}

/** `traces` finished traces' spans, in the order a span processor sees them (end order). */
export function buildSpans(traces) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders-api', 'service.version': '1.4.2', 'cloud.provider': 'aws' }),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('bench-export');
  const base = Date.now() - traces * 25;
  for (let n = 0; n < traces; n++) recordTrace(tracer, base + n * 25, n);
  const spans = memory.getFinishedSpans().slice();
  if (spans.length !== traces * SPANS_PER_TRACE) throw new Error(`expected ${traces * SPANS_PER_TRACE} spans, got ${spans.length}`);
  return spans;
}

/** Consecutive batches of BATCH_SIZE (traces cut at batch edges, as a BatchSpanProcessor cuts them). */
export function toBatches(spans) {
  const batches = [];
  for (let i = 0; i + BATCH_SIZE <= spans.length; i += BATCH_SIZE) batches.push(spans.slice(i, i + BATCH_SIZE));
  return batches;
}

export async function runExport(job) {
  const { XRayUdpSpanExporter, toSegmentDocuments } = await loadBridge();
  // 512 traces = 5,120 spans = exactly 10 batches.
  const batches = toBatches(buildSpans(job.traces ?? 512));
  const exporter = new XRayUdpSpanExporter({ daemonAddress: job.daemonAddress, nest: job.nest });
  const exportBatch = (batch) =>
    new Promise((resolve, reject) =>
      exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))),
    );

  async function exportFor(ms) {
    const deadline = now() + BigInt(Math.round(ms * 1e6));
    let spans = 0;
    let i = 0;
    do {
      const batch = batches[i++ % batches.length];
      await exportBatch(batch);
      spans += batch.length;
    } while (now() < deadline);
    return spans;
  }

  await exportFor(job.warmupMs);
  const before = exporter.stats();
  const start = now();
  const spans = await exportFor(job.measureMs);
  const elapsedNs = Number(now() - start);
  const after = exporter.stats();

  // Translation alone (no socket), for the split between building documents and sending them.
  const options = { nest: job.nest };
  let translated = 0;
  for (let k = 0; k < 3; k++) for (const b of batches) toSegmentDocuments(b, options); // warm
  const tStart = now();
  const tDeadline = tStart + BigInt(Math.round(job.measureMs * 0.5 * 1e6));
  let i = 0;
  do {
    const b = batches[i++ % batches.length];
    toSegmentDocuments(b, options);
    translated += b.length;
  } while (now() < tDeadline);
  const translateNs = Number(now() - tStart);

  const total = exporter.stats();
  await exporter.shutdown();
  return {
    kind: 'export',
    contender: job.nest === false ? 'flat' : 'nested',
    label: job.nest === false ? 'nest: false' : 'nested (default)',
    workload: 'export',
    nest: job.nest !== false,
    spans,
    elapsedNs,
    spansPerSecond: spans / (elapsedNs / 1e9),
    usPerSpan: elapsedNs / 1e3 / spans,
    datagramsPerSpan: (after.datagramsSent - before.datagramsSent) / spans,
    bytesPerSpan: (after.bytesSent - before.bytesSent) / spans,
    translateSpansPerSecond: translated / (translateNs / 1e9),
    exporter: total,
    spansCreated: total.spansReceived,
  };
}
