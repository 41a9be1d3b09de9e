import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SpanKind, SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type TimedEvent } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import type { CauseBlock } from '../src/exporter/document.js';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { causeBlock, errorFlags } from '../src/exporter/translate/cause.js';
import { createContext, type TranslateContext } from '../src/exporter/translate/context.js';
import { exceptionEvent, fakeSpan } from './support/spans.js';
import { expectValidDocument } from './support/schema.js';

const HEX16 = /^[0-9a-f]{16}$/;

interface Init {
  kind?: SpanKind;
  status?: SpanStatus;
  attributes?: Attributes;
  events?: TimedEvent[];
  language?: string;
}

function context(init: Init = {}): TranslateContext {
  const resource: Attributes = { 'service.name': 'test-service' };
  if (init.language !== undefined) resource['telemetry.sdk.language'] = init.language;
  const span = fakeSpan({ kind: init.kind, status: init.status, attributes: init.attributes, events: init.events, resource });
  return createContext(span, init.kind === SpanKind.SERVER, resolveTranslateOptions());
}

/** causeBlock, with the result checked inside a minimal document against the shared schema. */
function cause(init: Init = {}): CauseBlock | undefined {
  const block = causeBlock(context(init));
  if (block !== undefined) {
    expectValidDocument({ name: 'x', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2, cause: block });
  }
  return block;
}

const ERROR: SpanStatus = { code: SpanStatusCode.ERROR };

describe('errorFlags', () => {
  it.each([
    { http: undefined, status: SpanStatusCode.UNSET, flags: {} },
    { http: undefined, status: SpanStatusCode.OK, flags: {} },
    { http: undefined, status: SpanStatusCode.ERROR, flags: { fault: true } },
    { http: 200, status: SpanStatusCode.ERROR, flags: { fault: true } },
    { http: 399, status: SpanStatusCode.UNSET, flags: {} },
    { http: 400, status: SpanStatusCode.UNSET, flags: { error: true } },
    { http: 404, status: SpanStatusCode.ERROR, flags: { error: true } },
    { http: 429, status: SpanStatusCode.ERROR, flags: { error: true, throttle: true } },
    { http: 499, status: SpanStatusCode.ERROR, flags: { error: true } },
    { http: 500, status: SpanStatusCode.UNSET, flags: { fault: true } },
    { http: 503, status: SpanStatusCode.ERROR, flags: { fault: true } },
    { http: 599, status: SpanStatusCode.OK, flags: { fault: true } },
    { http: 600, status: SpanStatusCode.UNSET, flags: {} },
    { http: 600, status: SpanStatusCode.ERROR, flags: { fault: true } },
  ])('HTTP $http with status $status → $flags', ({ http, status, flags }) => {
    // toStrictEqual: a flag that is not set is absent, never `false`.
    expect(errorFlags(context({ status: { code: status } }), http)).toStrictEqual(flags);
  });

  it('lets the recorder’s boolean attributes set flags and consumes them', () => {
    const ctx = context({ attributes: { 'aws.xray.error': true, 'aws.xray.throttle': true, 'aws.xray.fault': true } });
    expect(errorFlags(ctx, 200)).toStrictEqual({ error: true, fault: true, throttle: true });
    expect([...ctx.consumed].sort()).toEqual(['aws.xray.error', 'aws.xray.fault', 'aws.xray.throttle']);
  });

  it('lets `false` clear what the HTTP status or span status implies', () => {
    expect(errorFlags(context({ attributes: { 'aws.xray.fault': false }, status: ERROR }), 503)).toStrictEqual({});
    expect(errorFlags(context({ attributes: { 'aws.xray.error': false, 'aws.xray.throttle': false } }), 429)).toStrictEqual({});
    expect(errorFlags(context({ attributes: { 'aws.xray.fault': false }, status: ERROR }), undefined)).toStrictEqual({});
  });

  it('ignores (and leaves for metadata) override attributes that are not booleans', () => {
    const ctx = context({ attributes: { 'aws.xray.fault': 'true', 'aws.xray.error': 1 } });
    expect(errorFlags(ctx, undefined)).toStrictEqual({});
    expect(ctx.consumed.size).toBe(0);
  });
});

describe('causeBlock', () => {
  it('is undefined for a span without exceptions or an error status', () => {
    expect(cause()).toBeUndefined();
    expect(cause({ status: { code: SpanStatusCode.OK, message: 'fine' } })).toBeUndefined();
    const other: TimedEvent = { name: 'NotException', time: [1, 0], attributes: { 'http.method': 'POST' } };
    expect(cause({ events: [other] })).toBeUndefined();
  });

  it('turns every exception event into an exception, with the causes its stack names after it (Collector test)', () => {
    const stack = `java.lang.IllegalStateException: state is not legal
\tat io.opentelemetry.sdk.trace.RecordEventsReadableSpanTest.recordException(RecordEventsReadableSpanTest.java:626)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)
Caused by: java.lang.IllegalArgumentException: bad argument`;
    const empty: TimedEvent = { name: 'exception', time: [1, 0], attributes: { 'exception.type': 'EmptyError' } };
    const block = cause({
      kind: SpanKind.SERVER,
      status: { code: SpanStatusCode.ERROR, message: 'this is a test' },
      events: [exceptionEvent('java.lang.IllegalStateException', 'bad state', stack), empty],
      language: 'java',
    })!;
    const [first, second, third] = block.exceptions!;
    expect(block.exceptions).toHaveLength(3);
    expect(first).toMatchObject({ type: 'java.lang.IllegalStateException', message: 'bad state' });
    expect(first!.stack).toHaveLength(3);
    expect(first!.cause).toBe(second!.id);
    expect(second).toMatchObject({ type: 'java.lang.IllegalArgumentException', message: 'bad argument' });
    expect(second!.cause).toBeUndefined();
    expect(third).toStrictEqual({ id: third!.id, type: 'EmptyError' });
  });

  it('links a chain of causes in order', () => {
    const stack = 'E: a\n\tat A.a(A.java:1)\nCaused by: E: b\n\tat B.b(B.java:2)\nCaused by: E: c\n\tat C.c(C.java:3)';
    const [top, b, c] = cause({ events: [exceptionEvent('E', 'a', stack)], language: 'java' })!.exceptions!;
    expect(top!.cause).toBe(b!.id);
    expect(b!.cause).toBe(c!.id);
    expect(c).toStrictEqual({ id: c!.id, type: 'E', message: 'c', stack: [{ label: 'C.c', path: 'C.java', line: 3 }] });
  });

  it('reports exceptions even when the span did not end in error (they were recorded, then handled)', () => {
    const block = cause({ status: { code: SpanStatusCode.OK }, events: [exceptionEvent('Error', 'retried')] });
    expect(block!.exceptions).toStrictEqual([{ id: block!.exceptions![0]!.id, type: 'Error', message: 'retried' }]);
  });

  it('uses the status message when the status is ERROR and no exception was recorded (no type is invented)', () => {
    const block = cause({ status: { code: SpanStatusCode.ERROR, message: 'upstream timed out' } })!;
    expect(block.exceptions).toStrictEqual([{ id: block.exceptions![0]!.id, message: 'upstream timed out' }]);
  });

  it('falls back to http.status_text for the message, and consumes it', () => {
    const ctx = context({ status: ERROR, attributes: { 'http.status_text': 'Bad Gateway' } });
    expect(causeBlock(ctx)!.exceptions![0]!.message).toBe('Bad Gateway');
    expect(ctx.consumed.has('http.status_text')).toBe(true);
  });

  it('is undefined for status ERROR with nothing to say (the fault flag alone says it)', () => {
    expect(cause({ status: ERROR })).toBeUndefined();
  });

  it.each([
    [SpanKind.CLIENT, true],
    [SpanKind.PRODUCER, true],
    [SpanKind.SERVER, false],
    [SpanKind.CONSUMER, false],
    [SpanKind.INTERNAL, false],
  ])('marks exceptions remote only for CLIENT and PRODUCER spans (kind %i → %s)', (kind, remote) => {
    const fromEvent = cause({ kind, events: [exceptionEvent('E', 'm', 'E: m\n\tat A.a(A.java:1)\nCaused by: F: n')], language: 'java' })!;
    const fromStatus = cause({ kind, status: { code: SpanStatusCode.ERROR, message: 'm' } })!;
    for (const ex of [...fromEvent.exceptions!, ...fromStatus.exceptions!]) {
      if (remote) expect(ex.remote).toBe(true);
      else expect(ex).not.toHaveProperty('remote');
    }
  });

  it('gives every exception a fresh 16-hex id', () => {
    const events = Array.from({ length: 200 }, (_, i) => exceptionEvent('E', `m${i}`));
    const ids = new Set<string>();
    for (let round = 0; round < 5; round++) {
      for (const ex of cause({ events })!.exceptions!) {
        expect(ex.id).toMatch(HEX16);
        ids.add(ex.id);
      }
    }
    expect(ids.size).toBe(1000);
  });

  it('sets working_directory to the current directory at the time of the call, not of module load', () => {
    const before = process.cwd();
    expect(cause({ events: [exceptionEvent('E', 'm')] })!.working_directory).toBe(before);
    const elsewhere = realpathSync(tmpdir());
    process.chdir(elsewhere);
    try {
      expect(cause({ events: [exceptionEvent('E', 'm')] })!.working_directory).toBe(elsewhere);
    } finally {
      process.chdir(before);
    }
  });

  it('parses the stack by the resource’s telemetry.sdk.language, V8 when it is absent', () => {
    const py = 'Traceback (most recent call last):\n  File "app.py", line 3, in main\n    run()\nValueError: bad';
    expect(cause({ events: [exceptionEvent('ValueError', 'bad', py)], language: 'python' })!.exceptions![0]!.stack).toEqual([
      { path: 'app.py', line: 3, label: 'main' },
    ]);
    const js = 'Error: bad\n    at main (file:///srv/app.mjs:3:7)';
    expect(cause({ events: [exceptionEvent('Error', 'bad', js)] })!.exceptions![0]!.stack).toEqual([
      { label: 'main', path: '/srv/app.mjs', line: 3 },
    ]);
  });

  it('leaves out `stack` when nothing in the trace is a frame', () => {
    const ex = cause({ events: [exceptionEvent('Error', 'bad', 'just some text')] })!.exceptions![0]!;
    expect(ex).not.toHaveProperty('stack');
    expect(ex).not.toHaveProperty('truncated');
  });

  it('keeps 50 frames and counts the rest in truncated', () => {
    const stack = ['RangeError: Maximum call stack size exceeded', ...Array.from({ length: 75 }, (_, i) => `    at f (/srv/a.js:${i + 1}:1)`)].join('\n');
    const ex = cause({ events: [exceptionEvent('RangeError', 'Maximum call stack size exceeded', stack)] })!.exceptions![0]!;
    expect(ex.stack).toHaveLength(50);
    expect(ex.truncated).toBe(25);
  });

  it('shows non-string exception attributes as text and ignores array values', () => {
    const odd: TimedEvent = { name: 'exception', time: [1, 0], attributes: { 'exception.type': 42, 'exception.message': ['a', 'b'] } };
    const ex = cause({ events: [odd] })!.exceptions![0]!;
    expect(ex).toStrictEqual({ id: ex.id, type: '42' });
  });

  it('translates what the OTel SDK records with span.recordException', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'svc', 'telemetry.sdk.language': 'nodejs' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const span = provider.getTracer('t').startSpan('call', { kind: SpanKind.CLIENT });
    function failingCall(): never {
      throw new TypeError('no such table');
    }
    try {
      failingCall();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    }
    span.end();
    await provider.forceFlush();
    const finished = exporter.getFinishedSpans()[0]!;
    const ctx = createContext(finished, false, resolveTranslateOptions());

    expect(errorFlags(ctx, undefined)).toStrictEqual({ fault: true });
    const block = causeBlock(ctx)!;
    expectValidDocument({ name: 'x', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2, cause: block });
    const [ex] = block.exceptions!;
    expect(block.exceptions).toHaveLength(1);
    expect(ex).toMatchObject({ type: 'TypeError', message: 'no such table', remote: true });
    expect(ex!.stack![0]!.label).toBe('failingCall');
    expect(ex!.stack![0]!.path).toMatch(/translate-cause\.test\.ts$/);
    await provider.shutdown();
  });
});
