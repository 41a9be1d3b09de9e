import { createContextKey, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * What OTel's span context cannot say on its own: an upstream X-Ray header with `Sampled=?` (or no
 * `Sampled`) continues the trace but leaves the decision to this service's sampler. The key holds
 * the remote parent's span id, so it applies to that parent only, not to spans further down.
 */
const UNDECIDED_PARENT = createContextKey('xray-otel-bridge undecided remote parent');

/** A decision already taken for the next span started in this context (the recorder's rules). */
const DECIDED = createContextKey('xray-otel-bridge sampling decision');

export function markUndecided(ctx: Context, parent: SpanContext): Context {
  return ctx.setValue(UNDECIDED_PARENT, parent.spanId);
}

export function isUndecided(ctx: Context, parent: SpanContext): boolean {
  return parent.isRemote === true && ctx.getValue(UNDECIDED_PARENT) === parent.spanId;
}

export function withDecision(ctx: Context, sampled: boolean): Context {
  return ctx.setValue(DECIDED, sampled);
}

export function decisionIn(ctx: Context): boolean | undefined {
  const v = ctx.getValue(DECIDED);
  return typeof v === 'boolean' ? v : undefined;
}
