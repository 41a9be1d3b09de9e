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

type Fn = (this: unknown, ...args: unknown[]) => unknown;

/** On a function this module put in express's place: the one it replaced. */
const ORIGINAL = Symbol('xray-otel-bridge.express.original');
/** On an error-handling middleware this module wrapped. */
const RECORDS = Symbol('xray-otel-bridge.express.records');
type Wrapped = Fn & { [ORIGINAL]?: Fn; [RECORDS]?: true };

/** The error last recorded for each request: one error can pass several routers and handlers. */
const recorded = new WeakMap<object, unknown>();

/**
 * With no layer spans, an error a handler throws or passes to `next(err)` would reach no span;
 * X-Ray's `closeSegment()`, an error-handling middleware placed after the routes, adds it to the
 * segment (`cause`). This records it on the request's SERVER span, once per request, where
 * express hands it on: to an error-handling middleware added with `use()`, and out of a router
 * (to its parent router, or to express's final handler). It wraps the patch the instrumentation
 * applies to express, so enabling and disabling the instrumentation adds and removes it too.
 */
export function recordRouteErrors(instrumentation: object): void {
  const express = liveModuleDefinitions(instrumentation)?.find((d) => d?.name === 'express');
  const patch = express?.patch;
  const unpatch = express?.unpatch;
  if (express === undefined || typeof patch !== 'function') return;
  express.patch = function (exports, version) {
    const out = patch.call(this, exports, version);
    wrapExpress(exports);
    return out;
  };
  express.unpatch = function (exports, version) {
    unwrapExpress(exports);
    unpatch?.call(this, exports, version);
  };
  // Already patched while the instrumentation was made (an ES module imported before, under the loader).
  if (express.moduleExports !== undefined) wrapExpress(express.moduleExports);
}

/**
 * The objects holding what is wrapped: the router's methods (express 5's `Router.prototype`,
 * express 4's `Router` function itself), and the application's.
 */
function holders(exports: unknown): { router?: Record<string, unknown>; application?: Record<string, unknown> } {
  const e = exports as { Router?: { prototype?: { route?: unknown } } | null; application?: unknown } | null | undefined;
  const router = e?.Router;
  const application = e?.application;
  return {
    ...(router !== undefined && router !== null ? { router: (typeof router.prototype?.route === 'function' ? router.prototype : router) as Record<string, unknown> } : {}),
    ...(application !== null && typeof application === 'object' ? { application: application as Record<string, unknown> } : {}),
  };
}

function wrapExpress(exports: unknown): void {
  const { router, application } = holders(exports);
  if (router !== undefined) {
    wrap(router, 'handle', recordingLeavers);
    wrap(router, 'use', recordingErrorHandlers);
  }
  if (application !== undefined) wrap(application, 'use', recordingErrorHandlers);
}

function unwrapExpress(exports: unknown): void {
  const { router, application } = holders(exports);
  for (const [holder, name] of [
    [router, 'handle'],
    [router, 'use'],
    [application, 'use'],
  ] as const) {
    const original = (holder?.[name] as Wrapped | undefined)?.[ORIGINAL];
    if (holder !== undefined && original !== undefined) holder[name] = original;
  }
}

/** Puts `make(original)` in place of `holder[name]`, once. */
function wrap(holder: Record<string, unknown>, name: string, make: (original: Fn) => Fn): void {
  const original = holder[name] as Wrapped | undefined;
  if (typeof original !== 'function' || original[ORIGINAL] !== undefined) return;
  const wrapped: Wrapped = make(original);
  wrapped[ORIGINAL] = original;
  holder[name] = wrapped;
}

/** `router.handle(req, res, out)`: records the error the router hands to `out`. */
function recordingLeavers(original: Fn): Fn {
  return function (this: unknown, ...args: unknown[]) {
    const [req, , out] = args;
    const span = requestSpan();
    if (span !== undefined && typeof out === 'function' && req !== null && typeof req === 'object') {
      args[2] = function (this: unknown, err?: unknown, ...more: unknown[]) {
        record(span, req, err);
        return (out as Fn).call(this, err, ...more);
      };
    }
    return Reflect.apply(original, this, args);
  };
}

/** `use(…handlers)`: error-handling middleware (four parameters) records the error it is given. */
function recordingErrorHandlers(original: Fn): Fn {
  return function (this: unknown, ...args: unknown[]) {
    return Reflect.apply(original, this, args.map(recordingErrorHandler));
  };
}

function recordingErrorHandler(arg: unknown): unknown {
  if (Array.isArray(arg)) return arg.map(recordingErrorHandler);
  const handler = arg as Wrapped;
  if (typeof handler !== 'function' || handler.length !== 4 || handler[RECORDS]) return arg;
  // Four declared parameters, as express tells error handlers apart by their length.
  const wrapped: Wrapped = function (this: unknown, err: unknown, req: unknown, res: unknown, next: unknown) {
    const span = requestSpan();
    if (span !== undefined && req !== null && typeof req === 'object') record(span, req, err);
    return handler.call(this, err, req, res, next);
  };
  wrapped[RECORDS] = true;
  return wrapped;
}

/** The http instrumentation's SERVER span of the request being handled: the segment. */
function requestSpan(): Span | undefined {
  const rpc = getRPCMetadata(context.active());
  return rpc?.type === RPCType.HTTP ? rpc.span : undefined;
}

function record(span: Span, req: object, err: unknown): void {
  // Express takes anything but these as an error.
  if (err === undefined || err === null || err === 'route' || err === 'router' || recorded.get(req) === err) return;
  recorded.set(req, err);
  span.recordException(asException(err));
}

function asException(err: unknown): Exception {
  if (err instanceof Error || typeof err === 'string') return err;
  if (typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return err as Exception;
  return String(err);
}
