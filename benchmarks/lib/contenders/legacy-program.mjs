// Legacy X-Ray instrumentation, written once against the aws-xray-sdk-core API: segments made by
// hand in a CLS context, subsegments through captureAsyncFunc/captureFunc, incoming request data
// from the SDK's middleware helpers. The module it runs over is a parameter, so the very same
// program text measures aws-xray-sdk-core itself and any drop-in replacement for it.
import { setImmediate as tick } from 'node:timers/promises';

/**
 * The contender interface over `AWSXRay` (a module with aws-xray-sdk-core's API). The daemon
 * address must be in AWS_XRAY_DAEMON_ADDRESS before that module is loaded (the SDK reads it then).
 */
export function createLegacyContender(AWSXRay, { name, label }) {
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
  const ns = AWSXRay.getNamespace();
  const { IncomingRequestData } = AWSXRay.middleware;

  function segment(segName, fn) {
    const seg = new AWSXRay.Segment(segName);
    return ns.runPromise(async () => {
      AWSXRay.setSegment(seg);
      let value;
      try {
        value = await fn();
      } catch (err) {
        seg.close(err);
        throw err;
      }
      seg.close();
      return value;
    });
  }

  function segmentSync(segName, fn) {
    const seg = new AWSXRay.Segment(segName);
    return ns.runAndReturn(() => {
      AWSXRay.setSegment(seg);
      try {
        return fn();
      } finally {
        seg.close();
      }
    });
  }

  function subsegment(subName, fn) {
    return AWSXRay.captureAsyncFunc(subName, async (sub) => {
      try {
        const value = await fn();
        sub.close();
        return value;
      } catch (err) {
        sub.close(err);
        throw err;
      }
    });
  }

  function subsegmentSync(subName, fn) {
    return AWSXRay.captureFunc(subName, () => fn());
  }

  function httpSegment(req, res, fn) {
    const seg = new AWSXRay.Segment('bench-http');
    seg.addIncomingRequestData(new IncomingRequestData(req));
    return ns.runPromise(async () => {
      AWSXRay.setSegment(seg);
      try {
        const value = await fn();
        seg.http.close(res);
        return value;
      } finally {
        seg.close();
      }
    });
  }

  return {
    name,
    label,
    tracesSpans: true,
    segment,
    segmentSync,
    subsegment,
    subsegmentSync,
    httpSegment,
    async flush() {
      // Segments are sent as they close; let the pending UDP sends complete.
      await tick();
      await tick();
    },
    async shutdown() {},
  };
}
