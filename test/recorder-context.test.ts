import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setImmediate as tick } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Segment, Subsegment, xrayRecorder, xray_recorder } from '../src/recorder/index.js';
import { findAll, setupTracing, type Tracing } from './fixtures/recorder-harness.js';

let t: Tracing | undefined;
function tracing(options?: Parameters<typeof setupTracing>[0]): Tracing {
  t = setupTracing(options);
  return t;
}
afterEach(async () => {
  await t?.teardown();
  t = undefined;
});

/** A few turns of the event loop, like an awaited I/O call. */
async function io(turns = 2): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}

function spanNamed(t: Tracing, name: string) {
  const spans = t.exporter.getFinishedSpans().filter((s) => s.name === name);
  expect(spans, `spans named ${name}`).toHaveLength(1);
  return spans[0]!;
}

describe('the imperative forms across await', () => {
  it('a subsegment begun after an await is a child of the segment, and stays current across awaits', async () => {
    const { recorder } = tracing();
    const segment = recorder.beginSegment('api');
    await io();
    const sub = recorder.beginSubsegment('load');
    await io();
    expect(recorder.getTraceEntity()).toBe(sub);
    recorder.putAnnotation('rows', 3);
    recorder.endSubsegment();
    await io();
    expect(recorder.getTraceEntity()).toBe(segment);
    recorder.endSegment();
    expect(sub.parentId).toBe(segment.id);
    expect(t!.doc('load').annotations).toEqual({ rows: 3 });
  });

  it('after endSegment the context is what it was before beginSegment', async () => {
    const { recorder } = tracing();
    await context.with(ROOT_CONTEXT, async () => {
      recorder.beginSegment('api');
      await io();
      recorder.endSegment();
      expect(trace.getActiveSpan()).toBeUndefined();
      expect(recorder.getTraceEntity()).toBeUndefined();
    });
  });

  it('100 concurrent requests, each begin/await/begin/await/end/end, never see each other’s entities', async () => {
    const { recorder } = tracing();
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      void (async () => {
        const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id')!;
        const segment = recorder.beginSegment(`request-${id}`);
        segment.putAnnotation('request', Number(id));
        await io(1 + (Number(id) % 5));
        const sub = recorder.beginSubsegment(`work-${id}`);
        await io(1 + (Number(id) % 3));
        if (recorder.currentSegment() !== segment || recorder.currentSubsegment() !== sub) seen.push(id);
        recorder.putAnnotation('request', Number(id));
        recorder.endSubsegment();
        if (recorder.getTraceEntity() !== segment) seen.push(id);
        recorder.endSegment();
        res.end(id);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const bodies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fetch(`http://127.0.0.1:${port}/?id=${i}`).then((r) => r.text()),
        ),
      );
      expect(bodies).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    expect(seen).toEqual([]);
    const docs = t!.documents();
    expect(docs).toHaveLength(100);
    expect(new Set(docs.map((d) => d.trace_id)).size).toBe(100);
    for (const doc of docs) {
      const id = doc.name.replace('request-', '');
      expect(doc.annotations).toEqual({ request: Number(id) });
      expect(doc.subsegments).toHaveLength(1);
      expect(doc.subsegments![0]).toMatchObject({ name: `work-${id}`, annotations: { request: Number(id) } });
    }
  });
});

describe('interop with @opentelemetry/api, both ways', () => {
  it('an OTel span started inside a subsegment is its child', async () => {
    const { recorder, provider } = tracing();
    const tracer = provider.getTracer('app');
    recorder.beginSegment('api');
    const sub = recorder.beginSubsegment('load');
    await io();
    await tracer.startActiveSpan('query', async (span) => {
      await io();
      span.end();
    });
    recorder.endSubsegment();
    recorder.endSegment();
    expect(spanNamed(t!, 'query').parentSpanContext?.spanId).toBe(sub.id);
    expect(t!.doc('load').subsegments?.map((s) => s.name)).toEqual(['query']);
  });

  it('a subsegment begun inside tracer.startActiveSpan is that span’s child, and the recorder still sees its segment', async () => {
    const { recorder, provider } = tracing();
    const tracer = provider.getTracer('app');
    const segment = recorder.beginSegment('api');
    await tracer.startActiveSpan('handler', async (span) => {
      await io();
      const sub = recorder.beginSubsegment('inner');
      expect(sub.parentId).toBe(span.spanContext().spanId);
      expect(sub.segment).toBe(segment);
      await io();
      recorder.endSubsegment();
      span.end();
    });
    recorder.endSegment();
    expect(spanNamed(t!, 'handler').parentSpanContext?.spanId).toBe(segment.id);
    const [doc] = t!.documents();
    expect(doc!.subsegments?.[0]).toMatchObject({ name: 'handler', subsegments: [{ name: 'inner' }] });
  });

  it('a subsegment begun inside an OTel server span (no recorder segment) is its child, and currentSegment() writes on that span', () => {
    const { recorder, provider } = tracing();
    const tracer = provider.getTracer('app');
    tracer.startActiveSpan('GET /orders', { kind: SpanKind.SERVER }, (server) => {
      recorder.currentSegment()!.putAnnotation('tenant', 'acme');
      const sub = recorder.beginSubsegment('load');
      recorder.endSubsegment();
      expect(sub.parentId).toBe(server.spanContext().spanId);
      server.end();
    });
    expect(t!.logger.warnings()).toEqual([]);
    const [doc] = t!.documents();
    // Named after the service (none is set here), never after the span: see translate-names.test.ts.
    expect(doc).toMatchObject({ name: 'unknown_service', annotations: { tenant: 'acme' }, subsegments: [{ name: 'load' }] });
  });

  it('on an OTel server span, each put serializes only what changed: its metadata namespace, or the annotation key list', () => {
    const { recorder, provider } = tracing();
    let serialized = 0;
    const counted = { toJSON: () => (serialized++, { id: 7 }) };
    provider.getTracer('app').startActiveSpan('GET /orders', { kind: SpanKind.SERVER }, (server) => {
      const segment = recorder.currentSegment()!;
      segment.putMetadata('order', counted);
      expect(serialized).toBe(1);
      for (let i = 0; i < 5; i++) segment.putMetadata(`step${i}`, i, 'trace');
      for (let i = 0; i < 5; i++) segment.putAnnotation(`a${i}`, i);
      segment.putHttpMeta('client_ip', '10.0.0.1');
      expect(serialized).toBe(1);
      segment.putMetadata('note', 'same namespace', 'default');
      expect(serialized).toBe(2);
      server.end();
    });
    expect(serialized).toBe(2);
    const [doc] = t!.documents();
    expect(doc).toMatchObject({
      annotations: { a0: 0, a1: 1, a2: 2, a3: 3, a4: 4 },
      metadata: { default: { order: { id: 7 }, note: 'same namespace' }, trace: { step0: 0, step4: 4 } },
    });
  });

  it('an instrumented HTTP call made inside a subsegment is its child', async () => {
    const { recorder, provider } = tracing();
    // The instrumentation patches the CommonJS `http` module object, which ESM's default import shares.
    const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
    const instrumentation = new HttpInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      recorder.beginSegment('api');
      const sub = recorder.beginSubsegment('call-inventory', { namespace: 'remote' });
      await io();
      await new Promise<void>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/stock`, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
      recorder.endSubsegment();
      recorder.endSegment();
      const client = t!.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT && s.name !== 'call-inventory');
      expect(client, 'the instrumentation’s client span').toBeDefined();
      expect(client!.parentSpanContext?.spanId).toBe(sub.id);
    } finally {
      instrumentation.disable();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** The callback forms never make their entity current outside the call: this is always undefined. */
function findOpen(entity: unknown): Subsegment | undefined {
  return entity instanceof Subsegment ? entity : undefined;
}

describe('callback forms', () => {
  it('capture wraps a function: the subsegment is named after the function, arguments, this and the return value pass through', () => {
    const { recorder } = tracing();
    const calc = {
      factor: 3,
      times: recorder.capture()(function times(this: { factor: number }, n: number) {
        return this.factor * n;
      }),
    };
    recorder.beginSegment('api');
    expect(calc.times(5)).toBe(15);
    recorder.endSegment();
    expect(calc.times.name).toBe('times');
    expect(t!.doc('times').end_time).toBeTypeOf('number');
  });

  it('capture of an async function ends the subsegment when the promise settles, with the awaited work inside', async () => {
    const { recorder, provider } = tracing();
    const tracer = provider.getTracer('app');
    const openAfterAwaits: boolean[] = [];
    const createUser = recorder.capture('## create_user')(async function createUser(name: string) {
      await io();
      tracer.startSpan('insert').end();
      await io();
      openAfterAwaits.push(!recorder.getTraceEntity()!.isClosed());
      return { name };
    });
    recorder.beginSegment('api');
    const pending = createUser('ada');
    const sub = findOpen(recorder.getTraceEntity());
    await expect(pending).resolves.toEqual({ name: 'ada' });
    recorder.endSegment();
    expect(openAfterAwaits).toEqual([true]);
    expect(sub).toBeUndefined();
    expect(t!.doc('## create_user').subsegments?.map((s) => s.name)).toEqual(['insert']);
  });

  it('a throw is recorded and re-thrown unchanged', () => {
    const { recorder } = tracing();
    const boom = new RangeError('bad input');
    const fail = recorder.capture('validate')(() => {
      throw boom;
    });
    recorder.beginSegment('api');
    let caught: unknown;
    try {
      fail();
    } catch (err) {
      caught = err;
    }
    recorder.endSegment();
    expect(caught).toBe(boom);
    expect(t!.doc('validate')).toMatchObject({ fault: true, cause: { exceptions: [{ type: 'RangeError', message: 'bad input' }] } });
  });

  it('a rejection is recorded and re-thrown unchanged', async () => {
    const { recorder } = tracing();
    const boom = new Error('timeout');
    const fetchStock = recorder.captureAsync('fetch_stock')(async () => {
      await io();
      throw boom;
    });
    recorder.beginSegment('api');
    await expect(fetchStock()).rejects.toBe(boom);
    recorder.endSegment();
    expect(t!.doc('fetch_stock')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'timeout' }] } });
  });

  it('TC39 method decorators: @capture(name) and bare @capture, sync and async', async () => {
    const { recorder } = tracing();
    class Users {
      prefix = 'user-';
      @recorder.capture('save')
      save(id: number) {
        return this.prefix + id;
      }
      @recorder.capture
      async load(id: number) {
        await io();
        return { id };
      }
    }
    const users = new Users();
    recorder.beginSegment('api');
    expect(users.save(1)).toBe('user-1');
    await expect(users.load(2)).resolves.toEqual({ id: 2 });
    recorder.endSegment();
    expect(t!.documents()[0]!.subsegments?.map((s) => s.name)).toEqual(['save', 'load']);
  });

  it('inSegment and inSubsegment close their entity when the callback settles and leave no context behind', async () => {
    const { recorder } = tracing();
    const result = await recorder.inSegment('job', async (segment) => {
      expect(segment).toBeInstanceOf(Segment);
      await recorder.inSubsegment('step', async (sub) => {
        expect(recorder.getTraceEntity()).toBe(sub);
        await io();
      });
      expect(recorder.getTraceEntity()).toBe(segment);
      return 42;
    });
    expect(result).toBe(42);
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(t!.documents()[0]).toMatchObject({ name: 'job', subsegments: [{ name: 'step' }] });
  });

  it('capture returns the very promise the function returned, ending the subsegment when it settles', async () => {
    const { recorder } = tracing();
    let resolve!: (v: string) => void;
    const pending = new Promise<string>((r) => (resolve = r));
    const load = recorder.capture('load')(() => pending);
    recorder.beginSegment('api');
    const returned = load();
    expect(returned).toBe(pending);
    resolve('rows');
    await expect(returned).resolves.toBe('rows');
    recorder.endSegment();
    expect(t!.doc('load').end_time).toBeTypeOf('number');
  });

  it('a rejected promise is returned as is: the application sees the rejection, the recorder adds no unhandled one', async () => {
    const { recorder } = tracing();
    const boom = new Error('deadlock');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = Promise.reject(boom);
      const save = recorder.capture('save')(() => failing);
      const saveInSegment = () => recorder.inSegment('job', () => save());
      const returned = saveInSegment();
      expect(returned).toBe(failing);
      await expect(returned).rejects.toBe(boom);
      await io(4);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(t!.doc('save')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'deadlock' }] } });
    expect(t!.doc('job')).toMatchObject({ fault: true });
  });

  it('a thenable that is not a native promise (a query builder) is returned untouched, its then() not called; the subsegment ends at return', () => {
    const { recorder } = tracing();
    let thenCalls = 0;
    const query = {
      where: () => query,
      then(onFulfilled: (rows: string[]) => unknown) {
        thenCalls++;
        return Promise.resolve(['row']).then(onFulfilled);
      },
    };
    const select = recorder.capture('select')(() => query);
    const built = recorder.inSegment('api', () => {
      const q = select();
      expect(recorder.getTraceEntity()!.name).toBe('api');
      return q;
    });
    expect(built).toBe(query);
    expect(thenCalls).toBe(0);
    expect(t!.doc('select').end_time).toBeTypeOf('number');
    expect(t!.doc('api').end_time).toBeTypeOf('number');
  });

  it('imperative subsegments begun inside a callback form do not outlive it', () => {
    const { recorder } = tracing();
    const segment = recorder.beginSegment('api');
    recorder.inSubsegment('outer', () => {
      recorder.beginSubsegment('left-open');
    });
    expect(recorder.getTraceEntity()).toBe(segment);
    recorder.endSegment();
  });
});

describe('end times', () => {
  /** Runs `fn` with Date.now() reading `skewMs` behind the monotonic clock, as a whole-millisecond clock can. */
  function withDateBehind<T>(skewMs: number, fn: () => T): T {
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => performance.timeOrigin + performance.now() - skewMs);
    try {
      return fn();
    } finally {
      spy.mockRestore();
    }
  }

  it('a segment or subsegment never ends before a subsegment begun in it, even when their clocks were anchored differently', () => {
    const { recorder } = tracing();
    // Each SDK span anchors its clock to Date.now() when it starts: here the parents' clocks read
    // 0.9 ms behind the child's, so a parent ended 0.1 ms after its child would show an earlier end.
    withDateBehind(0.9, () => recorder.beginSegment('api'));
    withDateBehind(0.9, () => recorder.beginSubsegment('outer'));
    withDateBehind(0, () => recorder.beginSubsegment('inner'));
    recorder.endSubsegment();
    recorder.endSubsegment();
    recorder.endSegment();
    const [doc] = t!.documents();
    const outer = doc!.subsegments![0]!;
    const inner = outer.subsegments![0]!;
    expect(outer.end_time).toBeGreaterThanOrEqual(inner.end_time!);
    expect(doc!.end_time).toBeGreaterThanOrEqual(outer.end_time!);
  });

  it('capture and inSegment keep the same order', async () => {
    const { recorder } = tracing();
    const step = recorder.capture('step')(async () => {
      await io();
    });
    await withDateBehind(0.9, () =>
      recorder.inSegment('job', async () => {
        await withDateBehind(0, () => step());
      }),
    );
    const doc = t!.doc('job');
    expect(doc.end_time).toBeGreaterThanOrEqual(t!.doc('step').end_time!);
  });
});

describe('the rest of the API', () => {
  it("the issue's example reads the same with Python's names", () => {
    const { recorder } = tracing();
    recorder.begin_segment('api');
    const subsegment = recorder.begin_subsegment('annotations');
    subsegment.put_annotation('id', 12345);
    subsegment.put_metadata('payload', { ok: true }, 'debug');
    recorder.put_annotation('also', 'current');
    expect(recorder.current_subsegment()).toBe(subsegment);
    expect(recorder.is_sampled()).toBe(true);
    recorder.end_subsegment();
    recorder.end_segment();
    expect(t!.doc('annotations')).toMatchObject({ annotations: { id: 12345, also: 'current' }, metadata: { debug: { payload: { ok: true } } } });
  });

  it('setTraceEntity makes an entity current where the context was lost; clearTraceEntities forgets it', async () => {
    const { recorder } = tracing();
    let segment: Segment | undefined;
    await context.with(ROOT_CONTEXT, async () => {
      segment = recorder.beginSegment('api');
    });
    await context.with(ROOT_CONTEXT, async () => {
      recorder.setTraceEntity(segment!);
      const sub = recorder.beginSubsegment('resumed');
      expect(sub.parentId).toBe(segment!.id);
      recorder.endSubsegment();
      recorder.endSegment();
      recorder.clearTraceEntities();
      expect(recorder.getTraceEntity()).toBeUndefined();
    });
    expect(findAll(t!.documents(), 'resumed')).toHaveLength(1);
  });

  it('the default xray_recorder uses the global tracer provider', () => {
    const tr = tracing();
    trace.setGlobalTracerProvider(tr.provider);
    expect(xray_recorder).toBe(xrayRecorder);
    xray_recorder.configure({ logger: tr.logger });
    xray_recorder.beginSegment('global');
    xray_recorder.endSegment();
    expect(tr.documents().map((d) => d.name)).toEqual(['global']);
  });
});

describe('sampling is the tracer provider’s', () => {
  it('a sampler that drops the trace: nothing exported, nothing warned, isSampled() false', () => {
    const { recorder, logger } = tracing({ sampler: new AlwaysOffSampler() });
    recorder.beginSegment('api');
    const sub = recorder.beginSubsegment('load');
    sub.putAnnotation('k', 'v');
    expect(recorder.isSampled()).toBe(false);
    recorder.endSubsegment();
    recorder.endSegment();
    expect(t!.exporter.getFinishedSpans()).toEqual([]);
    expect(logger.warnings()).toEqual([]);
  });

  it('an upstream "not sampled" decision is honored by the parent-based default sampler', () => {
    const { recorder } = tracing();
    recorder.beginSegment('api', { traceId: '1-5759e988-bd862e3fe1be46a994272793', parentId: '53995c3f42cd8ad8', sampled: false });
    expect(recorder.isSampled()).toBe(false);
    recorder.endSegment();
    expect(t!.documents()).toEqual([]);
  });

  it('beginSubsegmentWithoutSampling: that subsegment and its children are not exported, the rest is', () => {
    const { recorder } = tracing();
    recorder.beginSegment('api');
    const quiet = recorder.beginSubsegmentWithoutSampling('health-check');
    expect(quiet).toBeInstanceOf(Subsegment);
    expect(quiet.sampled).toBe(false);
    recorder.beginSubsegment('child');
    recorder.endSubsegment();
    recorder.endSubsegment();
    recorder.beginSubsegment('kept');
    recorder.endSubsegment();
    recorder.endSegment();
    const [doc] = t!.documents();
    expect(doc!.subsegments?.map((s) => s.name)).toEqual(['kept']);
  });
});
