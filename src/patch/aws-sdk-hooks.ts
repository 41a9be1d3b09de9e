import { context, propagation, type Span } from '@opentelemetry/api';
import { unsuppressTracing } from '@opentelemetry/core';
import { ATTR_AWS_S3_KEY } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_XRAY_AWS_RETRIES, ATTR_XRAY_THROTTLE } from '../common/attributes.js';

// `@opentelemetry/instrumentation-aws-sdk` writes the request id under its own key.
const ATTR_AWS_REQUEST_ID = 'aws.request.id';

/**
 * Error names the AWS SDK classifies as throttling (`@smithy/service-error-classification`);
 * the X-Ray SDK sets `throttle` for them even when the status is 400.
 */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** The parts of the instrumentation's hook arguments read here (its types are not a dependency). */
interface RequestInfo {
  request?: { serviceName?: string; commandInput?: Record<string, unknown> };
}
interface ResponseInfo {
  response?: { data?: { $metadata?: Metadata } };
}
interface Metadata {
  attempts?: unknown;
  requestId?: unknown;
}
interface SdkError {
  name?: unknown;
  $metadata?: Metadata;
  $retryable?: { throttling?: unknown };
}

/**
 * The aws-sdk instrumentation's configuration: one span per call with no HTTP span under it (as
 * X-Ray shows one `aws` subsegment per call), plus what the X-Ray SDK records and the
 * instrumentation does not: the S3 key, the retry count, the request id of failed calls and
 * throttling errors. Hooks never throw: the instrumentation catches them, and they check types.
 */
export function awsSdkConfig(): Record<string, unknown> {
  return {
    suppressInternalInstrumentation: true,
    preRequestHook: (span: Span, info: RequestInfo) => {
      const key = info.request?.commandInput?.Key;
      if (info.request?.serviceName === 'S3' && typeof key === 'string') span.setAttribute(ATTR_AWS_S3_KEY, key);
    },
    responseHook: (span: Span, info: ResponseInfo) => {
      setRetries(span, info.response?.data?.$metadata);
    },
    exceptionHook: (span: Span, _info: RequestInfo, err: SdkError | undefined) => {
      if (err === null || typeof err !== 'object') return;
      const metadata = err.$metadata;
      setRetries(span, metadata);
      if (typeof metadata?.requestId === 'string' && metadata.requestId !== '') span.setAttribute(ATTR_AWS_REQUEST_ID, metadata.requestId);
      if ((typeof err.name === 'string' && THROTTLING_ERRORS.has(err.name)) || err.$retryable?.throttling === true) {
        span.setAttribute(ATTR_XRAY_THROTTLE, true);
      }
    },
  };
}

/** `attempts` counts the first try; X-Ray's `retries` does not. */
function setRetries(span: Span, metadata: Metadata | undefined): void {
  const attempts = metadata?.attempts;
  if (typeof attempts === 'number' && Number.isSafeInteger(attempts) && attempts >= 1) span.setAttribute(ATTR_XRAY_AWS_RETRIES, attempts - 1);
}

interface MiddlewareStack {
  add(middleware: unknown, options: Record<string, unknown>): void;
}
type Handler = (args: { request?: unknown }) => Promise<unknown>;

const TRACE_HEADER_MIDDLEWARE = 'XRayOtelBridgeTraceHeader';
const withHeader = new WeakSet<object>();

/**
 * The X-Ray SDK sends `X-Amzn-Trace-Id` on every AWS call, so that SQS, SNS, Lambda and API
 * Gateway continue the trace. With the HTTP span suppressed nothing would send it: this adds a
 * build-step middleware (where the X-Ray SDK puts its own) to every stack the instrumentation
 * patches, injecting the AWS span's context through the global propagator. An instrumentation
 * without `patchV3MiddlewareStack` (another major version) is left as it is.
 */
export function sendTraceHeader(instrumentation: object): void {
  const target = instrumentation as { patchV3MiddlewareStack?: (version: unknown, stack: unknown) => void };
  const original = target.patchV3MiddlewareStack;
  if (typeof original !== 'function') return;
  target.patchV3MiddlewareStack = function (this: unknown, version: unknown, stack: unknown): void {
    original.call(this, version, stack);
    addTraceHeaderMiddleware(stack);
  };
}

function addTraceHeaderMiddleware(stack: unknown): void {
  if (stack === null || typeof stack !== 'object' || withHeader.has(stack) || typeof (stack as MiddlewareStack).add !== 'function') return;
  withHeader.add(stack);
  const middleware = (next: Handler) => (args: { request?: unknown }) => {
    const request = args.request as { headers?: Record<string, string> } | undefined;
    if (request !== undefined && request !== null && typeof request.headers === 'object' && request.headers !== null) {
      // The instrumentation suppresses tracing below its span; propagators such as W3C's honour that.
      propagation.inject(unsuppressTracing(context.active()), request.headers);
    }
    return next(args);
  };
  try {
    (stack as MiddlewareStack).add(middleware, { step: 'build', name: TRACE_HEADER_MIDDLEWARE, override: true });
  } catch {
    // A stack that refuses it still works; only the header is missing.
  }
}
