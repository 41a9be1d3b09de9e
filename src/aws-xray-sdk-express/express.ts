import type { IncomingMessage, ServerResponse } from 'node:http';
import { AWSXRay } from '../aws-xray-sdk-core/aws-xray.js';
import type { Subsegment } from '../aws-xray-sdk-core/entity.js';
import type { Segment } from '../aws-xray-sdk-core/segment.js';

type Request = IncomingMessage & { segment?: Segment | Subsegment };
type Next = (err?: unknown) => void;

/**
 * The first middleware of an Express app: opens the request's segment (named `defaultName`, or
 * after the host with dynamic naming), continuing the trace of its `X-Amzn-Trace-Id`, and makes it
 * current for everything the request runs (automatic mode) or puts it on `req.segment` (manual).
 */
export function openSegment(defaultName: string): (req: Request, res: ServerResponse, next?: Next) => void {
  if (!defaultName || typeof defaultName !== 'string') {
    throw new Error('Default segment name was not supplied.  Please provide a string.');
  }
  const mw = AWSXRay.middleware;
  mw.setDefaultName(defaultName);
  return (req, res, next) => {
    const segment = mw.traceRequestResponseCycle(req, res as never);
    if (AWSXRay.isAutomaticMode()) {
      const ns = AWSXRay.getNamespace();
      ns.bindEmitter(req);
      ns.bindEmitter(res);
      ns.run(() => {
        AWSXRay.setSegment(segment);
        if (next) next();
      });
    } else {
      req.segment = segment;
      if (next) next();
    }
  };
}

/** The last (error) middleware: records an error that reached Express on the request's segment. */
export function closeSegment(): (err: unknown, req: Request, res: ServerResponse, next?: Next) => void {
  return (err, req, _res, next) => {
    const segment = AWSXRay.resolveSegment(req.segment);
    if (segment && err) {
      segment.addError(err as Error);
      AWSXRay.getLogger().debug('Added Express server fault to segment');
    }
    if (next) next(err);
  };
}

/** `require('aws-xray-sdk-express')`: one per process, whichever build (or the umbrella) loads it first. */
const KEY = Symbol.for('xray-otel-bridge.aws-xray-sdk-express');
const holder = globalThis as typeof globalThis & { [KEY]?: { openSegment: typeof openSegment; closeSegment: typeof closeSegment } };
export const expressMW = (holder[KEY] ??= { openSegment, closeSegment });
