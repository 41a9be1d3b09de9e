import { SpanKind, type Attributes, type AttributeValue } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotationsAndMetadata } from '../src/exporter/translate/annotations.js';
import { createContext } from '../src/exporter/translate/context.js';
import { resolveTranslateOptions, type TranslateOptions } from '../src/exporter/options.js';
import type { Logger } from '../src/logger.js';
import { expectValidDocument, schemaErrors } from './support/schema.js';
import { fakeSpan, spanId, XRAY_TRACE_ID } from './support/spans.js';

interface Setup {
  /** A segment carries resource attributes; a subsegment (the default here) does not. */
  isSegment?: boolean;
  resource?: Attributes;
  /** Keys some earlier block turned into X-Ray fields. */
  consumed?: string[];
  options?: TranslateOptions;
}

function translate(attributes: Attributes, setup: Setup = {}) {
  const isSegment = setup.isSegment === true;
  const span = fakeSpan({
    kind: isSegment ? SpanKind.SERVER : SpanKind.CLIENT,
    parentSpanId: isSegment ? undefined : spanId(),
    attributes,
    resource: setup.resource ?? {},
  });
  const ctx = createContext(span, isSegment, resolveTranslateOptions(setup.options));
  for (const key of setup.consumed ?? []) ctx.consumed.add(key);
  return annotationsAndMetadata(ctx);
}

function document(result: ReturnType<typeof annotationsAndMetadata>): object {
  return { name: 'test', id: spanId(), trace_id: XRAY_TRACE_ID, start_time: 1700000000.1, end_time: 1700000001.5, ...result };
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
}

// The Collector's awsxrayexporter test fixture resource (constructDefaultResource), minus OTLP map values, which JS attributes cannot hold.
const collectorResource: Attributes = {
  'service.name': 'signup_aggregator',
  'cloud.provider': 'aws',
  'string.key': 'string',
  'int.key': 10,
  'double.key': 5.5,
  'bool.key': true,
  'array.key': ['foo', 'bar'],
};

describe('annotationsAndMetadata', () => {
  describe('Collector cases', () => {
    it('keeps attributes as metadata unless indexed, and resource attributes as otel.resource.* on segments (TestSpanWithAttributesDefaultNotIndexed)', () => {
      const out = translate({ 'attr1@1': 'val1', 'attr2@2': 'val2' }, { isSegment: true, resource: collectorResource });
      expect(out.annotations).toBeUndefined();
      expect(out.metadata?.default).toMatchObject({
        'attr1@1': 'val1',
        'attr2@2': 'val2',
        'otel.resource.string.key': 'string',
        'otel.resource.int.key': 10,
        'otel.resource.double.key': 5.5,
        'otel.resource.bool.key': true,
        'otel.resource.array.key': ['foo', 'bar'],
      });
      expectValidDocument(document(out));
    });

    it('does not store resource attributes on subsegments (TestSpanWithResourceNotStoredIfSubsegment)', () => {
      const out = translate({ 'attr1@1': 'val1', 'attr2@2': 'val2' }, { resource: collectorResource });
      expect(out.metadata).toEqual({ default: { 'attr1@1': 'val1', 'attr2@2': 'val2' } });
    });

    it('annotates the keys of the indexedAttributes option and sanitizes them (TestSpanWithAttributesPartlyIndexed)', () => {
      const out = translate({ 'attr1@1': 'val1', 'attr2@2': 'val2' }, { options: { indexedAttributes: ['attr1@1', 'not_exist'] } });
      expect(out.annotations).toEqual({ attr1_1: 'val1' });
      expect(out.metadata).toEqual({ default: { 'attr2@2': 'val2' } });
    });

    it('annotates the keys listed in aws.xray.annotations and never emits that list (TestSpanWithAnnotationsAttribute)', () => {
      const out = translate({ 'attr1@1': 'val1', 'attr2@2': 'val2', 'aws.xray.annotations': ['attr2@2', 'not_exist'] });
      expect(out.annotations).toEqual({ attr2_2: 'val2' });
      expect(out.metadata).toEqual({ default: { 'attr1@1': 'val1' } });
    });

    it('annotates every attribute with indexAllAttributes (TestSpanWithAttributesAllIndexed)', () => {
      const out = translate({ 'attr1@1': 'val1', 'attr2@2': 'val2' }, { options: { indexedAttributes: ['attr1@1', 'not_exist'], indexAllAttributes: true } });
      expect(out.annotations).toEqual({ attr1_1: 'val1', attr2_2: 'val2' });
      expect(out.metadata).toBeUndefined();
    });

    it('parses aws.xray.metadata.<namespace> JSON and keeps an unparsable value as a string (TestSpanWithAttributesSegmentMetadata)', () => {
      const out = translate({
        'attr1@1': 'val1',
        'aws.xray.metadata.default': '{"custom_key": "custom_value"}',
        'aws.xray.metadata.http': '{"connection":{"reused":false,"was_idle":false}}',
        'aws.xray.metadata.non-xray-sdk': 'retain-value',
      });
      expect(out.annotations).toBeUndefined();
      expect(Object.keys(out.metadata ?? {}).sort()).toEqual(['default', 'http']);
      expect(out.metadata?.default).toEqual({ 'attr1@1': 'val1', custom_key: 'custom_value', 'aws.xray.metadata.non-xray-sdk': 'retain-value' });
      expect(out.metadata?.http).toEqual({ connection: { reused: false, was_idle: false } });
      expectValidDocument(document(out));
    });

    it('annotates explicitly indexed resource attributes; arrays stay metadata (TestResourceAttributesCanBeIndexed)', () => {
      const indexedAttributes = ['otel.resource.string.key', 'otel.resource.int.key', 'otel.resource.double.key', 'otel.resource.bool.key', 'otel.resource.array.key'];
      const out = translate({}, { isSegment: true, resource: collectorResource, options: { indexedAttributes, annotationKeyDots: false } });
      expect(out.annotations).toEqual({
        otel_resource_string_key: 'string',
        otel_resource_int_key: 10,
        otel_resource_double_key: 5.5,
        otel_resource_bool_key: true,
      });
      expect(out.metadata?.default?.['otel.resource.array.key']).toEqual(['foo', 'bar']);
      expectValidDocument(document(out));
    });

    it('neither annotates nor stores resource attributes on subsegments (TestResourceAttributesNotIndexedIfSubsegment)', () => {
      const out = translate({}, { resource: collectorResource, options: { indexedAttributes: ['otel.resource.string.key', 'otel.resource.int.key'] } });
      expect(out).toEqual({});
    });

    it('annotates attributes other blocks consumed when they are listed explicitly (TestSpanWithSpecialAttributesAsListed)', () => {
      const attributes = { 'aws.operation': 'aws_operation_val', 'rpc.method': 'rpc_method_val' };
      const consumed = ['aws.operation', 'rpc.method'];
      const dotless = translate(attributes, { consumed, options: { indexedAttributes: consumed, annotationKeyDots: false } });
      expect(dotless.annotations).toEqual({ aws_operation: 'aws_operation_val', rpc_method: 'rpc_method_val' });
      const listedAndAll = translate(attributes, { consumed, options: { indexedAttributes: consumed, indexAllAttributes: true } });
      expect(listedAndAll.annotations).toEqual({ 'aws.operation': 'aws_operation_val', 'rpc.method': 'rpc_method_val' });
      expect(listedAndAll.metadata).toBeUndefined();
    });

    it('leaves consumed attributes out of annotations and metadata under indexAllAttributes (TestSpanWithSpecialAttributesNotListedAndIndexAll)', () => {
      const out = translate({ 'aws.operation': 'val1', 'rpc.method': 'val2' }, { consumed: ['aws.operation', 'rpc.method'], options: { indexAllAttributes: true } });
      expect(out).toEqual({});
    });

    it('keeps strings, integers, doubles, booleans and arrays as metadata with their types (TestFilteredAttributesMetadata)', () => {
      const out = translate({ string_value: 'value', int_value: 123, float_value: 456.78, bool_value: false, array_value: [12, 34, 56], null_value: undefined });
      expect(out.metadata?.default).toEqual({ string_value: 'value', int_value: 123, float_value: 456.78, bool_value: false, array_value: [12, 34, 56] });
    });

    it('sanitizes annotation keys: Key_1 stays, Key@1 becomes Key_1 (TestFixAnnotationKey)', () => {
      const out = translate({ Key_1: 'a', 'Key@1': 'b' }, { options: { indexAllAttributes: true } });
      expect(out.annotations).toEqual({ Key_1: 'a' });
      expect(out.metadata).toEqual({ default: { 'Key@1': 'b' } });
    });
  });

  describe('annotation keys', () => {
    it('keep dots by default, as X-Ray accepts today', () => {
      expect(translate({ 'http.route': '/x' }, { options: { indexAllAttributes: true } }).annotations).toEqual({ 'http.route': '/x' });
    });

    it('map dots to underscores with annotationKeyDots: false', () => {
      expect(translate({ 'http.route': '/x' }, { options: { indexAllAttributes: true, annotationKeyDots: false } }).annotations).toEqual({ http_route: '/x' });
    });

    it('replace each other character, including non-ASCII letters, with one underscore per code point', () => {
      const out = translate({ 'ключ-1': 1, 'a😀b': 2, 'sp ace': 3 }, { options: { indexAllAttributes: true } });
      expect(out.annotations).toEqual({ _____1: 1, a_b: 2, sp_ace: 3 });
    });

    it('are cut to 500 characters', () => {
      const out = translate({ ['k'.repeat(600)]: 'v' }, { options: { indexAllAttributes: true } });
      expect(Object.keys(out.annotations ?? {})).toEqual(['k'.repeat(500)]);
      expectValidDocument(document(out));
    });

    it('send an empty key to metadata, as it cannot be an annotation', () => {
      const out = translate({ '': 'v' }, { options: { indexAllAttributes: true } });
      expect(out.annotations).toBeUndefined();
      expect(out.metadata).toEqual({ default: { '': 'v' } });
    });

    it('that collide keep the first in attribute order and send the rest to metadata under their original keys', () => {
      const out = translate({ 'a@b': 1, 'a#b': 2, a_b: 3 }, { options: { indexAllAttributes: true } });
      expect(out.annotations).toEqual({ a_b: 1 });
      expect(out.metadata).toEqual({ default: { 'a#b': 2, a_b: 3 } });
      const reversed = translate({ a_b: 3, 'a#b': 2, 'a@b': 1 }, { options: { indexAllAttributes: true } });
      expect(reversed.annotations).toEqual({ a_b: 3 });
    });
  });

  describe('annotation values', () => {
    const indexAll: Setup = { options: { indexAllAttributes: true } };

    it('accept strings, finite numbers and booleans', () => {
      expect(translate({ s: 'x', i: 7, d: -1.5, b: false, z: 0 }, indexAll).annotations).toEqual({ s: 'x', i: 7, d: -1.5, b: false, z: 0 });
    });

    it('cut strings to 1000 code points without splitting a surrogate pair', () => {
      const astral = '\u{1D49C}';
      const out = translate({ ascii: 'x'.repeat(1500), astral: astral.repeat(1001) }, indexAll);
      expect(out.annotations?.ascii).toBe('x'.repeat(1000));
      expect(out.annotations?.astral).toBe(astral.repeat(1000));
      expectValidDocument(document(out));
    });

    it('send arrays, NaN and infinities to metadata instead, never losing them', () => {
      const out = translate({ arr: ['a', 'b'], nan: NaN, inf: Infinity, ninf: -Infinity, ok: 1 }, indexAll);
      expect(out.annotations).toEqual({ ok: 1 });
      expect(out.metadata?.default).toEqual({ arr: ['a', 'b'], nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' });
    });

    it('keep non-finite numbers inside metadata arrays as strings, since JSON would turn them into null', () => {
      const out = translate({ mixed: [1, NaN, Infinity] });
      expect(out.metadata?.default?.mixed).toEqual([1, 'NaN', 'Infinity']);
    });
  });

  describe('the limit of 50 annotations per document', () => {
    it('keeps the first 50 in attribute order, moves the rest to metadata, and warns once', () => {
      const attributes: Attributes = {};
      for (let i = 0; i < 60; i++) attributes[`k${i}`] = i;
      const logger = recordingLogger();
      const options = resolveTranslateOptions({ indexAllAttributes: true, logger });
      const run = () => {
        const ctx = createContext(fakeSpan({ attributes, parentSpanId: spanId(), kind: SpanKind.CLIENT }), false, options);
        return annotationsAndMetadata(ctx);
      };
      const out = run();
      expect(Object.keys(out.annotations ?? {})).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
      expect(out.metadata?.default).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${50 + i}`, 50 + i])));
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/50/);
      run();
      expect(logger.warnings).toHaveLength(1);
      expectValidDocument(document(out));
    });

    it('does not warn at exactly 50', () => {
      const attributes: Attributes = {};
      for (let i = 0; i < 50; i++) attributes[`k${i}`] = i;
      const logger = recordingLogger();
      const out = translate(attributes, { options: { indexAllAttributes: true, logger } });
      expect(Object.keys(out.annotations ?? {})).toHaveLength(50);
      expect(logger.warnings).toEqual([]);
    });
  });

  describe('aws.xray.metadata.<namespace>', () => {
    it('merges the default namespace into metadata.default whatever its case', () => {
      const out = translate({ 'aws.xray.metadata.DEFAULT': '{"a":1}', 'aws.xray.metadata.Default': '{"b":2}' });
      expect(out.metadata).toEqual({ default: { a: 1, b: 2 } });
    });

    it('keeps values that are not a JSON object as strings under metadata.default[<full key>]', () => {
      const out = translate({
        'aws.xray.metadata.broken': '{not json',
        'aws.xray.metadata.array': '[1,2]',
        'aws.xray.metadata.string': '"str"',
        'aws.xray.metadata.null': 'null',
        'aws.xray.metadata.default': '42',
      });
      expect(out.metadata).toEqual({
        default: {
          'aws.xray.metadata.broken': '{not json',
          'aws.xray.metadata.array': '[1,2]',
          'aws.xray.metadata.string': '"str"',
          'aws.xray.metadata.null': 'null',
          'aws.xray.metadata.default': '42',
        },
      });
    });

    it('keeps a non-string value or an empty namespace under the full key', () => {
      const out = translate({ 'aws.xray.metadata.count': 3, 'aws.xray.metadata.': '{"a":1}' });
      expect(out.metadata).toEqual({ default: { 'aws.xray.metadata.count': 3, 'aws.xray.metadata.': '{"a":1}' } });
    });

    it('lets an attribute set directly on the span win over the same key in the default namespace, in any order', () => {
      expect(translate({ k: 'direct', 'aws.xray.metadata.default': '{"k":"json","j":1}' }).metadata?.default).toEqual({ k: 'direct', j: 1 });
      expect(translate({ 'aws.xray.metadata.default': '{"k":"json","j":1}', k: 'direct' }).metadata?.default).toEqual({ k: 'direct', j: 1 });
    });

    it('is never turned into an annotation, even with indexAllAttributes', () => {
      const out = translate({ 'aws.xray.metadata.http': '{"a":1}', 'aws.xray.annotations': ['x'], x: 'y' }, { options: { indexAllAttributes: true } });
      expect(out.annotations).toEqual({ x: 'y' });
      expect(out.metadata).toEqual({ http: { a: 1 } });
    });
  });

  describe('the aws.xray.annotations list', () => {
    it('also accepts a single key as a string', () => {
      expect(translate({ 'aws.xray.annotations': 'user', user: 'alice' }).annotations).toEqual({ user: 'alice' });
    });

    it('ignores non-string entries', () => {
      const out = translate({ 'aws.xray.annotations': [null, 'a', undefined] as unknown as AttributeValue, a: 1 });
      expect(out.annotations).toEqual({ a: 1 });
    });

    it('is not emitted anywhere, whatever its shape', () => {
      for (const listed of [['a'], 'a', 5, [1, 2]] as AttributeValue[]) {
        const out = translate({ 'aws.xray.annotations': listed }, { isSegment: true, options: { indexAllAttributes: true } });
        expect(JSON.stringify(out)).not.toContain('aws.xray.annotations');
      }
    });
  });

  describe('metadata', () => {
    it('skips attributes that other blocks consumed', () => {
      const out = translate({ 'http.method': 'GET', custom: 'x' }, { consumed: ['http.method'] });
      expect(out.metadata).toEqual({ default: { custom: 'x' } });
    });

    it('keeps a span attribute named like a resource one ahead of the resource attribute', () => {
      const out = translate({ 'otel.resource.service.name': 'span-level' }, { isSegment: true, resource: { 'service.name': 'svc' } });
      expect(out.metadata?.default).toEqual({ 'otel.resource.service.name': 'span-level' });
    });

    it('omits both fields when there is nothing to report', () => {
      const out = translate({});
      expect(out).toEqual({});
      expect('annotations' in out).toBe(false);
      expect('metadata' in out).toBe(false);
    });
  });

  describe('hostile keys', () => {
    const hostile = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

    function withKeys(value: (key: string) => AttributeValue): Attributes {
      // Object.fromEntries defines `__proto__` as an own key, as an attribute map from the wire would have it.
      return Object.fromEntries(hostile.map((k) => [k, value(k)]));
    }

    it('are stored as own data properties of metadata.default without touching any prototype', () => {
      const out = translate(withKeys((k) => `v-${k}`));
      const d = out.metadata?.default ?? {};
      for (const k of hostile) {
        expect(Object.hasOwn(d, k)).toBe(true);
        expect(d[k]).toBe(`v-${k}`);
      }
      expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)['v-__proto__']).toBeUndefined();
      expect(JSON.parse(JSON.stringify(out)).metadata.default).toEqual(Object.fromEntries(hostile.map((k) => [k, `v-${k}`])));
    });

    it('become own annotation keys when indexed', () => {
      const out = translate(withKeys(() => 1), { options: { indexAllAttributes: true } });
      const a = out.annotations ?? {};
      expect(Object.keys(a).sort()).toEqual([...hostile].sort());
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
      expectValidDocument(document(out));
    });

    it('are safe as metadata namespaces and inside namespace JSON', () => {
      const out = translate({ 'aws.xray.metadata.__proto__': '{"polluted":true}', 'aws.xray.metadata.default': '{"__proto__":{"polluted":true},"constructor":1}' });
      const metadata = out.metadata ?? {};
      expect(Object.hasOwn(metadata, '__proto__')).toBe(true);
      expect(Object.hasOwn(metadata.default ?? {}, '__proto__')).toBe(true);
      expect(metadata.default?.constructor).toBe(1);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(JSON.stringify(out)).toBe('{"metadata":{"__proto__":{"polluted":true},"default":{"__proto__":{"polluted":true},"constructor":1}}}');
    });
  });

  describe('properties', () => {
    const keyArb = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', '', 'a.b', 'a@b', 'a#b', 'a_b', 'aws.xray.metadata.default', 'aws.xray.metadata.ns', 'otel.resource.x'),
    );
    const scalarArb = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean());
    const valueArb: fc.Arbitrary<AttributeValue | undefined> = fc.oneof(
      scalarArb,
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
      fc.array(fc.double(), { maxLength: 4 }),
      fc.constant(undefined),
      fc.constantFrom('{"a":1}', '{"__proto__":{"x":1}}', '[1]', '{bad'),
    );
    const entriesArb = fc.uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([k]) => k, maxLength: 70 });

    const caseArb = fc.record({
      entries: entriesArb,
      listedPick: fc.array(fc.nat(), { maxLength: 5 }),
      indexedPick: fc.array(fc.nat(), { maxLength: 5 }),
      consumedPick: fc.array(fc.nat(), { maxLength: 5 }),
      indexAll: fc.boolean(),
      dots: fc.boolean(),
      isSegment: fc.boolean(),
    });

    const pick = (keys: string[], picks: number[]) => (keys.length === 0 ? [] : picks.map((i) => keys[i % keys.length] as string));

    it('never throws, emits only valid annotations, and loses no value', () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const keys = c.entries.map(([k]) => k);
          const attributes: Attributes = Object.fromEntries(c.entries);
          const listed = pick(keys, c.listedPick);
          if (listed.length > 0 && !Object.hasOwn(attributes, 'aws.xray.annotations')) attributes['aws.xray.annotations'] = listed;
          const consumed = new Set(pick(keys, c.consumedPick));
          const logger = recordingLogger();
          const out = translate(attributes, {
            isSegment: c.isSegment,
            resource: Object.fromEntries([['service.name', 'svc'], ['__proto__', 'r']]),
            consumed: [...consumed],
            options: { indexedAttributes: pick(keys, c.indexedPick), indexAllAttributes: c.indexAll, annotationKeyDots: c.dots, logger },
          });

          const annotations = out.annotations ?? {};
          const keyPattern = c.dots ? /^[A-Za-z0-9_.]{1,500}$/ : /^[A-Za-z0-9_]{1,500}$/;
          expect(Object.keys(annotations).length).toBeLessThanOrEqual(50);
          for (const [k, v] of Object.entries(annotations)) {
            expect(k).toMatch(keyPattern);
            expect(['string', 'number', 'boolean']).toContain(typeof v);
            if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          }
          expect(schemaErrors(document(out))).toEqual([]);
          expect(() => JSON.stringify(out)).not.toThrow();

          const metadata = out.metadata ?? {};
          const defaults = metadata.default ?? {};
          for (const [key, value] of c.entries) {
            if (value === undefined || key === 'aws.xray.annotations' || consumed.has(key)) continue;
            if (key.startsWith('aws.xray.metadata.')) {
              const ns = key.slice('aws.xray.metadata.'.length);
              const kept = Object.hasOwn(defaults, key) || ns.toLowerCase() === 'default' || Object.hasOwn(metadata, ns);
              expect(kept, key).toBe(true);
              continue;
            }
            const fixedKey = key.replace(c.dots ? /[^A-Za-z0-9_.]/gu : /[^A-Za-z0-9_]/gu, '_').slice(0, 500);
            const asAnnotation = Object.hasOwn(annotations, fixedKey) && Object.is(annotations[fixedKey], value);
            expect(Object.hasOwn(defaults, key) || asAnnotation, key).toBe(true);
          }
          expect(({} as Record<string, unknown>).x).toBeUndefined();
          expect(Object.getPrototypeOf(annotations)).toBe(Object.prototype);
        }),
        { numRuns: 300 },
      );
    });
  });
});
