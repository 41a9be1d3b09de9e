import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it, vi } from 'vitest';
import { assembleDocuments } from '../src/exporter/assemble.js';
import type { EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import { resolveTranslateOptions, type TranslateOptions } from '../src/exporter/options.js';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { DAEMON_HEADER_BYTES } from '../src/transport/header.js';
import { expectValidDocuments } from './support/schema.js';
import { exceptionEvent, fakeSpan, spanId } from './support/spans.js';

function assemble(spans: ReadableSpan[], options?: TranslateOptions) {
  const result = assembleDocuments(spans, resolveTranslateOptions(options), { objects: true });
  const documents = result.documents.map((d) => ({ ...d, doc: d.doc! }));
  expectValidDocuments(documents.map((d) => d.doc));
  return { ...result, documents };
}

/** root (SERVER) → a → a1, and root → b, all in one batch. */
function smallTrace() {
  const root = spanId();
  const a = spanId();
  const spans = [
    fakeSpan({ name: 'a1', spanId: spanId(), parentSpanId: a, startTime: [1700000000, 300000000] }),
    fakeSpan({ name: 'b', spanId: spanId(), parentSpanId: root, kind: SpanKind.CLIENT, startTime: [1700000000, 400000000] }),
    fakeSpan({ name: 'a', spanId: a, parentSpanId: root, startTime: [1700000000, 200000000] }),
    // INTERNAL, so the segment keeps the span name (a SERVER segment is named after the service).
    fakeSpan({ name: 'root', spanId: root, kind: SpanKind.INTERNAL }),
  ];
  return { root, a, spans };
}

const names = (d: EntityDocument): unknown => ({ name: d.name, subsegments: d.subsegments?.map(names) });

describe('nesting within one export', () => {
  it('embeds children in their parent, recursively, in start-time order, in one document', () => {
    const { spans } = smallTrace();
    const { documents } = assemble(spans);
    expect(documents).toHaveLength(1);
    expect(names(documents[0]!.doc)).toEqual({
      name: 'root',
      subsegments: [{ name: 'a', subsegments: [{ name: 'a1', subsegments: undefined }] }, { name: 'b', subsegments: undefined }],
    });
  });

  it('embedded subsegments carry neither type, trace_id nor parent_id', () => {
    const { spans } = smallTrace();
    const doc = assemble(spans).documents[0]!.doc;
    for (const sub of doc.subsegments ?? []) {
      expect(sub).not.toHaveProperty('type');
      expect(sub).not.toHaveProperty('trace_id');
      expect(sub).not.toHaveProperty('parent_id');
    }
  });

  it('nest: false sends every span on its own', () => {
    const { spans, root, a } = smallTrace();
    const docs = toSegmentDocuments(spans, { nest: false });
    expectValidDocuments(docs);
    expect(docs).toHaveLength(4);
    expect(docs.find((d) => d.name === 'a')).toMatchObject({ type: 'subsegment', parent_id: root });
    expect(docs.find((d) => d.name === 'a1')).toMatchObject({ type: 'subsegment', parent_id: a });
    expect(docs.every((d) => d.subsegments === undefined)).toBe(true);
  });

  it('a SERVER span whose parent is in the batch stays a segment of its own', () => {
    const parent = spanId();
    const docs = toSegmentDocuments([
      fakeSpan({ name: 'client', spanId: parent, kind: SpanKind.CLIENT }),
      fakeSpan({ name: 'server', parentSpanId: parent, kind: SpanKind.SERVER, resource: { 'service.name': 'api' } }),
    ]);
    expect(docs).toHaveLength(2);
    const server = docs.find((d) => d.name === 'api');
    expect(server).toMatchObject({ parent_id: parent });
    expect(server!.type).toBeUndefined();
  });

  it('a parent cycle in corrupt input neither hangs nor loses a span', () => {
    const x = spanId();
    const y = spanId();
    const docs = toSegmentDocuments([
      fakeSpan({ name: 'x', spanId: x, parentSpanId: y }),
      fakeSpan({ name: 'y', spanId: y, parentSpanId: x }),
    ]);
    expectValidDocuments(docs);
    const all: string[] = [];
    const walk = (d: EntityDocument) => {
      all.push(d.name);
      d.subsegments?.forEach(walk);
    };
    docs.forEach(walk);
    expect(all.sort()).toEqual(['x', 'y']);
  });
});

describe('what is sent is what toSegmentDocuments returns', () => {
  it('the exporter\'s path (no objects) sends the very same JSON', () => {
    const { spans } = smallTrace();
    for (const nest of [true, false]) {
      const withObjects = assemble(spans, { nest, maxDatagramBytes: 2048 }).documents.map((d) => d.json);
      const jsonOnly = assembleDocuments(spans, resolveTranslateOptions({ nest, maxDatagramBytes: 2048 })).documents;
      expect(jsonOnly.map((d) => d.json)).toEqual(withObjects);
      expect(jsonOnly.every((d) => d.doc === undefined)).toBe(true);
    }
  });

  it('the same JSON for a batch of every kind: exceptions, oversized spans, parents missing, nested and not', () => {
    const { spans, root } = smallTrace();
    const stack = ['Error: boom', ...Array.from({ length: 30 }, (_, i) => `    at fn${i} (/srv/app/file${i}.js:${i + 1}:7)`)].join('\n');
    spans.push(
      fakeSpan({ name: 'failed', parentSpanId: root, events: [exceptionEvent('Error', 'boom', stack)] }),
      fakeSpan({ name: 'failed alone', events: [exceptionEvent('TypeError', 'bad', stack)] }),
      fakeSpan({ name: 'huge', parentSpanId: root, attributes: { blob: 'b'.repeat(5000) } }),
      fakeSpan({ name: 'orphan', parentSpanId: spanId() }),
    );
    for (const nest of [true, false]) {
      const withObjects = assemble(spans, { nest, maxDatagramBytes: 2048 }).documents.map((d) => d.json);
      const jsonOnly = assembleDocuments(spans, resolveTranslateOptions({ nest, maxDatagramBytes: 2048, logger: { debug() {}, info() {}, warn() {}, error() {} } })).documents;
      const ids = (json: string) => json.replace(/"(id|cause)":"[0-9a-f]{16}"/g, '"$1":"…"'); // exception ids are random
      expect(jsonOnly.map((d) => ids(d.json))).toEqual(withObjects.map(ids));
    }
  });

  it('the JSON is exactly JSON.stringify of the document, and its byte count is exact', () => {
    const { spans } = smallTrace();
    spans.push(fakeSpan({ name: 'ünïcödé ✓', attributes: { emoji: '😀'.repeat(10) } }));
    for (const nest of [true, false]) {
      for (const d of assemble(spans, { nest }).documents) {
        expect(d.json).toBe(JSON.stringify(d.doc));
        expect(d.bytes).toBe(Buffer.byteLength(d.json));
      }
    }
  });
});

describe('the size guarantee', () => {
  const limit = 4096;

  function fits(d: { bytes: number }) {
    expect(DAEMON_HEADER_BYTES + d.bytes).toBeLessThanOrEqual(limit);
  }

  it('children that do not fit in the parent are sent as independent subsegments of it', () => {
    const root = spanId();
    const spans = [fakeSpan({ name: 'root', spanId: root, kind: SpanKind.SERVER })];
    for (let i = 0; i < 40; i++) {
      spans.push(fakeSpan({ name: `child${i}`, parentSpanId: root, attributes: { payload: 'x'.repeat(300) } }));
    }
    const { documents } = assemble(spans, { maxDatagramBytes: limit });
    documents.forEach(fits);
    expect(documents.length).toBeGreaterThan(1);
    const independent = documents.filter((d) => d.doc.type === 'subsegment');
    expect(independent.length).toBeGreaterThan(0);
    for (const d of independent) expect(d.doc.parent_id).toBe(root);
    const count = (d: EntityDocument): number => 1 + (d.subsegments ?? []).reduce((n, s) => n + count(s), 0);
    expect(documents.reduce((n, d) => n + count(d.doc), 0)).toBe(41);
  });

  it('a span too large on its own gives up metadata first, largest value first, and says so', () => {
    const warn = vi.fn();
    const { documents } = assemble(
      [fakeSpan({ name: 'big', attributes: { small: 'keep me', huge: 'y'.repeat(10_000) } })],
      { maxDatagramBytes: limit, logger: { debug() {}, info() {}, warn, error() {} } },
    );
    expect(documents).toHaveLength(1);
    fits(documents[0]!);
    const md = documents[0]!.doc.metadata!.default!;
    expect(md.small).toBe('keep me');
    expect(md.huge).toMatch(/^\[truncated by xray-otel-bridge: \d+ bytes\]$/);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('shrank span "big"'));
  });

  it('then exception stacks, counting the frames it cut', () => {
    const stack = ['Error: boom', ...Array.from({ length: 50 }, (_, i) => `    at fn${i} (/srv/app/${'deep/'.repeat(20)}file${i}.js:${i + 1}:7)`)].join('\n');
    const { documents } = assemble(
      [fakeSpan({ name: 'boom', events: [exceptionEvent('Error', 'boom', stack)] })],
      { maxDatagramBytes: limit },
    );
    fits(documents[0]!);
    const cause = documents[0]!.doc.cause;
    const ex = typeof cause === 'object' ? cause.exceptions?.[0] : undefined;
    expect(ex?.message).toBe('boom');
    expect(ex?.stack ?? []).toHaveLength(0);
    expect(ex?.truncated).toBe(50);
  });

  it('then annotation strings', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 8; i++) attributes[`note${i}`] = 'z'.repeat(900);
    const { documents } = assemble([fakeSpan({ attributes })], { maxDatagramBytes: limit, indexAllAttributes: true });
    fits(documents[0]!);
    const annotations = documents[0]!.doc.annotations!;
    expect(Object.keys(annotations)).toHaveLength(8);
    expect(Object.values(annotations).some((v) => typeof v === 'string' && v.length < 900)).toBe(true);
  });

  it('never emits a datagram over the limit, even for a huge URL no rule names', () => {
    const { documents } = assemble(
      [fakeSpan({ kind: SpanKind.SERVER, attributes: { 'url.full': 'https://example.com/?' + 'q'.repeat(100_000) } })],
      { maxDatagramBytes: limit },
    );
    expect(documents).toHaveLength(1);
    fits(documents[0]!);
  });

  it('the default limit is 64,000 bytes per datagram', () => {
    const root = spanId();
    const spans: ReadableSpan[] = [fakeSpan({ name: 'root', spanId: root, kind: SpanKind.SERVER })];
    for (let i = 0; i < 300; i++) spans.push(fakeSpan({ parentSpanId: root, attributes: { blob: 'b'.repeat(1000) } }));
    const { documents } = assemble(spans);
    for (const d of documents) expect(DAEMON_HEADER_BYTES + d.bytes).toBeLessThanOrEqual(64_000);
    expect(Math.max(...documents.map((d) => d.bytes))).toBeGreaterThan(50_000);
  });

  it('a span with 10,000 large attributes is shrunk to fit, or dropped with a warning, never sent oversized', () => {
    const warn = vi.fn();
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) attributes[`attr.${i}`] = `${i}:`.padEnd(200, 'v');
    const result = assemble([fakeSpan({ name: 'wide', attributes })], { logger: { debug() {}, info() {}, warn, error() {} } });
    for (const d of result.documents) expect(DAEMON_HEADER_BYTES + d.bytes).toBeLessThanOrEqual(64_000);
    expect(result.documents.length + result.dropped).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(result.dropped === 1 ? /dropped a span.*"wide"/ : /shrank span "wide"/));
  });

  it('a span with 1,000 exception events is shrunk to fit, or dropped with a warning', () => {
    const warn = vi.fn();
    const stack = ['Error: retry', ...Array.from({ length: 20 }, (_, i) => `    at step${i} (/srv/app/retry.js:${i + 1}:3)`)].join('\n');
    const events = Array.from({ length: 1000 }, (_, i) => exceptionEvent('Error', `attempt ${i} failed`, stack));
    const result = assemble([fakeSpan({ name: 'retries', events })], { logger: { debug() {}, info() {}, warn, error() {} } });
    for (const d of result.documents) expect(DAEMON_HEADER_BYTES + d.bytes).toBeLessThanOrEqual(64_000);
    expect(result.documents.length + result.dropped).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(result.dropped === 1 ? /dropped a span.*"retries"/ : /shrank span "retries"/));
  });

  it('shrinks a metadata value stored under the key __proto__ like any other', () => {
    const { documents } = assemble([fakeSpan({ name: 'proto', attributes: { ['__proto__']: 'p'.repeat(10_000), small: 'keep me' } })], {
      maxDatagramBytes: limit,
    });
    fits(documents[0]!);
    const md = documents[0]!.doc.metadata!.default!;
    expect(Object.getOwnPropertyDescriptor(md, '__proto__')?.value).toMatch(/^\[truncated by xray-otel-bridge: \d+ bytes\]$/);
    expect(md.small).toBe('keep me');
  });

  it('an out-of-range maxDatagramBytes is clamped to what UDP can carry, with a warning', () => {
    const warn = vi.fn();
    const options = resolveTranslateOptions({ maxDatagramBytes: 1_000_000, logger: { debug() {}, info() {}, warn, error() {} } });
    expect(options.maxDatagramBytes).toBe(65_507);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('1000000'));
  });
});

describe('documents are valid segment documents', () => {
  it('every document of a mixed batch validates against the schema', () => {
    const { spans } = smallTrace();
    const docs: SegmentDocument[] = toSegmentDocuments(spans);
    expectValidDocuments(docs);
  });
});
