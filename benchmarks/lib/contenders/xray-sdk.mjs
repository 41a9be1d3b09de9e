// The legacy aws-xray-sdk-core (3.x): cls-hooked context (async_hooks), segments made by hand,
// subsegments through captureAsyncFunc/captureFunc, each closed segment sent whole over UDP.
import { createRequire } from 'node:module';
import { setImmediate as tick } from 'node:timers/promises';

const require = createRequire(import.meta.url);

export const name = 'xray-sdk';
export const label = 'aws-xray-sdk-core';

export async function create({ daemonAddress }) {
  // The SDK reads AWS_XRAY_DAEMON_ADDRESS when it loads; set it first in case the caller did not.
  if (daemonAddress) process.env.AWS_XRAY_DAEMON_ADDRESS = daemonAddress;
  const AWSXRay = require('aws-xray-sdk-core');
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
  const ns = AWSXRay.getNamespace();
  const { IncomingRequestData } = AWSXRay.middleware;
  const version = require('aws-xray-sdk-core/package.json').version;

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
    label: `${label} ${version}`,
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
