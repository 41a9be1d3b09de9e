import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import type { Segment, Subsegment } from '../src/recorder/index.js';
import { capturingLogger, setupTracing, type Tracing } from './fixtures/recorder-harness.js';
import { expectValidDocuments } from './support/schema.js';

// Calls written for the other X-Ray SDKs (Python's context managers, Node's close(err), Java's
// names and argument order) never break the application and are never recorded wrongly in silence.

let t: Tracing;
beforeEach(() => {
  t = setupTracing();
});
afterEach(() => t.teardown());

const loose = (): Record<string, (...args: unknown[]) => unknown> => t.recorder as unknown as Record<string, (...args: unknown[]) => unknown>;

describe("Python's in_segment / in_subsegment without a function (its `with` form)", () => {
  it('begins the segment and subsegment as begin_* do, says how to end them, and records no fault', () => {
    let segment: Segment | undefined;
    let sub: Subsegment | undefined;
    expect(() => {
      segment = loose().in_segment!('checkout') as Segment;
      sub = loose().in_subsegment!('charge', { namespace: 'remote' }) as Subsegment;
    }).not.toThrow();
    expect(t.recorder.currentSubsegment()).toBe(sub);
    t.recorder.end_subsegment();
    t.recorder.end_segment();
    expect(segment!.isClosed() && sub!.isClosed()).toBe(true);
    expect(t.doc('checkout')).not.toHaveProperty('fault');
    expect(t.doc('charge')).toMatchObject({ namespace: 'remote' });
    expect(t.doc('charge')).not.toHaveProperty('fault');
    expect(t.logger.warnings()).toEqual([
      expect.stringMatching(/^inSegment\("checkout"\) has no function to run .*begun and current as with beginSegment, and stays open until endSegment\(\)/),
      expect.stringMatching(/^inSubsegment\("charge"\) has no function to run .*stays open until endSubsegment\(\)/),
    ]);
  });
});

describe("the Node SDK's close(err, remote)", () => {
  it('records the error (an Error or a message) and closes the entity', () => {
    t.recorder.inSegment('api', () => {
      t.recorder.beginSubsegment('db').close(new TypeError('connection reset'));
      t.recorder.beginSubsegment('cache').close('cache miss storm');
      t.recorder.beginSubsegment('downstream').close(new Error('503 from inventory'), true);
      t.recorder.beginSubsegment('fine').close(null);
    });
    expect(t.doc('db')).toMatchObject({ fault: true, cause: { exceptions: [{ type: 'TypeError', message: 'connection reset' }] } });
    expect(t.doc('cache')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'cache miss storm' }] } });
    expect(t.doc('downstream')).toMatchObject({ cause: { exceptions: [{ message: '503 from inventory', remote: true }] } });
    expect(t.doc('fine')).not.toHaveProperty('fault');
    expect(t.doc('fine')).not.toHaveProperty('cause');
    expect(t.logger.warnings()).toEqual([]);
  });

  it('closing twice with an error records nothing more and warns once', () => {
    t.recorder.inSegment('api', () => {
      const sub = t.recorder.beginSubsegment('db');
      sub.close();
      sub.close(new Error('late'));
    });
    expect(t.doc('db')).not.toHaveProperty('cause');
    expect(t.logger.warnings()).toEqual(['subsegment "db": is already closed; close() ignored']);
  });
});

describe("Java's putMetadata(namespace, key, value)", () => {
  it('is read in Java order when the value is not a string, on the recorder and on entities', () => {
    t.recorder.inSegment('api', (segment) => {
      t.recorder.putMetadata('orders', 'count', 3);
      segment.putMetadata('orders', 'lines', { sku: 'A-1' });
      segment.putMetadata('total', 12.5);
    });
    expect(t.doc('api').metadata).toEqual({ orders: { count: 3, lines: { sku: 'A-1' } }, default: expect.objectContaining({ total: 12.5 }) });
    expect(t.logger.warnings()).toEqual([]);
  });

  it('with three strings (either order fits) is read as (key, value, namespace), and says so once', () => {
    t.recorder.inSegment('api', (segment) => {
      segment.putMetadata('status', 'shipped', 'orders');
      t.recorder.putMetadata('carrier', 'ups', 'orders');
    });
    expect(t.doc('api').metadata).toMatchObject({ orders: { status: 'shipped', carrier: 'ups' } });
    expect(t.logger.warnings()).toEqual([
      expect.stringMatching(/^putMetadata\("status", "shipped", "orders"\) is read in the Python and Node SDKs' order \(key, value, namespace\).*Java's putMetadata\(namespace, key, value\) is recognised when its value is not a string$/),
    ]);
  });
});

describe("Java's recorder names", () => {
  it('createSegment / createSubsegment run a function in a new entity; getCurrent* find them; clearTraceEntity forgets them', async () => {
    const r = t.recorder;
    const seen = await r.createSegment('jobs', async (segment) => {
      expect(r.getCurrentSegment()).toBe(segment);
      return r.createSubsegment('step', (sub) => {
        expect(r.getCurrentSubsegment()).toBe(sub);
        return sub.name;
      });
    });
    expect(seen).toBe('step');
    expect(t.doc('jobs').subsegments?.map((s) => s.name)).toEqual(['step']);

    r.beginSegment('left-open');
    r.clearTraceEntity();
    expect(r.isSampled()).toBe(false);
    expect(t.logger.warnings()).toEqual([]);
  });

  it('endSubsegment(subsegment) ends the one given, with the ones still open inside it, and restores its parent', () => {
    const r = t.recorder;
    const segment = r.beginSegment('api');
    const outer = r.beginSubsegment('outer');
    const inner = r.beginSubsegment('inner');
    r.endSubsegment(outer);
    expect([outer.isClosed(), inner.isClosed()]).toEqual([true, true]);
    expect(r.getTraceEntity()).toBe(segment);
    expect(t.logger.warnings()).toEqual(['subsegment "outer": ended while subsegments are still open: "inner"; they are closed with it']);

    // One that is not current (handed to other code, say) is ended alone; the current one stays.
    const current = r.beginSubsegment('current');
    const aside = r.beginSubsegment('aside');
    r.setTraceEntity(current);
    r.endSubsegment(aside);
    expect([aside.isClosed(), current.isClosed()]).toEqual([true, false]);
    expect(r.getTraceEntity()).toBe(current);
    r.endSubsegment();
    r.endSegment();
    expect(t.logger.warnings()).toHaveLength(1);
    expect(t.doc('api').subsegments?.map((s) => s.name)).toEqual(['outer', 'current']);
    expect(t.doc('current').subsegments?.map((s) => s.name)).toEqual(['aside']);
  });
});

describe('invalid times never reach a document', () => {
  it('endSegment(new Date(NaN)) and close(Infinity / a negative time) end now, with a warning', () => {
    const r = t.recorder;
    r.beginSegment('nan-segment');
    r.beginSubsegment('infinite').close(Infinity);
    r.beginSubsegment('negative').close(-1);
    r.beginSubsegment('bad-hrtime').close([Number.NaN, 0]);
    r.endSegment(new Date(Number.NaN));
    for (const name of ['nan-segment', 'infinite', 'negative', 'bad-hrtime']) {
      const doc = t.doc(name);
      expect(Number.isFinite(doc.end_time) && doc.end_time! >= doc.start_time, name).toBe(true);
    }
    expect(t.logger.warnings()).toEqual([
      'subsegment "infinite": close: end time Infinity is not a valid time (finite, not before 1970); ended now instead',
      'subsegment "negative": close: end time -1 is not a valid time (finite, not before 1970); ended now instead',
      'subsegment "bad-hrtime": close: end time [NaN, 0] is not a valid time (finite, not before 1970); ended now instead',
      'segment "nan-segment": close: end time Invalid Date is not a valid time (finite, not before 1970); ended now instead',
    ]);
  });

  it('an OTel span ended at new Date(NaN), or started at one, is exported with valid times and a warning', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('t');
    tracer.startSpan('ended-at-nan').end(new Date(Number.NaN));
    tracer.startSpan('started-at-nan', { startTime: new Date(Number.NaN) }).end();
    tracer.startSpan('both-nan', { startTime: new Date(Number.NaN) }).end(new Date(Number.NaN));
    const logger = capturingLogger();
    const docs = toSegmentDocuments(exporter.getFinishedSpans(), { logger });
    expectValidDocuments(docs);
    const byName = new Map(docs.map((d) => [d.name, d]));
    expect([...byName.keys()].sort()).toEqual(['both-nan', 'ended-at-nan', 'started-at-nan']);
    for (const doc of docs) {
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc); // nothing turns into null on the wire
      expect(doc.end_time).toBeGreaterThanOrEqual(doc.start_time);
    }
    expect(byName.get('ended-at-nan')!.end_time).toBe(byName.get('ended-at-nan')!.start_time);
    expect(logger.warnings()).toEqual([expect.stringMatching(/^span "ended-at-nan" has an invalid end time \(\d+(\.\d+)?, NaN epoch seconds\); X-Ray needs non-negative numbers/)]);
  });
});
