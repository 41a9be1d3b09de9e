import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type Link, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

export const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
export const XRAY_TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

let nextId = 1;
/** A fresh, valid span id (16 lowercase hex). */
export function spanId(): string {
  return (nextId++).toString(16).padStart(16, '0');
}

export interface FakeSpanInit {
  name?: string;
  kind?: SpanKind;
  traceId?: string;
  spanId?: string;
  /** Parent span id; with `parentRemote` it is a remote parent. */
  parentSpanId?: string;
  parentRemote?: boolean;
  sampled?: boolean;
  attributes?: Attributes;
  resource?: Attributes;
  events?: TimedEvent[];
  links?: Link[];
  status?: SpanStatus;
  startTime?: HrTime;
  endTime?: HrTime;
}

/**
 * A `ReadableSpan` built by hand, for translation unit tests that need exact control over
 * attributes and ids. End-to-end tests use a real tracer provider instead.
 */
export function fakeSpan(init: FakeSpanInit = {}): ReadableSpan {
  const traceId = init.traceId ?? TRACE_ID;
  const ctx: SpanContext = {
    traceId,
    spanId: init.spanId ?? spanId(),
    traceFlags: init.sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
  };
  const parentSpanContext: SpanContext | undefined = init.parentSpanId
    ? { traceId, spanId: init.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: init.parentRemote === true }
    : undefined;
  const startTime: HrTime = init.startTime ?? [1700000000, 123456789];
  const endTime: HrTime = init.endTime ?? [1700000001, 500000000];
  return {
    name: init.name ?? 'span',
    kind: init.kind ?? SpanKind.INTERNAL,
    spanContext: () => ctx,
    parentSpanContext,
    startTime,
    endTime,
    status: init.status ?? { code: SpanStatusCode.UNSET },
    attributes: init.attributes ?? {},
    links: init.links ?? [],
    events: init.events ?? [],
    duration: [endTime[0] - startTime[0], endTime[1] - startTime[1]],
    ended: true,
    resource: resourceFromAttributes(init.resource ?? { 'service.name': 'test-service' }),
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** An `exception` event as `span.recordException` writes it. */
export function exceptionEvent(type: string, message: string, stacktrace?: string): TimedEvent {
  const attributes: Attributes = { 'exception.type': type, 'exception.message': message };
  if (stacktrace !== undefined) attributes['exception.stacktrace'] = stacktrace;
  return { name: 'exception', time: [1700000000, 900000000], attributes, droppedAttributesCount: 0 };
}
