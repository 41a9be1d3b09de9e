import { ROOT_CONTEXT, SpanKind, TraceFlags, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { XRayRecorder } from '../src/recorder/index.js';
import { createLocalRulesSampler } from '../src/sampling/create.js';
import { XRayPropagator } from '../src/sampling/propagator.js';
import { capturingLogger } from './fixtures/recorder-harness.js';
import { expectValidDocuments } from './support/schema.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';
const KEEP_NOTHING = { version: 2 as const, default: { fixed_target: 0, rate: 0 } };
const KEEP_EVERYTHING = { version: 2 as const, default: { fixed_target: 0, rate: 1 } };

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function setup(sampler: Sampler) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new XRayPropagator());
  cleanup.push(
    () => provider.shutdown(),
    () => context.disable(),
    () => propagation.disable(),
  );
  return { exporter, provider, tracer: provider.getTracer('t') };
}

/** Starts a server span from an incoming X-Amzn-Trace-Id, as HTTP instrumentation does, and returns what goes downstream. */
function serve(tracer: Tracer, header: string | undefined) {
  const incoming = header === undefined ? {} : { 'x-amzn-trace-id': header };
  const parent = propagation.extract(ROOT_CONTEXT, incoming);
  const span = tracer.startSpan('GET /x', { kind: SpanKind.SERVER }, parent);
  const outgoing: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), outgoing);
  span.end();
  return { span, downstream: outgoing['x-amzn-trace-id'] };
}

describe('parent decisions win over the rules', () => {
  it.each([
    ['Sampled=1 is honoured by rules that keep nothing', `Root=${ROOT};Parent=${PARENT};Sampled=1`, KEEP_NOTHING, true],
    ['Sampled=0 is honoured by rules that keep everything', `Root=${ROOT};Parent=${PARENT};Sampled=0`, KEEP_EVERYTHING, false],
    ['Sampled=? asks the rules (keep nothing)', `Root=${ROOT};Parent=${PARENT};Sampled=?`, KEEP_NOTHING, false],
    ['Sampled=? asks the rules (keep everything)', `Root=${ROOT};Parent=${PARENT};Sampled=?`, KEEP_EVERYTHING, true],
    ['no Sampled field asks the rules', `Root=${ROOT};Parent=${PARENT}`, KEEP_EVERYTHING, true],
  ])('%s, continues the trace, and sends the decision downstream', (_what, header, rules, sampled) => {
    const { tracer, exporter } = setup(createLocalRulesSampler(rules));
    const { span, downstream } = serve(tracer, header);
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.isRecording()).toBe(false); // ended
    expect((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0).toBe(sampled);
    expect(downstream).toBe(`Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=${sampled ? 1 : 0}`);
    // Unsampled spans are not exported; sampled ones keep the upstream parent.
    const docs = toSegmentDocuments(exporter.getFinishedSpans());
    expectValidDocuments(docs);
    expect(docs.map((d) => [d.trace_id, d.parent_id])).toEqual(sampled ? [[ROOT, PARENT]] : []);
  });

  it('the mark of an undecided parent reaches only the span made from it: its children follow that span', () => {
    const { tracer } = setup(createLocalRulesSampler(KEEP_EVERYTHING));
    const parent = propagation.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=?` });
    const server = tracer.startSpan('server', { kind: SpanKind.SERVER }, parent);
    const unsampledParent = trace.setSpanContext(parent, { ...server.spanContext(), traceFlags: TraceFlags.NONE });
    const child = tracer.startSpan('child', {}, unsampledParent);
    expect(server.isRecording()).toBe(true);
    expect(child.isRecording()).toBe(false);
  });

  it('a new trace (no header) asks the rules', () => {
    const { tracer } = setup(createLocalRulesSampler(KEEP_NOTHING));
    const { span, downstream } = serve(tracer, undefined);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(downstream).toMatch(/;Sampled=0$/);
  });
});

describe('the recorder with sampling rules', () => {
  function recorderWith(options: ConstructorParameters<typeof XRayRecorder>[0], sampler = createLocalRulesSampler(KEEP_EVERYTHING)) {
    const t = setup(sampler);
    const logger = capturingLogger();
    const recorder = new XRayRecorder({ tracerProvider: t.provider, logger, ...options });
    return { ...t, recorder, logger };
  }

  it('samplingRules that keep nothing: isSampled() is false and nothing is exported, whatever the provider would do', () => {
    const { recorder, exporter } = recorderWith({ samplingRules: KEEP_NOTHING });
    recorder.inSegment('job', () => {
      expect(recorder.isSampled()).toBe(false);
      recorder.inSubsegment('step', () => expect(recorder.isSampled()).toBe(false));
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('an unsampled new trace still has an X-Ray trace id (epoch seconds first) to propagate', () => {
    const { recorder } = recorderWith({ samplingRules: KEEP_NOTHING });
    const segment = recorder.beginSegment('job');
    const epoch = parseInt(segment.traceId.slice(2, 10), 16);
    expect(Math.abs(epoch - Date.now() / 1000)).toBeLessThan(60);
    recorder.endSegment();
  });

  it('samplingRules that keep everything win over a provider sampler that keeps nothing (sampling_rules, Python\'s name)', () => {
    const { recorder, exporter } = recorderWith({ sampling_rules: KEEP_EVERYTHING }, createLocalRulesSampler(KEEP_NOTHING));
    recorder.inSegment('job', () => {
      expect(recorder.isSampled()).toBe(true);
      recorder.inSubsegment('step', () => expect(recorder.is_sampled()).toBe(true));
    });
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['job', 'step']);
  });

  it('an upstream decision wins over the recorder\'s rules; an undecided upstream asks them', () => {
    const { recorder } = recorderWith({ samplingRules: KEEP_NOTHING });
    const kept = recorder.beginSegment('api', { traceId: ROOT, parentId: PARENT, sampled: true });
    expect(recorder.isSampled()).toBe(true);
    recorder.endSegment();
    expect(kept.traceId).toBe(ROOT);
    const asked = recorder.beginSegment('api', { traceId: ROOT, parentId: PARENT });
    expect(recorder.isSampled()).toBe(false);
    expect(asked.traceId).toBe(ROOT);
    recorder.endSegment();
  });

  it('without rules of its own, an undecided upstream is decided by the provider\'s X-Ray sampler', () => {
    const { recorder } = recorderWith({}, createLocalRulesSampler(KEEP_NOTHING));
    recorder.beginSegment('api', { traceId: ROOT, parentId: PARENT });
    expect(recorder.isSampled()).toBe(false);
    recorder.endSegment();
    recorder.beginSegment('api', { traceId: ROOT, parentId: PARENT, sampled: true });
    expect(recorder.isSampled()).toBe(true);
    recorder.endSegment();
  });

  it('sampling: false traces everything, upstream "not sampled" and rules included', () => {
    const { recorder, exporter } = recorderWith({ sampling: false, samplingRules: KEEP_NOTHING }, createLocalRulesSampler(KEEP_NOTHING));
    recorder.beginSegment('api', { traceId: ROOT, parentId: PARENT, sampled: false });
    expect(recorder.isSampled()).toBe(true);
    recorder.endSegment();
    recorder.inSegment('job', () => expect(recorder.isSampled()).toBe(true));
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  const HEALTH_OFF = {
    version: 2 as const,
    rules: [{ host: '*', http_method: 'GET', url_path: '/health', fixed_target: 0, rate: 0 }],
    default: { fixed_target: 0, rate: 1 },
  };

  it('a middleware\'s request (http: method, url) is matched by the recorder\'s rules and recorded on the segment', () => {
    const { recorder, exporter } = recorderWith({ samplingRules: HEALTH_OFF });
    recorder.inSegment('shop', () => expect(recorder.isSampled()).toBe(false), { http: { method: 'GET', url: 'http://shop.example.com/health' } });
    recorder.inSegment('shop', () => expect(recorder.isSampled()).toBe(true), { http: { method: 'GET', url: 'http://shop.example.com/orders?id=1' } });
    recorder.inSegment('shop', () => expect(recorder.isSampled()).toBe(true), { http: { method: 'POST', url: 'http://shop.example.com/health' } });
    const docs = toSegmentDocuments(exporter.getFinishedSpans());
    expectValidDocuments(docs);
    expect(docs.map((d) => d.http?.request)).toEqual([
      expect.objectContaining({ method: 'GET', url: 'http://shop.example.com/orders?id=1' }),
      expect.objectContaining({ method: 'POST', url: 'http://shop.example.com/health' }),
    ]);
  });

  it('the same request reaches the provider\'s sampler when the recorder has no rules of its own', () => {
    const { recorder } = recorderWith({}, createLocalRulesSampler(HEALTH_OFF));
    recorder.inSegment('shop', () => expect(recorder.isSampled()).toBe(false), { http: { method: 'GET', url: 'http://shop.example.com/health' } });
    recorder.inSegment('shop', () => expect(recorder.isSampled()).toBe(true), { http: { method: 'GET', url: 'http://shop.example.com/' } });
  });

  it('bad rules are reported and change nothing; the rules before stay', () => {
    const { recorder, logger } = recorderWith({ samplingRules: KEEP_NOTHING });
    recorder.configure({ samplingRules: '/nonexistent/rules.json' });
    recorder.configure({ samplingRules: { version: 2, default: { fixed_target: 1, rate: 7 } } });
    expect(logger.warnings()).toEqual([
      expect.stringContaining('cannot read sampling rules /nonexistent/rules.json: ENOENT'),
      expect.stringContaining('default."rate" must be between 0 and 1, got 7'),
    ]);
    recorder.inSegment('job', () => expect(recorder.isSampled()).toBe(false));
  });
});
