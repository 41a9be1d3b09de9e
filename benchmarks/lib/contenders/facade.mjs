// The recorder facade: X-Ray's recorder API (inSegment / inSubsegment, closed when the function
// returns or its promise settles) over real OTel spans, on the same pipeline as raw OTel
// (AsyncLocalStorage context manager, BatchSpanProcessor, XRayUdpSpanExporter).
import { loadBridge } from '../bridge.mjs';
import { createOtelPipeline } from '../otel-setup.mjs';

export const name = 'facade';
export const label = 'recorder facade';

export async function create({ daemonAddress }) {
  const bridge = await loadBridge();
  if (!bridge.xrayRecorder && !bridge.XRayRecorder) {
    throw new Error('dist/index.js exports neither xrayRecorder nor XRayRecorder: is the recorder built yet?');
  }
  const pipeline = await createOtelPipeline({ daemonAddress });
  const options = { tracerProvider: pipeline.provider, contextMissing: 'IGNORE_ERROR', service: 'bench-service' };
  // The default recorder, pointed at this provider, as an application would use it.
  const recorder = bridge.xrayRecorder ? bridge.xrayRecorder.configure(options) : new bridge.XRayRecorder(options);

  return {
    name,
    label,
    tracesSpans: true,
    segment: (n, fn) => recorder.inSegment(n, () => fn()),
    segmentSync: (n, fn) => recorder.inSegment(n, () => fn()),
    subsegment: (n, fn) => recorder.inSubsegment(n, () => fn()),
    subsegmentSync: (n, fn) => recorder.inSubsegment(n, () => fn()),
    httpSegment(req, res, fn) {
      return recorder.inSegment('bench-http', async (segment) => {
        segment.putHttpMeta('method', req.method);
        segment.putHttpMeta('url', `http://${req.headers.host}${req.url}`);
        segment.putHttpMeta('user_agent', req.headers['user-agent']);
        segment.putHttpMeta('client_ip', req.socket.remoteAddress);
        const value = await fn();
        segment.putHttpMeta('status', res.statusCode);
        return value;
      });
    },
    flush: pipeline.flush,
    stats: pipeline.stats,
    shutdown: pipeline.shutdown,
  };
}
