import { TraceFlags, trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { AWSXRayPropagator, AWSXRAY_TRACE_ID_HEADER } from '@opentelemetry/propagator-aws-xray';
// The one X-Ray header parser (Lambda's `_X_AMZN_TRACE_ID` has the same syntax).
import { parseLambdaTraceHeader } from '../common/lambda-env.js';
import { markUndecided } from './decision-context.js';

/**
 * OTel's X-Ray propagator, plus what it drops: a header with `Root` and `Parent` but `Sampled=?`
 * (or no `Sampled`) still continues that trace, and the decision is left to this service's
 * sampler ({@link XRayParentBasedSampler} reads the mark). Injection is unchanged: the header sent
 * downstream carries this service's decision as `Sampled=1` or `Sampled=0`.
 */
export class XRayPropagator implements TextMapPropagator {
  private readonly inner = new AWSXRayPropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(context, carrier, getter);
    if (extracted !== context) return extracted;
    const { traceId, parentId, sampled } = parseLambdaTraceHeader(headerValue(carrier, getter));
    if (sampled !== undefined || traceId === undefined || parentId === undefined) return context;
    // Flagged sampled so that samplers not from this library keep the old "continue and sample" behaviour.
    const parent = { traceId, spanId: parentId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
    return markUndecided(trace.setSpanContext(context, parent), parent);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}

function headerValue(carrier: unknown, getter: TextMapGetter): string | undefined {
  const key = getter.keys(carrier).find((k) => k.toLowerCase() === AWSXRAY_TRACE_ID_HEADER);
  if (key === undefined) return undefined;
  const value = getter.get(carrier, key);
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' ? text : undefined;
}

