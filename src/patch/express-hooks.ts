import { context, type Exception, type Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { liveModuleDefinitions } from './module-definitions.js';

/**
 * The express instrumentation's configuration. X-Ray's express middleware makes one segment per
 * request and no subsegment per middleware, router or handler: every layer is left without a
 * span, so the request's SERVER span (the segment) stays the active span in handlers, calls made
 * there are its subsegments, and `currentSegment()` is the request's segment. The instrumentation
 * still names the route on the SERVER span (`http.route`).
 */
export function expressConfig(): Record<string, unknown> {
  return { ignoreLayersType: ['router', 'middleware', 'request_handler'] };
}

type Handle = (this: unknown, ...args: unknown[]) => unknown;
type Done = (this: unknown, err?: unknown, ...rest: unknown[]) => unknown;

const ORIGINAL = Symbol('xray-otel-bridge.express.handle');
type Wrapped = Handle & { [ORIGINAL]?: Handle };

/** The error last recorded for each request: an error passes the `out` of every router it leaves. */
const recorded = new WeakMap<object, unknown>();

/**
 * With no layer spans, an error a handler throws or passes to `next(err)` would reach no span:
 * X-Ray's `closeSegment()` adds it to the segment (`cause`). This records the error that leaves a
 * router (what express's final handler, or a parent router, receives) on the request's SERVER
 * span, once per request. It wraps the patch the instrumentation applies to express, so enabling
 * and disabling the instrumentation adds and removes it too.
 */
export function recordRouteErrors(instrumentation: object): void {
  const express = liveModuleDefinitions(instrumentation)?.find((d) => d?.name === 'express');
  const patch = express?.patch;
  const unpatch = express?.unpatch;
  if (express === undefined || typeof patch !== 'function') return;
  express.patch = function (exports, version) {
    const out = patch.call(this, exports, version);
    wrapHandle(exports);
    return out;
  };
  express.unpatch = function (exports, version) {
    unwrapHandle(exports);
    unpatch?.call(this, exports, version);
  };
  // Already patched while the instrumentation was made (an ES module imported before, under the loader).
  if (express.moduleExports !== undefined) wrapHandle(express.moduleExports);
}

/** Where `handle` lives: express 5's `Router.prototype`, express 4's `Router` function itself. */
function routerProto(exports: unknown): Record<string, unknown> | undefined {
  const router = (exports as { Router?: { prototype?: { route?: unknown } } } | null | undefined)?.Router;
  if (router === undefined || router === null) return undefined;
  const proto = typeof router.prototype?.route === 'function' ? router.prototype : router;
  return proto as Record<string, unknown>;
}

function wrapHandle(exports: unknown): void {
  const proto = routerProto(exports);
  const original = proto?.handle as Wrapped | undefined;
  if (proto === undefined || typeof original !== 'function' || original[ORIGINAL] !== undefined) return;
  const wrapped: Wrapped = function (this: unknown, ...args: unknown[]) {
    const [req, , out] = args;
    const span = requestSpan();
    if (span !== undefined && typeof out === 'function' && req !== null && typeof req === 'object') {
      args[2] = function (this: unknown, err?: unknown, ...more: unknown[]) {
        if (isError(err) && recorded.get(req) !== err) {
          recorded.set(req, err);
          span.recordException(asException(err));
        }
        return (out as Done).call(this, err, ...more);
      };
    }
    return Reflect.apply(original, this, args);
  };
  wrapped[ORIGINAL] = original;
  proto.handle = wrapped;
}

function unwrapHandle(exports: unknown): void {
  const proto = routerProto(exports);
  const original = (proto?.handle as Wrapped | undefined)?.[ORIGINAL];
  if (proto !== undefined && original !== undefined) proto.handle = original;
}

/** The http instrumentation's SERVER span of the request being handled: the segment. */
function requestSpan(): Span | undefined {
  const rpc = getRPCMetadata(context.active());
  return rpc?.type === RPCType.HTTP ? rpc.span : undefined;
}

/** Express takes anything but these as an error. */
function isError(err: unknown): boolean {
  return err !== undefined && err !== null && err !== 'route' && err !== 'router';
}

function asException(err: unknown): Exception {
  if (err instanceof Error || typeof err === 'string') return err;
  if (typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return err as Exception;
  return String(err);
}
