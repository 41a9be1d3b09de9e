import { errorMonitor } from 'node:events';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { ContextUtils } from '../context.js';
import type { RemoteRequest, Subsegment } from '../entity.js';
import { runtime } from '../runtime.js';
import { getCauseTypeFromHttpStatus, stripQueryStringFromPath } from '../utils.js';

/** Called when a captured request ends: (subsegment, request, response, error). */
export type SubsegmentCallback = (subsegment: Subsegment, req: unknown, res: IncomingMessage | null, error?: Error) => void;

/** `http` or `https`, or any module with their `request` and `get`. */
export interface HttpModule {
  request: (...args: any[]) => ClientRequest;
  get: (...args: any[]) => ClientRequest;
  __request?: HttpModule['request'];
  __get?: HttpModule['get'];
}

type Options = RequestOptions & { XRaySegment?: unknown; XraySegment?: unknown; Segment?: unknown; pathname?: string };

/**
 * The SDK's http patcher: each outgoing request made through the module runs in a `remote`
 * subsegment named after the host, sends `X-Amzn-Trace-Id` downstream, and records the request,
 * the response status (4xx error, 429 throttle, 5xx fault) or the error.
 */
export function createHttpPatcher(context: ContextUtils) {
  function enableCapture(module: HttpModule, downstreamXRayEnabled: boolean | undefined, subsegmentCallback: SubsegmentCallback | undefined): void {
    function captureOutgoing(baseFunc: HttpModule['request'], ...args: unknown[]): ClientRequest {
      let options: Options | string | URL | undefined;
      let callback: unknown;
      let urlObj: Options | URL | undefined;
      const arg0 = args[0];
      const hasUrl = typeof args[1] === 'object' && args[1] !== null;
      if (hasUrl) {
        urlObj = typeof arg0 === 'string' ? new URL(arg0) : (arg0 as URL);
        options = args[1] as Options;
        callback = args[2];
      } else {
        options = arg0 as Options | string | URL | undefined;
        callback = args[1];
      }
      // Nothing to describe, or already traced (by this patcher or by the caller).
      if (!options || (typeof options === 'object' && (options as Options).headers && ((options as Options).headers as Record<string, unknown>)['X-Amzn-Trace-Id'])) {
        return baseFunc(...args);
      }
      if (typeof options === 'string') options = new URL(options);
      if (!hasUrl) urlObj = options;
      const opts = options as Options;
      const url = urlObj as Options & URL;
      const parent = context.resolveSegment(context.resolveManualSegmentParams(opts as Record<string, unknown>) ?? undefined);
      const hostname = opts.hostname || opts.host || url.hostname || url.host || 'Unknown host';
      if (!parent) {
        let output = `[ host: ${hostname}`;
        output = opts.method ? `${output}, method: ${opts.method}` : output;
        output += `, path: ${url.pathname || stripQueryStringFromPath(opts.path ?? undefined)} ]`;
        runtime.logger.info(
          context.isAutomaticMode()
            ? `Options for request ${output} is missing the sub/segment context for automatic mode. Ignoring.`
            : `Options for request ${output} requires a segment object on the options params as "XRaySegment" for tracing in manual mode. Ignoring.`,
        );
        return baseFunc(...args);
      }
      const subsegment = parent.notTraced ? parent.addNewSubsegmentWithoutSampling(hostname) : parent.addNewSubsegment(hostname);
      subsegment.namespace = 'remote';
      if (options instanceof URL) {
        // A URL object cannot carry headers: request with equivalent options instead.
        options = urlToOptions(options);
        if (!hasUrl) urlObj = options;
      }
      const withHeaders = options as Options;
      withHeaders.headers ??= {};
      (withHeaders.headers as Record<string, string>)['X-Amzn-Trace-Id'] =
        `Root=${parent.segment?.trace_id ?? parent.trace_id};Parent=${subsegment.id};Sampled=${subsegment.notTraced ? '0' : '1'}`;

      const errorCapturer = function (this: RemoteRequest, e: Error & { code?: string }) {
        if (subsegmentCallback) subsegmentCallback(subsegment, this, null, e);
        const status = subsegment.http?.response?.status;
        if (status !== undefined) {
          if (getCauseTypeFromHttpStatus(status as number) === 'error') subsegment.addErrorFlag();
          subsegment.close(e, true);
        } else {
          const madeItToDownstream = e.code !== 'ECONNREFUSED';
          subsegment.addRemoteRequestData(this, null, madeItToDownstream && downstreamXRayEnabled);
          subsegment.close(e);
        }
      };

      const copy = { ...withHeaders };
      delete copy.Segment;
      const onResponse = (res: IncomingMessage) => {
        res.on('end', function (this: IncomingMessage) {
          if (subsegmentCallback) subsegmentCallback(subsegment, (this as IncomingMessage & { req?: unknown }).req, res);
          if (res.statusCode === 429) subsegment.addThrottleFlag();
          const cause = getCauseTypeFromHttpStatus(res.statusCode ?? 0);
          if (cause) subsegment[cause] = true;
          subsegment.addRemoteRequestData((res as IncomingMessage & { req: RemoteRequest }).req, res as never, !!downstreamXRayEnabled);
          subsegment.close();
        });
        if (typeof callback === 'function') {
          if (context.isAutomaticMode()) {
            context.getNamespace().run(() => {
              context.setSegment(subsegment);
              (callback as (r: IncomingMessage) => void)(res);
            });
          } else {
            (callback as (r: IncomingMessage) => void)(res);
          }
        } else if ((res as IncomingMessage & { req?: ClientRequest }).req?.listenerCount('response') === 0) {
          // No callback and no response listener: consume the body so that 'end' fires.
          res.resume();
        }
      };
      const req = baseFunc(...(hasUrl ? [arg0, copy, onResponse] : [copy, onResponse]));
      req.on(errorMonitor, errorCapturer);
      return req;
    }

    const request = module.request;
    const get = module.get;
    module.__request = request;
    module.__get = get;
    Object.defineProperties(module, {
      request: { value: (...args: unknown[]) => captureOutgoing(request, ...args), configurable: true, enumerable: true, writable: true },
      get: { value: (...args: unknown[]) => captureOutgoing(get, ...args), configurable: true, enumerable: true, writable: true },
    });
  }

  /** Patches `module` itself (every user of `http`/`https` is traced). */
  function captureHTTPsGlobal(module: HttpModule, downstreamXRayEnabled?: boolean, subsegmentCallback?: SubsegmentCallback): void {
    if (!module.__request) enableCapture(module, downstreamXRayEnabled, subsegmentCallback);
  }

  /** A traced copy of `module`; the module itself is left alone. */
  function captureHTTPs<T extends HttpModule>(module: T, downstreamXRayEnabled?: boolean, subsegmentCallback?: SubsegmentCallback): T {
    if (module.__request) return module;
    const traced = { ...module };
    enableCapture(traced, downstreamXRayEnabled, subsegmentCallback);
    return traced;
  }

  return { captureHTTPsGlobal, captureHTTPs };
}

function urlToOptions(url: URL): Options {
  const options: Options = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    path: `${url.pathname || ''}${url.search || ''}`,
    pathname: url.pathname,
  };
  if (url.port !== '') options.port = Number(url.port);
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return options;
}
