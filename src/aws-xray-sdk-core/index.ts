// `xray-otel-bridge/aws-xray-sdk-core` (ESM): the `AWSXRay` object as the default export, and its
// members as named exports, as `import AWSXRay, { captureFunc } from 'aws-xray-sdk-core'` expects.
import { AWSXRay } from './aws-xray.js';

export default AWSXRay;
export const {
  plugins,
  config,
  setAWSWhitelist,
  appendAWSWhitelist,
  setStreamingThreshold,
  setLogger,
  getLogger,
  setDaemonAddress,
  captureFunc,
  captureAsyncFunc,
  captureCallbackFunc,
  captureAWS,
  captureAWSClient,
  captureAWSv3Client,
  captureHTTPs,
  captureHTTPsGlobal,
  capturePromise,
  database,
  middleware,
  getNamespace,
  resolveSegment,
  resolveManualSegmentParams,
  getSegment,
  setSegment,
  isAutomaticMode,
  enableAutomaticMode,
  enableManualMode,
  setContextMissingStrategy,
  Segment,
  Subsegment,
  TraceID,
  SegmentUtils,
  shutdown,
} = AWSXRay;
// The same module object as `AWSXRay.utils`; destructured like the rest, the bundled declarations
// came out as invalid TypeScript (`typeof __utils_js` fused with the next declaration).
export * as utils from './utils.js';
export type { AWSXRay } from './aws-xray.js';
export type { LegacyLogger as Logger } from './logger.js';
export type { Segment as SegmentType } from './segment.js';
export type { Subsegment as SubsegmentType } from './entity.js';
export type SegmentLike = import('./segment.js').Segment | import('./entity.js').Subsegment;
