import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityDocument } from '../src/exporter/document.js';
import { shrinkToFit } from '../src/exporter/shrink.js';
import { leastBytes, leastShrunkBytes } from '../src/exporter/size-bounds.js';

const utf8 = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '');

const metadataValue = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.double(), fc.boolean(), fc.jsonValue({ maxDepth: 3 }));
const documentArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 40 }),
  id: fc.constant('0123456789abcdef'),
  start_time: fc.double({ min: 0, max: 2e9, noNaN: true }),
  annotations: fc.option(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 300 }), fc.integer())), { nil: undefined }),
  metadata: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.dictionary(fc.string({ maxLength: 30 }), metadataValue, { maxKeys: 40 }), { maxKeys: 3 }), { nil: undefined }),
}, { requiredKeys: ['name', 'id', 'start_time'] }) as fc.Arbitrary<EntityDocument>;

describe('size bounds', () => {
  it('leastBytes never exceeds the UTF-8 size of the JSON', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (v) => {
      let size: number;
      try {
        size = utf8(v);
      } catch {
        return; // what JSON cannot write (bigint, cycles) has no size to bound
      }
      expect(leastBytes(v)).toBeLessThanOrEqual(size);
    }), { numRuns: 2000 });
  });

  it('leastShrunkBytes never exceeds the size of what shrinking makes of a document', () => {
    fc.assert(fc.property(documentArb, fc.integer({ min: 200, max: 20_000 }), (doc, limit) => {
      const shrunk = shrinkToFit(doc, limit);
      if (shrunk !== undefined) expect(leastShrunkBytes(doc)).toBeLessThanOrEqual(shrunk.bytes);
    }), { numRuns: 1000 });
  });
});

describe('shrinkToFit', () => {
  it('leaves the document it is given untouched, and returns JSON exactly as JSON.stringify writes its result', () => {
    fc.assert(fc.property(documentArb, fc.integer({ min: 200, max: 20_000 }), (doc, limit) => {
      const before = JSON.stringify(doc);
      const shrunk = shrinkToFit(doc, limit);
      expect(JSON.stringify(doc)).toBe(before);
      if (shrunk === undefined) return;
      expect(shrunk.json).toBe(JSON.stringify(shrunk.doc));
      expect(shrunk.bytes).toBe(Buffer.byteLength(shrunk.json));
      expect(shrunk.bytes).toBeLessThanOrEqual(limit);
    }), { numRuns: 1000 });
  });
});
