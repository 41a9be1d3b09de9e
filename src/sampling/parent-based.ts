import { TraceFlags, isSpanContextValid, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { decisionIn, isUndecided } from './decision-context.js';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * X-Ray's order of authority: a decision already taken for this span (the recorder's rules, or
 * its `sampling: false`), then the parent's (`Sampled=1` / `Sampled=0`, or the local parent
 * span's), and only for a new trace or an upstream `Sampled=?` the root sampler (the rules).
 */
export class XRayParentBasedSampler implements Sampler {
  constructor(readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const decided = decisionIn(context);
    if (decided !== undefined) return decided ? SAMPLED : DROPPED;
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && isSpanContextValid(parent)) {
      if (!isUndecided(context, parent)) return (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? SAMPLED : DROPPED;
      // The trace id stays the parent's (the SDK took it already); the rules see a new request.
      context = trace.deleteSpan(context);
    }
    return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `XRayParentBasedSampler{root=${this.root.toString()}}`;
  }
}
