// Raw OpenTelemetry: tracer.startActiveSpan with the AsyncLocalStorage context manager,
// exporting through this project's XRayUdpSpanExporter behind a BatchSpanProcessor.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createOtelPipeline } from '../otel-setup.mjs';

export const name = 'otel';
export const label = 'raw OTel';

function fail(span, err) {
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err?.message });
}

export function create({ daemonAddress }) {
  return createOtelContender({ daemonAddress, name, label });
}

/**
 * The raw OTel contender; `exporter: 'noop'` swaps XRayUdpSpanExporter for one that does nothing,
 * `exporter: 'xray-worker'` makes it send from its worker thread.
 */
export async function createOtelContender({ daemonAddress, name, label, exporter }) {
  const pipeline = await createOtelPipeline({ daemonAddress, exporter });
  const tracer = pipeline.provider.getTracer('xray-otel-bridge-bench');

  const SERVER = { kind: SpanKind.SERVER };
  const INTERNAL = { kind: SpanKind.INTERNAL };

  function asyncSpan(spanName, options, fn) {
    return tracer.startActiveSpan(spanName, options, async (span) => {
      try {
        return await fn();
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  function syncSpan(spanName, options, fn) {
    return tracer.startActiveSpan(spanName, options, (span) => {
      try {
        return fn();
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  return {
    name,
    label,
    tracesSpans: true,
    // The no-op exporter sends nothing: the sink has nothing to count.
    exportsSpans: exporter !== 'noop',
    segment: (n, fn) => asyncSpan(n, SERVER, fn),
    segmentSync: (n, fn) => syncSpan(n, SERVER, fn),
    subsegment: (n, fn) => asyncSpan(n, INTERNAL, fn),
    subsegmentSync: (n, fn) => syncSpan(n, INTERNAL, fn),
    httpSegment(req, res, fn) {
      const attributes = {
        'http.request.method': req.method,
        'url.path': req.url,
        'url.scheme': 'http',
        'server.address': req.headers.host,
        'user_agent.original': req.headers['user-agent'],
        'client.address': req.socket.remoteAddress,
      };
      return tracer.startActiveSpan(`${req.method} /work`, { kind: SpanKind.SERVER, attributes }, async (span) => {
        try {
          return await fn();
        } catch (err) {
          fail(span, err);
          throw err;
        } finally {
          span.setAttribute('http.response.status_code', res.statusCode);
          span.end();
        }
      });
    },
    flush: pipeline.flush,
    stats: pipeline.stats,
    shutdown: pipeline.shutdown,
  };
}
