import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { stripUrlUserinfo } from '../src/exporter/translate/credentials.js';
import { expectValidDocuments } from './support/schema.js';
import { fakeSpan, spanId } from './support/spans.js';

const SECRET = 'S3cret';

function documentText(attributes: Record<string, string>, kind = SpanKind.CLIENT, indexAllAttributes = false) {
  const docs = toSegmentDocuments([fakeSpan({ kind, parentSpanId: spanId(), attributes })], { indexAllAttributes });
  expectValidDocuments(docs);
  return JSON.stringify(docs);
}

describe('no password is ever recorded', () => {
  it('an HTTP URL loses its userinfo', () => {
    const text = documentText({ 'http.request.method': 'GET', 'url.full': `https://bob:${SECRET}@api.example.com/x?y=1` });
    expect(text).not.toContain(SECRET);
    expect(text).toContain('"url":"https://api.example.com/x?y=1"');
  });

  it('a connection string of a database that has no sql block is stripped in metadata', () => {
    for (const [system, conn] of [
      ['mongodb', `mongodb://admin:${SECRET}@db.internal:27017/app`],
      ['redis', `redis://:${SECRET}@cache:6379`],
      ['cassandra', `Host=c1;Password=${SECRET};Keyspace=k`],
    ]) {
      const text = documentText({ 'db.system': system!, 'db.connection_string': conn! });
      expect(text, system).not.toContain(SECRET);
      expect(text, system).toContain('db.connection_string');
    }
  });

  it('a second URL attribute that no block used is stripped too', () => {
    const text = documentText({ 'http.request.method': 'GET', 'url.full': 'https://a.example/', 'http.url': `https://u:${SECRET}@b.example/` });
    expect(text).not.toContain(SECRET);
  });

  it('indexing every attribute does not bring a password back as an annotation', () => {
    const text = documentText({ 'db.system': 'mongodb', 'db.connection_string': `mongodb://admin:${SECRET}@db/app` }, SpanKind.CLIENT, true);
    expect(text).not.toContain(SECRET);
  });

  it('a URL without userinfo is returned as it is', () => {
    const url = 'https://example.com/a@b';
    expect(stripUrlUserinfo('https://example.com/path')).toBe('https://example.com/path');
    expect(stripUrlUserinfo(url)).toBe(url);
  });
});

describe('SQL databases named the way X-Ray SDK users name them', () => {
  it.each(['Microsoft SQL Server', 'PostgreSQL', 'MySQL', 'postgres'])('%s gets an sql block', (system) => {
    const docs = toSegmentDocuments([fakeSpan({ kind: SpanKind.CLIENT, parentSpanId: spanId(), attributes: { 'db.system.name': system, 'db.query.text': 'SELECT 1' } })], { collectSqlQueries: true });
    expectValidDocuments(docs);
    expect(docs[0]!.sql).toMatchObject({ database_type: system, sanitized_query: 'SELECT 1' });
  });
});
