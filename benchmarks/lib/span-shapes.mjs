// Spans for the exporter-cost benchmark, from a real BasicTracerProvider (collected by an
// InMemorySpanExporter), in the order a span processor sees them (end order).
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

// The SDK keeps 128 attributes and 128 events per span by default; oversized spans need more.
const UNLIMITED = { attributeCountLimit: 1_000_000, eventCountLimit: 1_000_000 };

function recorder() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-service' }),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: UNLIMITED,
  });
  return { tracer: provider.getTracer('bench-exporter-cost'), spans: () => memory.getFinishedSpans().slice() };
}

/**
 * The context benchmark's unit as an instrumented HTTP service records it: a SERVER span with
 * the HTTP attributes of the `otel` contender's request segment, and three INTERNAL children,
 * each the parent of the next, with one attribute each. `units` units, 4 spans each.
 */
export function ordinarySpans(units) {
  const { tracer, spans } = recorder();
  for (let n = 0; n < units; n++) {
    const root = tracer.startSpan(
      'GET /work',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/work',
          'url.scheme': 'http',
          'server.address': '127.0.0.1:3000',
          'user_agent.original': 'autocannon',
          'client.address': '127.0.0.1',
        },
      },
      ROOT_CONTEXT,
    );
    const chain = [];
    let parent = root;
    for (let level = 1; level <= 3; level++) {
      parent = tracer.startSpan(`level-${level}`, { kind: SpanKind.INTERNAL, attributes: { 'work.item': n } }, trace.setSpan(ROOT_CONTEXT, parent));
      chain.push(parent);
    }
    for (let i = chain.length - 1; i >= 0; i--) chain[i].end();
    root.setAttribute('http.response.status_code', 200);
    root.end();
  }
  return spans();
}

/**
 * A Node.js stack trace of `frames` frames, as `Error.stack` prints it; `variant` moves the
 * frames' lines, so that different variants are different stacks.
 */
export function nodeStack(message, frames, variant = 0) {
  const lines = [`Error: ${message}`];
  for (let i = 0; i < frames; i++) lines.push(`    at handler${i} (/srv/app/src/module-${i % 7}.js:${20 + i + variant}:${5 + (i % 11)})`);
  return lines.join('\n');
}

/**
 * Spans that failed: status ERROR and one recorded exception with a `frames`-frame stack. The
 * messages differ; the stacks are the same frames unless `distinct`, when every span's differ.
 */
export function exceptionSpans(count, frames = 20, { distinct = false } = {}) {
  const { tracer, spans } = recorder();
  for (let n = 0; n < count; n++) {
    const span = tracer.startSpan('charge', { kind: SpanKind.INTERNAL, attributes: { 'order.id': n } }, ROOT_CONTEXT);
    const err = new TypeError(`cannot read properties of undefined (reading 'total') #${n}`);
    err.stack = nodeStack(err.message, frames, distinct ? n : 0);
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    span.end();
  }
  return spans();
}

/** One span with `count` attributes of `valueBytes` bytes each (far over the 64 kB limit from 1,000 up). */
export function wideSpan(count, valueBytes = 200) {
  const { tracer, spans } = recorder();
  const attributes = {};
  for (let i = 0; i < count; i++) attributes[`attr.${i}`] = `${i}:`.padEnd(valueBytes, 'v');
  tracer.startSpan('wide', { kind: SpanKind.INTERNAL, attributes }, ROOT_CONTEXT).end();
  return spans();
}

/** One span with `count` exception events, each with a 20-frame stack. */
export function manyExceptionsSpan(count) {
  const { tracer, spans } = recorder();
  const span = tracer.startSpan('retries', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
  for (let i = 0; i < count; i++) {
    const err = new Error(`attempt ${i} failed`);
    err.stack = nodeStack(err.message, 20);
    span.recordException(err);
  }
  span.end();
  return spans();
}
