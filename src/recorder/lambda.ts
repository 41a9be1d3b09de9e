import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { parseLambdaTraceHeader } from '../common/lambda-env.js';
import { EntityMode, type EntityHost } from './entity.js';
import { Segment } from './segment.js';

export { isLambda } from '../common/lambda-env.js';

/**
 * Lambda's own segment, as the recorder sees it: read-only, known only from `_X_AMZN_TRACE_ID`,
 * which the runtime sets anew for each invocation. The header is parsed by the exporter's parser
 * so that both sides agree on which invocation a span belongs to. One facade per header value:
 * an invocation sees the same object throughout, the next one a fresh one.
 */
export class LambdaFacade {
  private header: string | undefined;
  private facade: Segment | undefined;

  /** The current invocation's facade, or undefined when the header names none. */
  current(host: EntityHost, env: NodeJS.ProcessEnv = process.env): Segment | undefined {
    const header = env._X_AMZN_TRACE_ID;
    if (header === this.header) return this.facade;
    this.header = header;
    const parsed = parseLambdaTraceHeader(header);
    if (parsed.traceId === undefined || parsed.parentId === undefined) {
      this.facade = undefined;
      return undefined;
    }
    // An invocation Lambda did not sample records nothing: its subsegments are children of an
    // unsampled remote parent, which the tracer provider's (parent-based) sampler drops.
    const span = trace.wrapSpanContext({
      traceId: parsed.traceId,
      spanId: parsed.parentId,
      traceFlags: parsed.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
    const name = env.AWS_LAMBDA_FUNCTION_NAME || 'lambda';
    this.facade = new Segment(host, name, span, ROOT_CONTEXT, undefined, EntityMode.Facade);
    return this.facade;
  }
}
