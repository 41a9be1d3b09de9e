// The drop-in in-process, under an application's own OpenTelemetry setup: its entities are OTel
// spans of that provider, nested both ways with OTel instrumentation spans, and what they become
// is valid X-Ray. (Parity with the real SDK is test/aws-xray-sdk-parity.test.ts.)
import { EventEmitter } from 'node:events';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import AWSXRay from '../src/aws-xray-sdk-core/index.js';
import type { LegacyLogger } from '../src/aws-xray-sdk-core/logger.js';
import type { CauseBlock } from '../src/exporter/document.js';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { expectValidDocuments } from './support/schema.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('instrumentation');
const logged: Array<[string, string]> = [];
const logger: LegacyLogger = {
  debug: (m) => logged.push(['debug', m]),
  info: (m) => logged.push(['info', m]),
  warn: (m) => logged.push(['warn', m]),
  error: (m) => logged.push(['error', m]),
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  AWSXRay.setLogger(logger);
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => {
  exporter.reset();
  logged.length = 0;
  AWSXRay.enableAutomaticMode();
  AWSXRay.setContextMissingStrategy('LOG_ERROR');
});

function span(name: string) {
  const found = exporter.getFinishedSpans().filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

describe('entities are spans of the application\'s own tracer provider', () => {
  it('uses the registered provider and registers nothing of its own', () => {
    const segment = new AWSXRay.Segment('svc');
    segment.close();
    expect(span('svc').kind).toBe(SpanKind.SERVER);
    expect(logged.filter(([, m]) => m.includes('registered the X-Ray pipeline'))).toEqual([]);
  });

  it('a segment continues the trace and parent of an incoming header', () => {
    const segment = new AWSXRay.Segment('svc', '1-5759e988-bd862e3fe1be46a994272793', '53995c3f42cd8ad8');
    segment.close();
    expect(segment.trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(span('svc').parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
  });

  it('an OTel span started inside a legacy subsegment is its child', () => {
    AWSXRay.getNamespace().run(() => {
      const segment = new AWSXRay.Segment('svc');
      AWSXRay.setSegment(segment);
      AWSXRay.captureFunc('legacy', () => {
        tracer.startActiveSpan('otel-child', (s) => s.end());
      });
      segment.close();
    });
    expect(span('otel-child').parentSpanContext?.spanId).toBe(span('legacy').spanContext().spanId);
    expect(span('legacy').parentSpanContext?.spanId).toBe(span('svc').spanContext().spanId);
  });

  it('a legacy subsegment begun inside an OTel span is its child, and getSegment() finds an OTel server span', () => {
    tracer.startActiveSpan('GET /orders', { kind: SpanKind.SERVER }, (server) => {
      const current = AWSXRay.getSegment()!;
      expect(current.span).toBe(server);
      current.addAnnotation('customer', 'c-1');
      const sub = current.addNewSubsegment('legacy-under-otel');
      sub.close();
      tracer.startActiveSpan('otel-inner', (inner) => {
        AWSXRay.captureFunc('legacy-under-inner', () => {});
        inner.end();
      });
      server.end();
    });
    expect(span('legacy-under-otel').parentSpanContext?.spanId).toBe(span('GET /orders').spanContext().spanId);
    expect(span('legacy-under-inner').parentSpanContext?.spanId).toBe(span('otel-inner').spanContext().spanId);
    expect(span('GET /orders').attributes.customer).toBe('c-1');
  });

  it('a detached subsegment starts its span when added, at the time it was made', () => {
    const segment = new AWSXRay.Segment('svc');
    const sub = new AWSXRay.Subsegment('later');
    sub.addAnnotation('early', true);
    segment.addSubsegment(sub);
    sub.close();
    segment.close();
    expect(span('later').parentSpanContext?.spanId).toBe(segment.id);
    expect(span('later').attributes.early).toBe(true);
    expect(sub.parent_id).toBe(segment.id);
  });

  it('everything the entities become is a valid X-Ray document', () => {
    AWSXRay.getNamespace().run(() => {
      const segment = new AWSXRay.Segment('shop');
      AWSXRay.setSegment(segment);
      segment.setUser('u-1');
      segment.addMetadata('cart', { items: [1, 2] }, 'shop');
      const sub = segment.addNewSubsegment('db');
      sub.addSqlData(new AWSXRay.database.SqlData('15', 'pg 8', 'app', 'postgresql://db:5432/shop', 'statement'));
      sub.addPrecursorId('53995c3f42cd8ad8');
      sub.close(new Error('lost connection'), true);
      const aws = segment.addNewSubsegment('DynamoDB');
      aws.addAttribute('namespace', 'aws');
      aws.addAttribute('aws', { operation: 'GetItem', region: 'eu-west-1', retries: 0, consistent_read: true, consumed_capacity: { units: 1 } });
      aws.close();
      segment.addError('a plain string');
      segment.close();
    });
    const docs = toSegmentDocuments(exporter.getFinishedSpans());
    expectValidDocuments(docs);
    const shop = docs.find((d) => d.name === 'shop')!;
    expect(shop.user).toBe('u-1');
    expect(shop.metadata?.shop).toEqual({ cart: { items: [1, 2] } });
    const db = shop.subsegments!.find((s) => s.name === 'db')!;
    expect(db.sql).toEqual({ url: 'postgresql://db:5432/shop', user: 'app', database_version: '15', driver_version: 'pg 8', preparation: 'statement' });
    expect(db.precursor_ids).toEqual(['53995c3f42cd8ad8']);
    expect((db.cause as CauseBlock).exceptions?.[0]).toMatchObject({ type: 'Error', message: 'lost connection', remote: true });
    const dynamo = shop.subsegments!.find((s) => s.name === 'DynamoDB')!;
    expect(dynamo.namespace).toBe('aws');
    expect(dynamo.aws).toEqual({ operation: 'GetItem', region: 'eu-west-1', retries: 0, consistent_read: true, consumed_capacity: { units: 1 } });
  });

  it('toJSON and format show the entity as the exporter will send it', () => {
    const segment = new AWSXRay.Segment('svc');
    segment.addAnnotation('k', 'v');
    const doc = segment.toJSON() as { name: string; in_progress?: boolean; annotations?: Record<string, unknown> };
    expect(doc).toMatchObject({ name: 'svc', in_progress: true, annotations: { k: 'v' } });
    expect(JSON.parse(segment.format())).toMatchObject({ name: 'svc' });
    segment.close();
    expect(segment.isClosed()).toBe(true);
  });
});

describe('getNamespace() behaves as cls-hooked\'s for the calls the SDK and its middleware make', () => {
  it('set outside run throws, as cls-hooked does', () => {
    expect(() => AWSXRay.getNamespace().set('segment', 1)).toThrow('No context available');
  });

  it('run gives a fresh context inheriting the current one; runAndReturn returns', () => {
    const ns = AWSXRay.getNamespace();
    const out = ns.runAndReturn(() => {
      ns.set('a', 1);
      return ns.runAndReturn(() => {
        ns.set('b', 2);
        return [ns.get('a'), ns.get('b')];
      });
    });
    expect(out).toEqual([1, 2]);
    expect(ns.get('a')).toBeUndefined();
  });

  it('the current segment follows awaits and timers started inside run, and not outside', async () => {
    const seen = await new Promise<unknown[]>((resolve) => {
      AWSXRay.getNamespace().run(async () => {
        const segment = new AWSXRay.Segment('async');
        AWSXRay.setSegment(segment);
        await new Promise((r) => setTimeout(r, 1));
        const afterAwait = AWSXRay.getSegment() === segment;
        setTimeout(() => {
          resolve([afterAwait, AWSXRay.getSegment() === segment]);
          segment.close();
        }, 1);
      });
    });
    expect(seen).toEqual([true, true]);
    AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
    expect(AWSXRay.getSegment()).toBeUndefined();
  });

  it('a capture runs in a context of its own: it inherits the keys around it, holds its subsegment, and leaks nothing out', () => {
    const ns = AWSXRay.getNamespace();
    const segment = new AWSXRay.Segment('captures');
    const seen = ns.runAndReturn((outer) => {
      AWSXRay.setSegment(segment);
      ns.set('user', 'ana');
      return AWSXRay.captureFunc('level-1', (l1) =>
        AWSXRay.captureFunc('level-2', (l2) => {
          const inner = ns.active!;
          ns.set('inside', true);
          return {
            segment: AWSXRay.getSegment() === l2,
            nsSegment: ns.get('segment') === l2,
            user: ns.get('user'),
            // cls-hooked's shape: each context's prototype is the one it was created in.
            chain: Object.getPrototypeOf(inner).segment === l1 && Object.getPrototypeOf(Object.getPrototypeOf(inner)) === outer,
            ran: ns.runAndReturn(() => [AWSXRay.getSegment() === l2, ns.get('inside')]),
          };
        }),
      );
    });
    expect(seen).toEqual({ segment: true, nsSegment: true, user: 'ana', chain: true, ran: [true, true] });
    expect(ns.get('inside')).toBeUndefined();
    segment.close();
  });

  it('bind and bindEmitter carry the context to callbacks and listeners', () => {
    const ns = AWSXRay.getNamespace();
    const emitter = new EventEmitter();
    ns.bindEmitter(emitter);
    let bound: () => unknown = () => undefined;
    const segment = new AWSXRay.Segment('bound');
    ns.run(() => {
      AWSXRay.setSegment(segment);
      bound = ns.bind(() => AWSXRay.getSegment());
      emitter.on('data', () => emitter.emit('seen', AWSXRay.getSegment()));
    });
    let seen: unknown;
    emitter.on('seen', (s) => (seen = s));
    emitter.emit('data');
    expect(bound()).toBe(segment);
    expect(seen).toBe(segment);
    segment.close();
  });
});

describe('modes and bad use keep the SDK\'s contract', () => {
  it('manual mode: getSegment and setSegment go to the context-missing strategy', () => {
    AWSXRay.enableManualMode();
    AWSXRay.setContextMissingStrategy('RUNTIME_ERROR');
    expect(() => AWSXRay.getSegment()).toThrow('Cannot get sub/segment from context. Not supported in manual mode.');
    expect(() => AWSXRay.resolveSegment()).toThrow('No sub/segment specified');
    const segment = new AWSXRay.Segment('manual');
    expect(AWSXRay.resolveSegment(segment)).toBe(segment);
    expect(AWSXRay.captureFunc('explicit', () => 7, segment)).toBe(7);
    segment.close();
    expect(span('explicit').parentSpanContext?.spanId).toBe(segment.id);
  });

  it('rejects what the SDK rejects, logs what it logs, and throws nothing else', () => {
    expect(() => new AWSXRay.Segment(3 as unknown as string)).toThrow('Segment name must be of type string.');
    expect(() => AWSXRay.captureAsyncFunc('x', 'not a function' as never)).toThrow('Param "fcn" must be a function.');
    expect(() => AWSXRay.setContextMissingStrategy('SOMETIMES')).toThrow('Invalid context missing strategy: SOMETIMES');
    expect(() => AWSXRay.setDaemonAddress('not an address')).toThrow();
    expect(() => AWSXRay.middleware.setSamplingRules(42 as never)).toThrow('Please specify a path to the local sampling rules file');
    const segment = new AWSXRay.Segment('lenient');
    segment.addAnnotation('bad', {} as never);
    segment.addMetadata(5 as never, 'x');
    segment.addError(null as never);
    expect(() => segment.addSubsegment({} as never)).toThrow('Not a subsegment.');
    segment.close();
    segment.close();
    expect(logged.filter(([level]) => level === 'error').map(([, m]) => m)).toEqual([
      'Param "fcn" must be a function.',
      expect.stringContaining('Failed to add annotation key: bad'),
      expect.stringContaining('Failed to add metadata key: 5'),
      expect.stringContaining('Failed to add error:null'),
    ]);
  });

  it('a logger that throws does not break the traced call', () => {
    AWSXRay.setLogger({ ...logger, error: () => { throw new Error('logger down'); } });
    try {
      const segment = new AWSXRay.Segment('x');
      expect(() => segment.addAnnotation('bad', {} as never)).not.toThrow();
      segment.close();
    } finally {
      AWSXRay.setLogger(logger);
    }
  });
});

describe('captureAWSClient (AWS SDK v2) over a client with the v2 request events', () => {
  /** The parts of an AWS SDK v2 service and request the patcher uses, answering as `answer` says. */
  function fakeV2Service(answer: { status: number; error?: { code: string; message: string } }) {
    const service = {
      serviceIdentifier: 'dynamodb',
      customize: undefined as undefined | ((this: unknown, req: unknown) => void),
      customizeRequests(fn: (req: unknown) => void) {
        this.customize = fn;
      },
      makeRequest(operation: string, params: Record<string, unknown>) {
        const req = Object.assign(new EventEmitter(), {
          operation,
          params,
          httpRequest: { headers: {} as Record<string, string>, region: 'eu-west-1' },
          send(callback?: (err: unknown, data: unknown) => void) {
            req.emit('build', req);
            setImmediate(() => {
              const response = {
                request: req,
                requestId: 'R-1',
                retryCount: 0,
                data: answer.error ? undefined : { ConsumedCapacity: { CapacityUnits: 1 } },
                error: answer.error ? Object.assign(new Error(answer.error.message), { code: answer.error.code }) : null,
                httpResponse: { statusCode: answer.status, headers: { 'content-length': '12' } },
              };
              req.emit('complete', response);
              callback?.(response.error, response.data);
            });
          },
        });
        service.customize?.call(service, req);
        return req;
      },
    };
    return service;
  }

  async function call(answer: { status: number; error?: { code: string; message: string } }) {
    const service = fakeV2Service(answer);
    AWSXRay.captureAWSClient(service as unknown as Parameters<typeof AWSXRay.captureAWSClient>[0]);
    let header: string | undefined;
    await new Promise<void>((resolve) => {
      AWSXRay.getNamespace().run(() => {
        const segment = new AWSXRay.Segment('v2-caller');
        AWSXRay.setSegment(segment);
        const req = service.makeRequest('getItem', { TableName: 'orders', ConsistentRead: true });
        req.send(() => {
          header = req.httpRequest.headers['X-Amzn-Trace-Id'];
          segment.close();
          resolve();
        });
      });
    });
    const docs = toSegmentDocuments(exporter.getFinishedSpans());
    expectValidDocuments(docs);
    return { doc: docs.find((d) => d.name === 'v2-caller')!.subsegments!.find((s) => s.name === 'dynamodb')!, header };
  }

  it('records the call as an aws subsegment with the SDK\'s fields and sends the trace header', async () => {
    const { doc, header } = await call({ status: 200 });
    expect(doc.namespace).toBe('aws');
    expect(doc.aws).toEqual({ operation: 'GetItem', region: 'eu-west-1', request_id: 'R-1', retries: 0, table_name: 'orders', consistent_read: true, consumed_capacity: { CapacityUnits: 1 } });
    expect(doc.http).toEqual({ response: { status: 200, content_length: 12 } });
    expect(header).toMatch(new RegExp(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=${doc.id};Sampled=1$`));
  });

  it('a 400 is an error with the remote exception', async () => {
    const { doc } = await call({ status: 400, error: { code: 'ResourceNotFoundException', message: 'no table' } });
    expect(doc.error).toBe(true);
    expect((doc.cause as CauseBlock).exceptions?.[0]).toMatchObject({ type: 'ResourceNotFoundException', message: 'no table', remote: true });
  });
});

describe('plugins describe the platform without a network call', () => {
  it('EC2, ECS and Elastic Beanstalk name their platform (the exporter\'s origin)', () => {
    expect(AWSXRay.plugins.EC2Plugin.detect()).toMatchObject({ 'cloud.provider': 'aws', 'cloud.platform': 'aws_ec2' });
    expect(AWSXRay.plugins.ECSPlugin.originName).toBe('AWS::ECS::Container');
    expect(AWSXRay.plugins.ElasticBeanstalkPlugin.detect()).toMatchObject({ 'cloud.platform': 'aws_elastic_beanstalk' });
  });
});

describe('middleware.setSamplingRules decides for requests no upstream decided for', () => {
  const rules = {
    version: 2,
    rules: [{ description: 'health checks', host: '*', http_method: 'GET', url_path: '/health*', fixed_target: 0, rate: 0 }],
    default: { fixed_target: 0, rate: 1 },
  };
  function request(url: string, traceHeader?: string) {
    const req = { method: 'GET', url, headers: { host: 'shop.local:8080', ...(traceHeader ? { 'x-amzn-trace-id': traceHeader } : {}) }, connection: { remoteAddress: '127.0.0.1' } };
    const res = Object.assign(new EventEmitter(), { statusCode: 200, req: undefined as unknown });
    return { req, res };
  }
  function serve(url: string, traceHeader?: string) {
    const { req, res } = request(url, traceHeader);
    const segment = AWSXRay.middleware.traceRequestResponseCycle(req as never, res as never);
    res.emit('finish');
    return segment;
  }

  afterAll(() => AWSXRay.middleware.setSamplingRules({ version: 2, default: { fixed_target: 0, rate: 1 } }));

  it('the first matching rule wins, the default rule takes the rest, and only sampled segments are exported', () => {
    AWSXRay.middleware.setSamplingRules(rules);
    const health = serve('/health?deep=1');
    const orders = serve('/orders/7');
    expect(health.notTraced).toBe(true);
    expect(orders.notTraced ?? false).toBe(false);
    expect(exporter.getFinishedSpans().map((s) => s.attributes['http.url'] ?? s.name)).toHaveLength(1);
  });

  it('an upstream Sampled=1 or Sampled=0 wins over the rules', () => {
    AWSXRay.middleware.setSamplingRules(rules);
    expect(serve('/health', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1').notTraced ?? false).toBe(false);
    expect(serve('/orders', 'Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=0').notTraced).toBe(true);
  });

  it('rules that are not X-Ray rules throw, as in the SDK, and the previous rules stay', () => {
    AWSXRay.middleware.setSamplingRules(rules);
    expect(() => AWSXRay.middleware.setSamplingRules({ version: 2, default: { fixed_target: 'one' } })).toThrow(
      expect.objectContaining({ code: 'ERR_XRAY_SAMPLING_RULES' }),
    );
    expect(serve('/health').notTraced).toBe(true);
  });
});

describe('middleware carries what hand-written framework glue reads from it', () => {
  it('AWSXRay.middleware.IncomingRequestData is the SDK class, so a segment built by hand gets its http block', () => {
    const { IncomingRequestData } = AWSXRay.middleware;
    expect(IncomingRequestData).toBe(AWSXRay.IncomingRequestData);
    const req = { method: 'GET', url: '/cart', headers: { host: 'shop.local', 'user-agent': 'curl/8' }, connection: { remoteAddress: '10.0.0.9' } };
    const res = Object.assign(new EventEmitter(), { statusCode: 404 });
    const segment = new AWSXRay.Segment('by-hand');
    segment.addIncomingRequestData(new IncomingRequestData(req as never));
    segment.http?.close?.(res as never);
    segment.close();
    const docs = toSegmentDocuments([span('by-hand')]);
    expectValidDocuments(docs);
    const doc = docs[0]!;
    expect(doc.http?.request).toMatchObject({ method: 'GET', url: 'http://shop.local/cart', client_ip: '10.0.0.9', user_agent: 'curl/8' });
    expect(doc.http?.response).toMatchObject({ status: 404 });
  });
});
