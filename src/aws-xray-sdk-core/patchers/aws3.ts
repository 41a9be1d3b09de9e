import type { ContextUtils } from '../context.js';
import { safeParseInt, type LegacyEntity, type Subsegment } from '../entity.js';
import { runtime } from '../runtime.js';
import type { Segment } from '../segment.js';
import { getCauseTypeFromHttpStatus } from '../utils.js';
import type { AwsParams } from './aws-params.js';

const PLUGIN_NAME = 'XRaySDKInstrumentation';

/** Error names AWS services use for throttling (as `@smithy/service-error-classification` lists them). */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete', 'ProvisionedThroughputExceededException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException',
  'TooManyRequestsException', 'TransactionInProgressException',
]);

interface Metadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
}

/** The parts of an AWS SDK v3 client the patcher uses. */
export interface AwsV3Client {
  config: { region: () => Promise<string> | string };
  middlewareStack: {
    remove(name: string): unknown;
    use(plugin: { applyToStack(stack: { add(mw: unknown, options: Record<string, unknown>): void }): void }): void;
  };
}

type Next = (args: { input?: Record<string, unknown>; request: { headers: Record<string, string> } }) => Promise<{
  output?: Record<string, unknown> & { $metadata?: Metadata };
  response?: { headers?: Record<string, string> };
}>;

/**
 * `captureAWSv3Client(client, segment?)`: a middleware on the client's stack that runs each
 * command in an `aws` subsegment named after the service, with the SDK's `aws` fields (operation,
 * region, request_id, retries, the rules' parameters), the http status, and error/throttle/fault.
 */
export function createAwsV3Patcher(context: ContextUtils, params: AwsParams) {
  const middleware =
    (config: AwsV3Client['config'], manualSegment: Segment | Subsegment | undefined) =>
    (next: Next, ctx: { clientName: string; commandName: string }) =>
    async (args: Parameters<Next>[0]) => {
      const segment = context.isAutomaticMode() ? context.resolveSegment() : manualSegment;
      const commandInput = args?.input ?? {};
      const commandOperation = ctx.commandName.slice(0, -7);
      const operation = commandOperation.charAt(0).toLowerCase() + commandOperation.slice(1);
      const service = ctx.clientName.slice(0, -6);
      if (!segment) {
        const call = `${service}.${operation}`;
        runtime.logger.info(
          context.isAutomaticMode()
            ? `Call ${call} is missing the sub/segment context for automatic mode. Ignoring.`
            : `Call ${call} requires a segment object passed to captureAWSv3Client for tracing in manual mode. Ignoring.`,
        );
        return next(args);
      }
      const subsegment = segment.notTraced ? segment.addNewSubsegmentWithoutSampling(service) : segment.addNewSubsegment(service);
      subsegment.addAttribute('namespace', 'aws');
      const root = segment.segment ?? segment;
      const extra = (root as LegacyEntity & { additionalTraceData?: Record<string, string> }).additionalTraceData;
      let header = `Root=${root.trace_id};Parent=${subsegment.id};Sampled=${subsegment.notTraced ? '0' : '1'}`;
      if (extra) for (const [key, value] of Object.entries(extra)) header += `;${key}=${value}`;
      args.request.headers['X-Amzn-Trace-Id'] = header;

      const record = async (metadata: Metadata | undefined, data: Record<string, unknown> | undefined, headers: Record<string, string> | undefined, err?: unknown) => {
        const region = await config.region();
        const aws: Record<string, unknown> = { operation: commandOperation.charAt(0).toUpperCase() + commandOperation.slice(1) };
        if (region) aws.region = region;
        if (metadata?.requestId) aws.request_id = metadata.requestId;
        aws.retries = metadata?.attempts || 0;
        if (metadata?.extendedRequestId && service.toLowerCase() === 's3') aws.id_2 = metadata.extendedRequestId;
        Object.assign(aws, params.capture(service.toLowerCase(), operation, commandInput, data));
        const http: { response?: Record<string, number> } = {};
        if (metadata?.httpStatusCode) http.response = { status: metadata.httpStatusCode };
        if (headers?.['content-length'] !== undefined) (http.response ??= {}).content_length = safeParseInt(headers['content-length']);
        subsegment.addAttribute('aws', aws);
        subsegment.addAttribute('http', http);
        const status = safeParseInt(http.response?.status);
        if (isThrottling(err) || status === 429) subsegment.addThrottleFlag();
        const cause = getCauseTypeFromHttpStatus(status);
        if (cause === 'fault') subsegment.addFaultFlag();
        else if (cause === 'error') subsegment.addErrorFlag();
      };

      try {
        const res = await next(args);
        if (!res) throw new Error('Failed to get response from instrumented AWS Client.');
        await record(res.output?.$metadata, res.output, res.response?.headers);
        subsegment.close();
        return res;
      } catch (err) {
        const e = err as Error & { $metadata?: Metadata };
        if (e?.$metadata) await record(e.$metadata, undefined, undefined, e);
        subsegment.close({ message: e?.message, name: e?.name, stack: e?.stack || new Error().stack }, true);
        throw err;
      }
    };

  return function captureAWSv3Client<T extends AwsV3Client>(client: T, manualSegment?: Segment | Subsegment): T {
    client.middlewareStack.remove(PLUGIN_NAME);
    client.middlewareStack.use({
      applyToStack: (stack) => stack.add(middleware(client.config, manualSegment), { name: PLUGIN_NAME, step: 'build' }),
    });
    return client;
  };
}

function isThrottling(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: Metadata };
  return e.$retryable?.throttling === true || (typeof e.name === 'string' && THROTTLING_NAMES.has(e.name)) || e.$metadata?.httpStatusCode === 429;
}
