import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SegmentNotFoundError, XRayRecorder } from '../src/recorder/index.js';
import { capturingLogger, setupTracing, type Tracing } from './fixtures/recorder-harness.js';

// Misuse never breaks the application: each case warns through the logger, and whatever else the
// entity recorded is still exported.

let t: Tracing;
beforeEach(() => {
  vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', '');
  t = setupTracing();
});
afterEach(async () => {
  await t.teardown();
  vi.unstubAllEnvs();
});

/** Runs `misuse` on subsegment "work" (after a valid annotation), returning its document. */
function work(misuse: (sub: ReturnType<Tracing['recorder']['beginSubsegment']>) => void) {
  t.recorder.beginSegment('api');
  const sub = t.recorder.beginSubsegment('work');
  sub.putAnnotation('kept', 'yes');
  expect(() => misuse(sub)).not.toThrow();
  t.recorder.endSubsegment();
  t.recorder.endSegment();
  return t.doc('work');
}

function warned(pattern: RegExp): void {
  expect(t.logger.warnings().some((w) => pattern.test(w)), `a warning matching ${pattern} among ${JSON.stringify(t.logger.warnings())}`).toBe(true);
}

describe('annotations', () => {
  it('a non-string key is dropped with a warning', () => {
    const doc = work((sub) => sub.putAnnotation(42 as unknown as string, 'v'));
    warned(/annotation key number 42 is not a non-empty string/);
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });

  it.each([
    ['a BigInt', 10n, /"big": BigInt 10n is not a string, finite number or boolean/],
    ['an object', { a: 1 }, /"big": an object is not/],
    ['NaN', NaN, /"big": number NaN is not/],
    ['Infinity', Infinity, /"big": number Infinity is not/],
    ['undefined', undefined, /"big": undefined is not/],
  ])('%s value is dropped with a warning naming the key', (_label, value, pattern) => {
    const doc = work((sub) => sub.putAnnotation('big', value as unknown as string));
    warned(pattern);
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });

  it('keys in the aws.xray. namespace are reserved', () => {
    const doc = work((sub) => sub.putAnnotation('aws.xray.annotations', 'x'));
    warned(/"aws.xray.annotations": keys starting with "aws.xray." are reserved/);
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });
});

describe('metadata', () => {
  it('a circular object is written with "[Circular]" and a warning naming the key', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    const doc = work((sub) => {
      sub.putMetadata('graph', node);
      sub.putMetadata('other', 1);
    });
    warned(/metadata "default"."graph": circular reference replaced with "\[Circular\]"/);
    expect(doc.metadata?.default).toMatchObject({ graph: { name: 'root', self: '[Circular]' }, other: 1 });
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });

  it('the same object twice (not a cycle) is written twice', () => {
    const shared = { id: 1 };
    const doc = work((sub) => sub.putMetadata('pair', { a: shared, b: shared }));
    expect(doc.metadata?.default).toMatchObject({ pair: { a: { id: 1 }, b: { id: 1 } } });
    expect(t.logger.warnings()).toEqual([]);
  });

  it('a BigInt is written as its decimal string, with a warning', () => {
    const doc = work((sub) => sub.putMetadata('counter', { total: 12345678901234567890n }));
    warned(/metadata "default"."counter": BigInt written as a string/);
    expect(doc.metadata?.default).toMatchObject({ counter: { total: '12345678901234567890' } });
  });

  it('functions and symbols are dropped, with a warning', () => {
    const doc = work((sub) => sub.putMetadata('handler', { name: 'h', run: () => 1, tag: Symbol('t') }, 'app'));
    warned(/metadata "app"."handler": function dropped/);
    warned(/metadata "app"."handler": symbol dropped/);
    expect(doc.metadata?.app).toEqual({ handler: { name: 'h' } });
  });

  it('a value whose getter throws is replaced, and its siblings kept', () => {
    const hostile = {
      get secret(): string {
        throw new Error('no access');
      },
    };
    const doc = work((sub) => {
      sub.putMetadata('hostile', hostile);
      sub.putMetadata('fine', 'ok');
    });
    warned(/metadata "default"."hostile": not serializable \(no access\)/);
    expect(doc.metadata?.default).toMatchObject({ hostile: '[Unserializable]', fine: 'ok' });
  });

  it('namespaces starting with AWS. are reserved', () => {
    const doc = work((sub) => sub.putMetadata('k', 'v', 'AWS.internal'));
    warned(/metadata "k": namespaces starting with "AWS." are reserved/);
    expect(doc.metadata?.['AWS.internal']).toBeUndefined();
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });

  it('a non-string key is dropped with a warning', () => {
    const doc = work((sub) => sub.putMetadata(undefined as unknown as string, 'v'));
    warned(/metadata key undefined is not a non-empty string/);
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });
});

describe('http, aws and sql input', () => {
  it('an unknown http key is ignored with a warning', () => {
    const doc = work((sub) => {
      sub.putHttpMeta('verb', 'GET');
      sub.putHttpMeta('method', 'GET');
    });
    warned(/http meta key "verb" is not one of/);
    expect(doc.http?.request).toEqual({ method: 'GET' });
  });

  it('a status that is not an integer is ignored with a warning', () => {
    const doc = work((sub) => sub.putHttpMeta('status', 'teapot'));
    warned(/http meta "status": "teapot" is not an integer/);
    expect(doc.http).toBeUndefined();
    expect(doc.annotations).toEqual({ kept: 'yes' });
  });

  it('setAws and setSql read only their own fields: keys such as constructor or toString are plain names', () => {
    const withProto = JSON.parse('{"__proto__": "p"}') as Record<string, unknown>;
    const doc = work((sub) => {
      sub.setAws({ operation: 'PutItem', constructor: 'x', toString: 'y', hasOwnProperty: 'z', ...withProto });
      sub.setSql({ database_type: 'postgresql', constructor: 'c', valueOf: 'v' });
    });
    const written = JSON.stringify(doc);
    expect(written).not.toContain('native code');
    expect(doc.aws?.operation).toBe('PutItem');
    expect(doc.sql?.database_type).toBe('postgresql');
    expect(doc.annotations).toEqual({ kept: 'yes' });
    const attributes = t.exporter.getFinishedSpans().find((s) => s.name === 'work')!.attributes;
    expect(attributes).toMatchObject({ 'aws.constructor': 'x', 'aws.toString': 'y', 'aws.hasOwnProperty': 'z', 'aws.__proto__': 'p', 'db.constructor': 'c', 'db.valueOf': 'v' });
    expect(Object.keys(attributes).filter((k) => k.includes('function'))).toEqual([]);
  });

  it('setAws cannot overwrite the recorder\'s own aws.xray.* attributes', () => {
    const doc = work((sub) => sub.setAws({ 'xray.annotations': 'x', 'xray.fault': true, region: 'eu-west-1' }));
    warned(/setAws: field "xray.annotations" would write "aws.xray.annotations", which is reserved; ignored/);
    warned(/setAws: field "xray.fault" would write "aws.xray.fault", which is reserved; ignored/);
    expect(doc.annotations).toEqual({ kept: 'yes' });
    expect(doc.fault).toBeUndefined();
    expect(doc.aws?.region).toBe('eu-west-1');
  });

  it('setAws with a field whose getter throws skips that field', () => {
    const fields = {
      operation: 'GetItem',
      get region(): string {
        throw new Error('no region');
      },
    };
    const doc = work((sub) => sub.setAws(fields));
    warned(/setAws: field "region" could not be read \(no region\); ignored/);
    expect(doc.aws?.operation).toBe('GetItem');
  });

  it('setAws with a value no attribute can hold skips that field', () => {
    const doc = work((sub) => sub.setAws({ operation: 'PutItem', retries: { count: 2 } }));
    warned(/setAws: field "retries" has an object/);
    expect(doc.aws?.operation).toBe('PutItem');
  });
});

describe('closed entities', () => {
  it('closing twice warns and the entity is exported once', () => {
    t.recorder.beginSegment('api');
    const sub = t.recorder.beginSubsegment('work');
    sub.putAnnotation('kept', 'yes');
    sub.close();
    expect(() => sub.close()).not.toThrow();
    warned(/subsegment "work": is already closed; close\(\) ignored/);
    t.recorder.clearTraceEntities();
    expect(t.exporter.getFinishedSpans().filter((s) => s.name === 'work')).toHaveLength(1);
    expect(t.doc('work').annotations).toEqual({ kept: 'yes' });
  });

  it('writing to a closed entity warns and changes nothing', () => {
    t.recorder.beginSegment('api');
    const sub = t.recorder.beginSubsegment('work');
    sub.putAnnotation('kept', 'yes');
    t.recorder.endSubsegment();
    sub.putAnnotation('late', 1);
    sub.putMetadata('late', 1);
    sub.addFaultFlag();
    t.recorder.endSegment();
    warned(/subsegment "work": is already closed; putAnnotation ignored/);
    warned(/subsegment "work": is already closed; putMetadata ignored/);
    const doc = t.doc('work');
    expect(doc.annotations).toEqual({ kept: 'yes' });
    expect(doc.fault).toBeUndefined();
  });

  it('endSegment with subsegments still open warns, closes them with it, and exports the whole segment', () => {
    t.recorder.beginSegment('api');
    const outer = t.recorder.beginSubsegment('forgotten');
    const inner = t.recorder.beginSubsegment('forgotten-too');
    t.recorder.endSegment();
    warned(/segment "api": ended while subsegments are still open: "forgotten-too", "forgotten"; they are closed with it/);
    expect(outer.isClosed() && inner.isClosed()).toBe(true);
    const [doc] = t.documents();
    expect(doc).toMatchObject({ name: 'api', subsegments: [{ name: 'forgotten', subsegments: [{ name: 'forgotten-too' }] }] });
    const child = doc!.subsegments![0]!;
    const grandchild = child.subsegments![0]!;
    // Nothing ends after the entity it belongs to.
    expect(doc!.end_time).toBeGreaterThanOrEqual(child.end_time!);
    expect(child.end_time).toBeGreaterThanOrEqual(grandchild.end_time!);
  });

  it('endSegment(endTime) with subsegments still open closes them at that same time', () => {
    t.recorder.beginSegment('api');
    t.recorder.beginSubsegment('forgotten');
    const end = Date.now() / 1000 + 2;
    t.recorder.endSegment(end);
    const [doc] = t.documents();
    expect(doc!.end_time).toBeCloseTo(end, 3);
    expect(doc!.subsegments![0]!.end_time).toBeCloseTo(end, 3);
  });

  it('endSubsegment when the segment is current warns and leaves it open', () => {
    const segment = t.recorder.beginSegment('api');
    t.recorder.endSubsegment();
    warned(/segment "api": is current and is not a subsegment; endSubsegment ignored/);
    expect(segment.isClosed()).toBe(false);
    t.recorder.endSegment();
  });
});

describe('no open segment', () => {
  it('LOG_ERROR (the default): logged; begin/put/end and capture keep working and record nothing', () => {
    const { recorder, logger } = t;
    const sub = recorder.beginSubsegment('orphan');
    sub.putAnnotation('k', 'v');
    recorder.putMetadata('k', 'v');
    recorder.endSubsegment();
    const double = recorder.capture('double')((n: number) => n * 2);
    expect(double(21)).toBe(42);
    expect(recorder.currentSegment()).toBeUndefined();
    expect(logger.messages.filter((m) => m.level === 'error').map((m) => m.message)).toEqual([
      expect.stringMatching(/^beginSubsegment\("orphan"\): cannot find the current segment/),
      expect.stringMatching(/^putMetadata: cannot find/),
      expect.stringMatching(/^endSubsegment: cannot find/),
      expect.stringMatching(/^capture\("double"\): cannot find/),
      expect.stringMatching(/^getTraceEntity: cannot find/),
    ]);
    expect(t.exporter.getFinishedSpans()).toEqual([]);
  });

  it('RUNTIME_ERROR throws SegmentNotFoundError, as the application asked', () => {
    t.recorder.configure({ contextMissing: 'RUNTIME_ERROR' });
    expect(() => t.recorder.beginSubsegment('orphan')).toThrow(SegmentNotFoundError);
    expect(() => t.recorder.beginSubsegment('orphan')).toThrow(expect.objectContaining({ code: 'ERR_XRAY_SEGMENT_NOT_FOUND' }));
    expect(() => t.recorder.capture('f')(() => 1)()).toThrow(/cannot find the current segment/);
  });

  it('IGNORE_ERROR stays silent', () => {
    t.recorder.configure({ context_missing: 'IGNORE_ERROR' });
    t.recorder.beginSubsegment('orphan');
    t.recorder.endSubsegment();
    expect(t.logger.messages).toEqual([]);
  });

  it('a function strategy is called with the message', () => {
    const seen: string[] = [];
    t.recorder.configure({ contextMissing: (m) => seen.push(m) });
    t.recorder.putAnnotation('k', 'v');
    expect(seen).toEqual([expect.stringMatching(/^putAnnotation: cannot find the current segment/)]);
  });

  it('AWS_XRAY_CONTEXT_MISSING wins over configure', () => {
    vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', 'IGNORE_ERROR');
    const logger = capturingLogger();
    const recorder = new XRayRecorder({ tracerProvider: t.provider, logger, contextMissing: 'RUNTIME_ERROR' });
    expect(() => recorder.beginSubsegment('orphan')).not.toThrow();
    expect(logger.messages).toEqual([]);
  });
});

/** An Error that fights back when the recorder reads it. */
function hostileError(kind: 'stack getter throws' | 'null-prototype code'): Error {
  const err = new Error('card declined');
  if (kind === 'stack getter throws') {
    Object.defineProperty(err, 'stack', {
      get() {
        throw new Error('stack unavailable');
      },
    });
  } else {
    (err as Error & { code: unknown }).code = Object.create(null);
  }
  return err;
}

describe('errors the recorder cannot read normally', () => {
  const kinds = ['stack getter throws', 'null-prototype code'] as const;

  it.each(kinds)('capture re-throws the application\'s error unchanged (%s), and records its type and message', (kind) => {
    const err = hostileError(kind);
    const charge = t.recorder.capture('charge')(() => {
      throw err;
    });
    t.recorder.beginSegment('api');
    let caught: unknown;
    try {
      charge();
    } catch (e) {
      caught = e;
    }
    t.recorder.endSegment();
    expect(caught).toBe(err);
    warned(/subsegment "charge": addException: the exception could not be recorded as it is/);
    expect(t.doc('charge')).toMatchObject({ fault: true, cause: { exceptions: [{ type: 'Error', message: 'card declined' }] } });
  });

  it.each(kinds)('a rejection of a captured async function is the application\'s error (%s)', async (kind) => {
    const err = hostileError(kind);
    const charge = t.recorder.captureAsync('charge')(async () => {
      await Promise.resolve();
      throw err;
    });
    t.recorder.beginSegment('api');
    await expect(charge()).rejects.toBe(err);
    t.recorder.endSegment();
    expect(t.doc('charge')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'card declined' }] } });
  });

  it.each(kinds)('inSegment re-throws the application\'s error unchanged (%s)', (kind) => {
    const err = hostileError(kind);
    expect(() =>
      t.recorder.inSegment('job', () => {
        throw err;
      }),
    ).toThrow(err);
    expect(t.doc('job')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'card declined' }] } });
  });

  it('addException by hand does not throw either', () => {
    const doc = work((sub) => sub.addException(hostileError('stack getter throws')));
    expect(doc).toMatchObject({ fault: true, cause: { exceptions: [{ type: 'Error', message: 'card declined' }] } });
  });

  it('a thrown object whose every getter throws is still recorded, by its type', () => {
    const nasty = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
        has() {
          throw new Error('no');
        },
      },
    );
    const doc = work((sub) => sub.addException(nasty));
    expect(doc.fault).toBe(true);
  });
});

describe('the recorder itself', () => {
  it('capture(name, fn) returns the wrapped fn, with a warning that capture(name) returns a wrapper', () => {
    const double = (t.recorder.capture as unknown as (name: string, fn: (n: number) => number) => (n: number) => number)('double', (n) => n * 2);
    warned(/capture\("double", fn\): capture\(name\) returns a wrapper, and fn is passed to it: capture\(name\)\(fn\)/);
    t.recorder.beginSegment('api');
    expect(double(21)).toBe(42);
    t.recorder.endSegment();
    expect(t.doc('double').end_time).toBeTypeOf('number');
  });

  it('a logger assigned directly to recorder.logger is made safe too', () => {
    const recorder = new XRayRecorder({ tracerProvider: t.provider });
    recorder.logger = { debug() {}, info() {}, warn: () => { throw new Error('logger down'); }, error: () => { throw new Error('logger down'); } };
    recorder.beginSegment('api');
    expect(() => recorder.putAnnotation('bad', {} as unknown as string)).not.toThrow();
    recorder.endSegment();
  });

  it('a logger that throws does not turn a warning into an error', () => {
    const recorder = new XRayRecorder({
      tracerProvider: t.provider,
      logger: { debug() {}, info() {}, warn: () => { throw new Error('logger down'); }, error: () => { throw new Error('logger down'); } },
    });
    recorder.beginSegment('api');
    expect(() => recorder.putAnnotation('bad', {} as unknown as string)).not.toThrow();
    expect(() => recorder.endSubsegment()).not.toThrow();
    recorder.endSegment();
    expect(() => recorder.endSegment()).not.toThrow();
  });

  it('options the X-Ray SDKs take but OTel handles elsewhere are reported, not fatal', () => {
    t.recorder.configure({ daemon_address: '127.0.0.1:2000', plugins: ['EC2Plugin'] } as never);
    // Its own tracer provider: the address belongs to that provider's exporter.
    warned(/daemon_address has no effect: the tracer provider in use is the application's; give the address to its XRayUdpSpanExporter/);
    warned(/"plugins" has no effect here/);
  });

  it('setTraceEntity with something that is not an entity warns', () => {
    t.recorder.setTraceEntity({} as never);
    warned(/setTraceEntity: an object is not a segment or subsegment/);
  });
});
