import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleDocuments } from '../src/exporter/assemble.js';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { DAEMON_HEADER } from '../src/transport/header.js';
import { splitDatagram } from '../src/transport/header.js';
import { schemaErrors } from './support/schema.js';
import { fakeSpan, spanId } from './support/spans.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'a.b', 'aws.xray.annotations',
    'aws.xray.metadata.default', 'aws.xray.metadata.x', 'http.response.status_code', 'url.full', 'db.system',
    'db.statement', 'enduser.id', 'aws.xray.fault', 'rpc.system', 'peer.service', 'server.address'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const attrValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ minLength: 2000, maxLength: 20_000 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
  fc.array(fc.double(), { maxLength: 5 }),
  fc.constantFrom('{"a":1}', '[1,2]', 'not json', 'null', 'postgresql', 'aws-api', '429', '500'),
);
const attributes = fc.dictionary(hostileKey, attrValue, { maxKeys: 30 }) as fc.Arbitrary<Attributes>;
const event = fc.record({
  name: fc.constantFrom('exception', 'log', ''),
  attributes: fc.dictionary(
    fc.constantFrom('exception.type', 'exception.message', 'exception.stacktrace', 'other'),
    fc.oneof(fc.string({ maxLength: 3000 }), fc.integer()),
  ),
});

const spanArb = fc.record({
  name: fc.string({ maxLength: 300 }),
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  hasParent: fc.boolean(),
  attributes,
  resource: attributes,
  events: fc.array(event, { maxLength: 3 }),
  status: fc.record({ code: fc.constantFrom(SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR), message: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }) }),
});

describe('the translator under arbitrary input', () => {
  it('never throws, and every datagram is valid and within maxDatagramBytes', () => {
    fc.assert(
      fc.property(
        fc.array(spanArb, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom(2048, 8192, 64_000),
        fc.boolean(),
        (inits, nest, maxDatagramBytes, indexAllAttributes) => {
          const root = spanId();
          const spans = inits.map((s, i) =>
            fakeSpan({
              name: s.name,
              kind: s.kind,
              spanId: i === 0 ? root : spanId(),
              parentSpanId: i > 0 && s.hasParent ? root : undefined,
              attributes: s.attributes,
              resource: s.resource,
              events: s.events.map((e) => ({ ...e, time: [1700000000, 0] as [number, number], droppedAttributesCount: 0 })),
              status: s.status,
            }),
          );
          const options = resolveTranslateOptions({ nest, maxDatagramBytes, indexAllAttributes, logger: silent });
          const { documents, dropped } = assembleDocuments(spans, options, { objects: true });
          expect(dropped).toBe(0);
          for (const d of documents) {
            const datagram = Buffer.from(DAEMON_HEADER + d.json);
            expect(datagram.length).toBeLessThanOrEqual(maxDatagramBytes);
            const verdict = splitDatagram(datagram);
            expect(verdict.ok).toBe(true);
            const parsed = JSON.parse(verdict.ok ? verdict.body : 'null');
            expect(schemaErrors(parsed)).toEqual([]);
            expect(parsed).toEqual(JSON.parse(JSON.stringify(d.doc)));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
