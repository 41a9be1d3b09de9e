/**
 * Legacy X-Ray recorder code and plain OpenTelemetry code, side by side in one request, producing
 * one trace. It prints the X-Ray documents the exporter would send.
 *
 * Run it: `npm run example -- examples/legacy-and-otel.ts` (builds the package, then runs this file
 * with `node --import ./examples/ts-loader.mjs`). It imports `xray-otel-bridge` as an application does.
 */
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { toSegmentDocuments, xray_recorder } from 'xray-otel-bridge';

// --- The OTel setup an application has anyway (here: print instead of sending to the daemon). ---
const finished: ReadableSpan[] = [];
const collect: SpanExporter = {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    finished.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  },
  async shutdown(): Promise<void> {},
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(collect)] }));
const tracer: Tracer = trace.getTracer('inventory-client');

// --- Code written against the X-Ray SDK, unchanged apart from the import. ---
xray_recorder.configure({ service: 'orders-api' });

class Orders {
  @xray_recorder.capture('save_order')
  async save(order: { id: number; items: string[] }): Promise<number> {
    const subsegment = xray_recorder.begin_subsegment('validate');
    subsegment.put_annotation('order_id', order.id);
    subsegment.put_metadata('order', order);
    xray_recorder.end_subsegment();
    // Library code instrumented with OpenTelemetry, called from legacy code: a child span.
    await reserveStock(order.items);
    return order.id;
  }
}

// --- Newer code written with @opentelemetry/api only. ---
async function reserveStock(items: string[]): Promise<void> {
  await tracer.startActiveSpan('reserve_stock', async (span) => {
    span.setAttribute('items.count', items.length);
    await new Promise((resolve) => setImmediate(resolve));
    // ...which can call legacy helpers again: their subsegments nest under the OTel span.
    const audit = xray_recorder.capture('audit')(() => 'ok');
    audit();
    span.end();
  });
}

export async function handleRequest(): Promise<void> {
  const segment = xray_recorder.begin_segment();
  segment.put_http_meta('method', 'POST');
  segment.put_http_meta('url', 'https://shop.example.com/orders');
  await new Orders().save({ id: 42, items: ['book', 'pen'] });
  segment.put_http_meta('status', 201);
  xray_recorder.end_segment();
}

await handleRequest();
const documents = toSegmentDocuments(finished);
process.stdout.write(JSON.stringify(documents, null, 2) + '\n');
