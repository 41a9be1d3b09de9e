import type { ContextUtils } from '../context.js';
import { safeParseInt, type Subsegment } from '../entity.js';
import { runtime } from '../runtime.js';
import { getCauseTypeFromHttpStatus } from '../utils.js';
import type { AwsParams } from './aws-params.js';

/** The parts of an AWS SDK v2 request the patcher uses. */
interface V2Request {
  operation: string;
  params?: Record<string, unknown>;
  httpRequest?: { headers: Record<string, string>; region?: string };
  on(event: string, listener: (arg: any) => void): V2Request;
  removeListener(event: string, listener: (arg: any) => void): unknown;
  send(callback?: unknown): unknown;
  __send?: (callback?: unknown) => unknown;
}

interface V2Response {
  error?: (Error & { code?: string }) | null;
  requestId?: string;
  retryCount?: number;
  data?: Record<string, unknown>;
  request: V2Request & { httpRequest?: { region?: string } };
  httpResponse?: { statusCode?: number; headers?: Record<string, string> };
}

/** An AWS SDK v2 service client (or its prototype). */
export interface AwsV2Service {
  serviceIdentifier?: string;
  customizeRequests(fn: (this: AwsV2Service, req: V2Request) => void): void;
  throttledError?: (err: unknown) => boolean;
}

const MIN_VERSION = [2, 7, 15];

/** `captureAWS(AWS)` and `captureAWSClient(service)` for AWS SDK v2, as the SDK's `aws_p`. */
export function createAwsV2Patcher(context: ContextUtils, params: AwsParams) {
  function captureRequest(this: AwsV2Service, req: V2Request): V2Request {
    const parent = context.resolveSegment(context.resolveManualSegmentParams(req.params) ?? undefined);
    const serviceName = this.serviceIdentifier ?? 'aws';
    if (!parent) {
      const call = `${serviceName}.${req.operation}`;
      runtime.logger.info(
        context.isAutomaticMode()
          ? `Call ${call} is missing the sub/segment context for automatic mode. Ignoring.`
          : `Call ${call} requires a segment object on the request params as "XRaySegment" for tracing in manual mode. Ignoring.`,
      );
      return req;
    }
    const throttled = this.throttledError ?? (() => false);
    const stack = new Error().stack;
    const subsegment: Subsegment = parent.notTraced ? parent.addNewSubsegmentWithoutSampling(serviceName) : parent.addNewSubsegment(serviceName);
    const traceId = parent.segment?.trace_id ?? parent.trace_id;
    const build = (r: V2Request) => {
      if (r.httpRequest) r.httpRequest.headers['X-Amzn-Trace-Id'] = `Root=${traceId};Parent=${subsegment.id};Sampled=${subsegment.notTraced ? '0' : '1'}`;
    };
    const complete = (res: V2Response) => {
      subsegment.addAttribute('namespace', 'aws');
      const operation = res.request.operation;
      const aws: Record<string, unknown> = { operation: operation ? operation.charAt(0).toUpperCase() + operation.slice(1) : '' };
      if (res.request.httpRequest?.region) aws.region = res.request.httpRequest.region;
      if (res.requestId) aws.request_id = res.requestId;
      aws.retries = res.retryCount || 0;
      Object.assign(aws, params.capture(serviceName.toLowerCase(), operation, res.request.params, res.data));
      subsegment.addAttribute('aws', aws);
      const httpRes = res.httpResponse;
      if (httpRes) {
        const response: Record<string, unknown> = { status: httpRes.statusCode || '' };
        if (httpRes.headers?.['content-length']) response.content_length = safeParseInt(httpRes.headers['content-length']);
        subsegment.addAttribute('http', { response });
        if (httpRes.statusCode === 429 || (res.error && throttled(res.error))) subsegment.addThrottleFlag();
      }
      if (res.error) {
        const err = { message: res.error.message, name: res.error.code ?? res.error.name, stack };
        if (httpRes?.statusCode) {
          if (getCauseTypeFromHttpStatus(httpRes.statusCode) === 'error') subsegment.addErrorFlag();
          subsegment.close(err, true);
        } else {
          subsegment.close(err);
        }
      } else {
        const cause = httpRes?.statusCode ? getCauseTypeFromHttpStatus(httpRes.statusCode) : undefined;
        if (cause) subsegment[cause] = true;
        subsegment.close();
      }
    };
    req.on('beforePresign', (r: V2Request) => {
      // A presigned URL is not a call: forget the subsegment (a span never ended is never exported).
      parent.removeSubsegment(subsegment);
      parent.decrementCounter();
      r.removeListener('build', build);
      r.removeListener('complete', complete);
    });
    req.on('build', build).on('complete', complete);
    if (!req.__send) {
      const send = req.send;
      req.__send = send;
      req.send = function (this: V2Request, callback?: unknown) {
        if (!context.isAutomaticMode()) return send.call(this, callback);
        return context.getNamespace().runAndReturn(() => {
          context.setSegment(subsegment);
          return send.call(this, callback);
        });
      };
    }
    return req;
  }

  return {
    captureAWS<T extends Record<string, unknown> & { VERSION?: string }>(awssdk: T): T {
      if (!versionAtLeast(awssdk.VERSION, MIN_VERSION)) throw new Error(`AWS SDK version ${MIN_VERSION.join('.')} or greater required.`);
      for (const key of Object.keys(awssdk)) {
        const Service = awssdk[key] as { serviceIdentifier?: string; prototype?: AwsV2Service } | undefined;
        if (Service?.serviceIdentifier && Service.prototype) Service.prototype.customizeRequests(captureRequest);
      }
      return awssdk;
    },
    captureAWSClient<T extends AwsV2Service>(service: T): T {
      service.customizeRequests(captureRequest);
      return service;
    },
  };
}

function versionAtLeast(version: unknown, min: number[]): boolean {
  if (typeof version !== 'string') return false;
  const parts = version.split('.').map((p) => parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const v = parts[i] ?? 0;
    if (Number.isNaN(v)) return false;
    if (v !== min[i]) return v > min[i]!;
  }
  return true;
}
