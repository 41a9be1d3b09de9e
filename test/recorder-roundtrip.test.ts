import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';

// Whatever legacy code records through the facade comes out of this project's exporter in the
// same X-Ray field: one test per field.

let t: Tracing;
beforeEach(() => {
  t = setupTracing();
});
afterEach(async () => {
  await t.teardown();
});

/** Runs `record` on a subsegment "work" inside segment "api" and returns the subsegment's document. */
function inSubsegment(record: (r: Tracing['recorder']) => void, namespace?: 'aws' | 'remote') {
  t.recorder.beginSegment('api');
  t.recorder.beginSubsegment('work', namespace ? { namespace } : undefined);
  record(t.recorder);
  t.recorder.endSubsegment();
  t.recorder.endSegment();
  return t.doc('work');
}

function inSegment(record: (r: Tracing['recorder']) => void) {
  t.recorder.beginSegment('api');
  record(t.recorder);
  t.recorder.endSegment();
  return t.doc('api');
}

describe('identity', () => {
  it('a segment is a segment document named after it, with its trace id and id', () => {
    const segment = t.recorder.beginSegment('checkout');
    t.recorder.endSegment();
    const [doc] = t.documents();
    expect(doc).toMatchObject({ name: 'checkout', id: segment.id, trace_id: segment.traceId });
    expect(doc!.type).toBeUndefined();
    expect(doc!.parent_id).toBeUndefined();
    expect(doc!.end_time).toBeGreaterThanOrEqual(doc!.start_time);
  });

  it('the configured service names segments begun without a name', () => {
    t.recorder.configure({ service: 'orders' });
    t.recorder.beginSegment();
    t.recorder.endSegment();
    expect(t.documents()[0]!.name).toBe('orders');
  });

  it('a subsegment is embedded in its segment, named after it, with its id', () => {
    t.recorder.beginSegment('api');
    const sub = t.recorder.beginSubsegment('load');
    t.recorder.endSubsegment();
    t.recorder.endSegment();
    const [doc] = t.documents();
    expect(doc!.subsegments).toHaveLength(1);
    expect(doc!.subsegments![0]).toMatchObject({ name: 'load', id: sub.id });
    expect(sub.parentId).toBe(doc!.id);
  });

  it('a segment continues the X-Ray trace and parent it is given', () => {
    const segment = t.recorder.beginSegment('api', { traceId: '1-5759e988-bd862e3fe1be46a994272793', parentId: '53995c3f42cd8ad8', sampled: true });
    t.recorder.endSegment();
    expect(segment.traceId).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(t.documents()[0]).toMatchObject({ trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8' });
  });

  it("Python's positional begin_segment(name, traceid, parent_id, sampling) continues the trace too", () => {
    t.recorder.begin_segment('api', '1-5759e988-bd862e3fe1be46a994272793', '53995c3f42cd8ad8', 1);
    t.recorder.end_segment();
    expect(t.documents()[0]).toMatchObject({ trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8' });
  });

  it('end times given in epoch seconds become end_time', () => {
    t.recorder.beginSegment('api');
    const end = Date.now() / 1000 + 5;
    t.recorder.endSegment(end);
    expect(t.documents()[0]!.end_time).toBeCloseTo(end, 3);
  });
});

describe('annotations and metadata', () => {
  it('a string annotation', () => {
    expect(inSubsegment((r) => r.putAnnotation('customer', 'c-42')).annotations).toEqual({ customer: 'c-42' });
  });

  it('a number annotation', () => {
    expect(inSubsegment((r) => r.putAnnotation('id', 12345)).annotations).toEqual({ id: 12345 });
  });

  it('a boolean annotation', () => {
    expect(inSubsegment((r) => r.putAnnotation('cached', false)).annotations).toEqual({ cached: false });
  });

  it('an annotation put twice keeps the last value', () => {
    expect(
      inSubsegment((r) => {
        r.putAnnotation('step', 1);
        r.putAnnotation('step', 2);
      }).annotations,
    ).toEqual({ step: 2 });
  });

  it('annotations on the segment', () => {
    expect(inSegment((r) => r.currentSegment()!.putAnnotation('tenant', 'acme')).annotations).toEqual({ tenant: 'acme' });
  });

  it('metadata in the default namespace', () => {
    const doc = inSubsegment((r) => r.putMetadata('order', { id: 7, items: ['a', 'b'] }));
    expect(doc.metadata?.default).toMatchObject({ order: { id: 7, items: ['a', 'b'] } });
  });

  it('metadata in its own namespace', () => {
    const doc = inSubsegment((r) => r.putMetadata('config', { retries: 3 }, 'app'));
    expect(doc.metadata?.app).toEqual({ config: { retries: 3 } });
  });

  it('metadata is serialized at close, so later changes to the object are included', () => {
    const order: Record<string, unknown> = { id: 7 };
    const doc = inSubsegment((r) => {
      r.putMetadata('order', order);
      order.status = 'paid';
    });
    expect(doc.metadata?.default).toMatchObject({ order: { id: 7, status: 'paid' } });
  });
});

describe('http', () => {
  it('url', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('url', 'https://example.com/orders?id=1')).http?.request?.url).toBe('https://example.com/orders?id=1');
  });

  it('method', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('method', 'POST')).http?.request?.method).toBe('POST');
  });

  it('user_agent', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('user_agent', 'curl/8.0')).http?.request?.user_agent).toBe('curl/8.0');
  });

  // An address alone does not make an HTTP span (database spans carry addresses too): with a method.
  it('client_ip from the socket: no x_forwarded_for', () => {
    const request = inSegment((r) => {
      r.currentSegment()!.putHttpMeta('method', 'GET');
      r.currentSegment()!.putHttpMeta('client_ip', '203.0.113.9');
    }).http?.request;
    expect(request?.client_ip).toBe('203.0.113.9');
    expect(request?.x_forwarded_for).toBeUndefined();
  });

  it('client_ip from a forwarding header: x_forwarded_for', () => {
    const request = inSegment((r) => {
      r.currentSegment()!.putHttpMeta('method', 'GET');
      r.currentSegment()!.putHttpMeta('client_ip', '203.0.113.9');
      r.currentSegment()!.putHttpMeta('x_forwarded_for', true);
    }).http?.request;
    expect(request).toMatchObject({ client_ip: '203.0.113.9', x_forwarded_for: true });
  });

  it('status', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('status', 201)).http?.response?.status).toBe(201);
  });

  it('content_length', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('content_length', 512)).http?.response?.content_length).toBe(512);
  });

  it('on a remote subsegment (an outgoing call)', () => {
    const doc = inSubsegment((r) => {
      const sub = r.currentSubsegment()!;
      sub.putHttpMeta('url', 'https://api.example.com/users');
      sub.putHttpMeta('method', 'GET');
      sub.putHttpMeta('status', 200);
    }, 'remote');
    expect(doc.namespace).toBe('remote');
    expect(doc.http).toEqual({ request: { url: 'https://api.example.com/users', method: 'GET' }, response: { status: 200 } });
  });
});

describe('error, fault and throttle', () => {
  it('error flag', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.addErrorFlag());
    expect(doc.error).toBe(true);
    expect(doc.fault).toBeUndefined();
  });

  it('fault flag', () => {
    expect(inSubsegment((r) => r.currentSubsegment()!.addFaultFlag()).fault).toBe(true);
  });

  it('throttle flag', () => {
    expect(inSubsegment((r) => r.currentSubsegment()!.addThrottleFlag()).throttle).toBe(true);
  });

  it('applyStatusCode(404): error', () => {
    const doc = inSegment((r) => r.currentSegment()!.applyStatusCode(404));
    expect(doc).toMatchObject({ error: true });
    expect(doc.fault).toBeUndefined();
  });

  it('applyStatusCode(429): error and throttle', () => {
    expect(inSegment((r) => r.currentSegment()!.applyStatusCode(429))).toMatchObject({ error: true, throttle: true });
  });

  it('applyStatusCode(503): fault', () => {
    const doc = inSegment((r) => r.currentSegment()!.applyStatusCode(503));
    expect(doc.fault).toBe(true);
    expect(doc.error).toBeUndefined();
  });

  it('an http status of 500 makes a fault', () => {
    expect(inSegment((r) => r.currentSegment()!.putHttpMeta('status', 500))).toMatchObject({ fault: true, http: { response: { status: 500 } } });
  });
});

describe('exceptions', () => {
  it('type, message and stack, and the entity is a fault', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.addException(new TypeError('no such order')));
    expect(doc.fault).toBe(true);
    const cause = doc.cause as { exceptions: Array<{ type: string; message: string; stack: unknown[] }> };
    expect(cause.exceptions[0]).toMatchObject({ type: 'TypeError', message: 'no such order' });
    expect(cause.exceptions[0]!.stack.length).toBeGreaterThan(0);
  });

  it('a thrown string still becomes an exception', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.addException('out of stock'));
    const cause = doc.cause as { exceptions: Array<{ message: string }> };
    expect(cause.exceptions[0]!.message).toBe('out of stock');
  });

  it('an exception of a remote subsegment is remote', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.addException(new Error('502 from upstream')), 'remote');
    const cause = doc.cause as { exceptions: Array<{ remote?: boolean }> };
    expect(cause.exceptions[0]!.remote).toBe(true);
  });

  it('an exception marked remote by hand is remote on any subsegment', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.addException(new Error('from the queue'), { remote: true }));
    const cause = doc.cause as { exceptions: Array<{ remote?: boolean }> };
    expect(cause.exceptions[0]!.remote).toBe(true);
  });

  it("Python's add_exception(exception, stack, remote): the stack comes from the error, remote from the third argument", () => {
    const doc = inSubsegment((r) => r.current_subsegment()!.add_exception(new Error('from the queue'), ['ignored frame'], true));
    const cause = doc.cause as { exceptions: Array<{ remote?: boolean; stack: Array<{ path?: string }> }> };
    expect(cause.exceptions[0]!.remote).toBe(true);
    expect(cause.exceptions[0]!.stack[0]!.path).toContain('recorder-roundtrip.test.ts');
  });
});

describe('user, aws and sql', () => {
  it('user', () => {
    expect(inSegment((r) => r.currentSegment()!.setUser('alice')).user).toBe('alice');
  });

  it('an aws subsegment is in the aws namespace', () => {
    expect(inSubsegment(() => {}, 'aws').namespace).toBe('aws');
  });

  it.each([
    ['operation', 'GetItem'],
    ['region', 'eu-west-1'],
    ['request_id', 'ABC123'],
    ['queue_url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs'],
    ['table_name', 'orders'],
    ['account_id', '123456789012'],
  ])('aws.%s', (field, value) => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setAws({ [field]: value }), 'aws');
    expect(doc.aws?.[field]).toBe(value);
  });

  it('aws.table_names', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setAws({ table_names: ['orders', 'users'] }), 'aws');
    expect(doc.aws?.table_names).toEqual(['orders', 'users']);
  });

  it('sql.database_type and sql.sanitized_query', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setSql({ database_type: 'PostgreSQL', sanitized_query: 'SELECT * FROM orders WHERE id = $1' }), 'remote');
    expect(doc.sql).toMatchObject({ database_type: 'PostgreSQL', sanitized_query: 'SELECT * FROM orders WHERE id = $1' });
  });

  it('sql.url', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setSql({ database_type: 'mysql', url: 'mysql://db.internal:3306/shop' }), 'remote');
    expect(doc.sql?.url).toBe('mysql://db.internal:3306/shop');
  });

  it('sql.connection_string', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setSql({ database_type: 'mssql', connection_string: 'Server=db;Database=shop' }), 'remote');
    expect(doc.sql?.connection_string).toBe('Server=db;Database=shop');
  });

  it('sql.user', () => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setSql({ database_type: 'postgresql', user: 'app' }), 'remote');
    expect(doc.sql?.user).toBe('app');
  });

  it.each([
    ['database_version', '16.2'],
    ['driver_version', 'pg-8.11'],
    ['preparation', 'statement'],
  ] as const)('sql.%s', (field, value) => {
    const doc = inSubsegment((r) => r.currentSubsegment()!.setSql({ database_type: 'postgresql', [field]: value }), 'remote');
    expect(doc.sql?.[field]).toBe(value);
    expect(JSON.stringify(doc.metadata ?? {})).not.toContain(value);
  });
});

describe('toJSON', () => {
  it('is the document the exporter sends, in progress while the entity is open', () => {
    const segment = t.recorder.beginSegment('api');
    segment.putAnnotation('tenant', 'acme');
    segment.putMetadata('k', 'v');
    const open = segment.toJSON();
    expect(open).toMatchObject({ name: 'api', id: segment.id, in_progress: true, annotations: { tenant: 'acme' }, metadata: { default: { k: 'v' } } });
    expect(open.end_time).toBeUndefined();
    t.recorder.endSegment();
    const closed = JSON.parse(JSON.stringify(segment)) as Record<string, unknown>;
    expect(closed).toMatchObject({ name: 'api', annotations: { tenant: 'acme' } });
    expect(closed.end_time).toBeTypeOf('number');
    expect(closed.in_progress).toBeUndefined();
  });
});
