import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { hrTimeToEpochSeconds } from '../src/ids.js';
import { expectValidDocuments } from './support/schema.js';
import { fakeSpan, spanId, TRACE_ID, XRAY_TRACE_ID } from './support/spans.js';

function one(init: Parameters<typeof fakeSpan>[0]) {
  const docs = toSegmentDocuments([fakeSpan(init)]);
  expectValidDocuments(docs);
  expect(docs).toHaveLength(1);
  return docs[0]!;
}

describe('which document a span becomes', () => {
  it('a span without a parent is a segment, whatever its kind', () => {
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
      const doc = one({ kind });
      expect(doc.type).toBeUndefined();
      expect(doc.parent_id).toBeUndefined();
      expect(doc.trace_id).toBe(XRAY_TRACE_ID);
    }
  });

  it('a SERVER or CONSUMER span with a parent is a segment that names its parent', () => {
    for (const kind of [SpanKind.SERVER, SpanKind.CONSUMER]) {
      for (const parentRemote of [true, false]) {
        const doc = one({ kind, parentSpanId: 'abcdef0123456789', parentRemote });
        expect(doc.type).toBeUndefined();
        expect(doc.parent_id).toBe('abcdef0123456789');
      }
    }
  });

  it('any other span with a parent is a subsegment carrying type, trace_id and parent_id when sent alone', () => {
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER]) {
      const doc = one({ kind, parentSpanId: 'abcdef0123456789' });
      expect(doc.type).toBe('subsegment');
      expect(doc.trace_id).toBe(XRAY_TRACE_ID);
      expect(doc.parent_id).toBe('abcdef0123456789');
    }
  });

  it('spans that are not sampled are not sent', () => {
    expect(toSegmentDocuments([fakeSpan({ sampled: false })])).toEqual([]);
  });

  it('a span with ids X-Ray cannot parse is dropped, with a warning, and the rest of the batch survives', () => {
    const warn = vi.fn();
    const logger = { debug() {}, info() {}, warn, error() {} };
    const docs = toSegmentDocuments([fakeSpan({ spanId: 'not-hex' }), fakeSpan({ name: 'fine' })], { logger });
    expect(docs.map((d) => d.name)).toEqual(['fine']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ids X-Ray cannot accept'));
  });
});

describe('namespace', () => {
  it('is "remote" for CLIENT and PRODUCER subsegments', () => {
    expect(one({ kind: SpanKind.CLIENT, parentSpanId: spanId() }).namespace).toBe('remote');
    expect(one({ kind: SpanKind.PRODUCER, parentSpanId: spanId() }).namespace).toBe('remote');
  });

  it('is "aws" for AWS SDK calls', () => {
    const parentSpanId = spanId();
    expect(one({ kind: SpanKind.CLIENT, parentSpanId, attributes: { 'rpc.system': 'aws-api' } }).namespace).toBe('aws');
    expect(one({ kind: SpanKind.INTERNAL, parentSpanId, attributes: { 'aws.service': 'S3' } }).namespace).toBe('aws');
  });

  it('is absent on INTERNAL subsegments and on every segment', () => {
    expect(one({ kind: SpanKind.INTERNAL, parentSpanId: spanId() }).namespace).toBeUndefined();
    expect(one({ kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api' } }).namespace).toBeUndefined();
  });

  it('an explicit aws.xray.namespace wins and is not repeated in metadata', () => {
    const doc = one({ kind: SpanKind.INTERNAL, parentSpanId: spanId(), attributes: { 'aws.xray.namespace': 'remote' } });
    expect(doc.namespace).toBe('remote');
    expect(JSON.stringify(doc)).not.toContain('aws.xray.namespace');
  });
});

describe('identity and time', () => {
  it('ids are the span ids and the trace id is split 8 + 24', () => {
    const id = spanId();
    const doc = one({ spanId: id, traceId: TRACE_ID });
    expect(doc.id).toBe(id);
    expect(doc.trace_id).toBe(`1-${TRACE_ID.slice(0, 8)}-${TRACE_ID.slice(8)}`);
  });

  it('times are epoch seconds with microsecond precision', () => {
    const doc = one({ startTime: [1700000000, 123456789], endTime: [1700000001, 999999999] });
    expect(doc.start_time).toBe(1700000000.123457);
    expect(doc.end_time).toBe(1700000002);
  });

  it('time conversion never drifts by a microsecond or more', () => {
    for (let i = 0; i < 10_000; i++) {
      const s = 1_600_000_000 + Math.floor(Math.random() * 400_000_000);
      const ns = Math.floor(Math.random() * 1e9);
      const micros = BigInt(s) * 1_000_000n + BigInt(Math.round(ns / 1000));
      const got = hrTimeToEpochSeconds([s, ns]);
      const back = BigInt(Math.round(got * 1_000_000));
      expect(back - micros <= 1n && micros - back <= 1n).toBe(true);
    }
  });

  it('a span that ends before it starts gets a zero duration, not a negative one', () => {
    const doc = one({ startTime: [1700000010, 0], endTime: [1700000000, 0] });
    expect(doc.end_time).toBe(doc.start_time);
  });
});

describe('user', () => {
  it('enduser.id becomes the segment user and leaves metadata', () => {
    const doc = one({ kind: SpanKind.SERVER, attributes: { 'enduser.id': 'alice' } });
    expect(doc.user).toBe('alice');
    expect(doc.metadata?.default?.['enduser.id']).toBeUndefined();
  });

  it('subsegments have no user: the attribute stays as metadata', () => {
    const doc = one({ parentSpanId: spanId(), attributes: { 'enduser.id': 'alice' } });
    expect(doc.user).toBeUndefined();
    expect(doc.metadata?.default?.['enduser.id']).toBe('alice');
  });
});

describe('error status without an exception event', () => {
  it('marks a fault and carries the status message as the exception', () => {
    const doc = one({ status: { code: SpanStatusCode.ERROR, message: 'boom' } });
    expect(doc.fault).toBe(true);
    const cause = doc.cause;
    expect(typeof cause === 'object' && cause.exceptions?.[0]?.message).toBe('boom');
  });
});

describe('links', () => {
  it('become links with X-Ray trace ids and their attributes', () => {
    const linked = spanId();
    const doc = one({
      links: [{ context: { traceId: TRACE_ID, spanId: linked, traceFlags: 1 }, attributes: { why: 'batch' } }],
    });
    expect(doc.links).toEqual([{ trace_id: XRAY_TRACE_ID, id: linked, attributes: { why: 'batch' } }]);
  });

  it('a link with malformed ids is left out, not sent broken', () => {
    const doc = one({ links: [{ context: { traceId: 'zz', spanId: 'yy', traceFlags: 1 } }] });
    expect(doc.links).toBeUndefined();
  });
});

describe('in AWS Lambda', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const facade = '1234567890abcdef';
  function inLambda() {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'fn');
    vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${XRAY_TRACE_ID};Parent=${facade};Sampled=1`);
  }

  it('a span under the facade becomes an independent subsegment, never a segment', () => {
    inLambda();
    const doc = one({ kind: SpanKind.SERVER, parentSpanId: facade, parentRemote: true });
    expect(doc.type).toBe('subsegment');
    expect(doc.parent_id).toBe(facade);
  });

  it('a root span of the invocation hangs under the facade id', () => {
    inLambda();
    const doc = one({ kind: SpanKind.INTERNAL });
    expect(doc.type).toBe('subsegment');
    expect(doc.parent_id).toBe(facade);
  });

  it('a root span of another trace has nowhere to go and is dropped with a warning', () => {
    inLambda();
    const warn = vi.fn();
    const docs = toSegmentDocuments([fakeSpan({ traceId: 'ffffffffffffffffffffffffffffffff' })], {
      logger: { debug() {}, info() {}, warn, error() {} },
    });
    expect(docs).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Lambda'));
  });

  it('LAMBDA_TASK_ROOT alone also means Lambda', () => {
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${XRAY_TRACE_ID};Parent=${facade};Sampled=1`);
    expect(one({ kind: SpanKind.SERVER }).type).toBe('subsegment');
  });
});
