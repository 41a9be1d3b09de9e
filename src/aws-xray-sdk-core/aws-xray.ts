import { parseDaemonAddress } from '../transport/address.js';
import { createCapture } from './capture.js';
import { SqlData } from './sql-data.js';
import { ContextUtils, Namespace } from './context.js';
import { LegacyEntity, Subsegment } from './entity.js';
import type { LegacyLogger } from './logger.js';
import { IncomingRequestData, MiddlewareUtils } from './middleware.js';
import { AwsParams, type ParamsDocument } from './patchers/aws-params.js';
import { createAwsV2Patcher } from './patchers/aws2.js';
import { createAwsV3Patcher } from './patchers/aws3.js';
import { createHttpPatcher } from './patchers/http.js';
import { EC2Plugin, ECSPlugin, ElasticBeanstalkPlugin, config } from './plugins.js';
import { runtime } from './runtime.js';
import { Segment } from './segment.js';
import { TraceID } from './trace-id.js';
import * as utils from './utils.js';

/** `SegmentUtils`: the SDK's segment helpers that legacy code calls. */
function segmentUtils() {
  let threshold = 100;
  return {
    getCurrentTime: (): number => Date.now() / 1000,
    /** The exporter sizes its own documents; the threshold is kept for code that reads it back. */
    setStreamingThreshold(value: number): void {
      if (Number.isFinite(value) && value >= 0) {
        threshold = value;
        runtime.logger.debug(`Subsegment streaming threshold set to: ${value}`);
      } else {
        runtime.logger.error(`Invalid threshold: ${String(value)}. Must be a whole number >= 0.`);
      }
    },
    getStreamingThreshold: (): number => threshold,
    getHttpResponseData: (res: { statusCode?: number; headers?: Record<string, unknown> } | null | undefined): Record<string, number> => {
      const out: Record<string, number> = {};
      if (!res) return out;
      const status = utils.safeParseInt(res.statusCode);
      if (status !== 0) out.status = status;
      if (res.headers?.['content-length']) out.content_length = utils.safeParseInt(res.headers['content-length']);
      return out;
    },
    getJsonStringifyReplacer: () => (_: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    setOrigin: (): void => {},
    setPluginData: (): void => {},
    setSDKData: (): void => {},
    setServiceData: (): void => {},
  };
}

/** Builds the `AWSXRay` object: the public surface of `aws-xray-sdk-core` 3.x. */
function createAWSXRay() {
  const context = new ContextUtils();
  const capture = createCapture(context);
  const http = createHttpPatcher(context);
  const params = new AwsParams();
  const aws2 = createAwsV2Patcher(context, params);
  const SegmentUtils = segmentUtils();
  const middleware = new MiddlewareUtils();

  /** `capturePromise()`: continuations already run in their context (AsyncLocalStorage); kept for compatibility. */
  const capturePromise = Object.assign(() => {}, { patchThirdPartyPromise: (_promise: unknown) => {} });

  return {
    plugins: { EC2Plugin, ECSPlugin, ElasticBeanstalkPlugin },
    config,
    setAWSWhitelist: (source: string | ParamsDocument): void => params.set(source),
    appendAWSWhitelist: (source: string | ParamsDocument): void => params.append(source),
    setStreamingThreshold: SegmentUtils.setStreamingThreshold,
    setLogger: (logger: LegacyLogger): void => runtime.loggers.set(logger),
    getLogger: (): LegacyLogger => runtime.loggers.get(),
    /** Where the pipeline the drop-in registers sends to; throws on a malformed address, as the SDK does. */
    setDaemonAddress: (address: string): void => {
      parseDaemonAddress(address);
      runtime.setDaemonAddress(address);
    },
    captureFunc: capture.captureFunc,
    captureAsyncFunc: capture.captureAsyncFunc,
    captureCallbackFunc: capture.captureCallbackFunc,
    captureAWS: aws2.captureAWS,
    captureAWSClient: aws2.captureAWSClient,
    captureAWSv3Client: createAwsV3Patcher(context, params),
    captureHTTPs: http.captureHTTPs,
    captureHTTPsGlobal: http.captureHTTPsGlobal,
    capturePromise,
    utils,
    database: { SqlData },
    middleware,
    getNamespace: context.getNamespace,
    resolveSegment: context.resolveSegment,
    resolveManualSegmentParams: context.resolveManualSegmentParams,
    getSegment: context.getSegment,
    setSegment: context.setSegment,
    isAutomaticMode: context.isAutomaticMode,
    enableAutomaticMode: context.enableAutomaticMode,
    enableManualMode: context.enableManualMode,
    setContextMissingStrategy: context.setContextMissingStrategy,
    contextUtils: context,
    Segment,
    Subsegment,
    TraceID,
    SegmentUtils,
    IncomingRequestData,
    Namespace,
    Entity: LegacyEntity,
    /** Flushes and unregisters the pipeline the drop-in registered, if it did (end of tests, graceful exit). */
    shutdown: (): Promise<void> => runtime.shutdown(),
  };
}

export type AWSXRay = ReturnType<typeof createAWSXRay>;

/**
 * One `AWSXRay` per process, whichever of the ESM and CommonJS builds (or both) load it, so that
 * `require('aws-xray-sdk-core')` in one module and `import` in another share segments and classes.
 */
const GLOBAL_KEY = Symbol.for('xray-otel-bridge.aws-xray-sdk-core');
const holder = globalThis as typeof globalThis & { [GLOBAL_KEY]?: AWSXRay };
export const AWSXRay: AWSXRay = (holder[GLOBAL_KEY] ??= createAWSXRay());
