import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, prepareValidator, validateDatagram, validateDocument } from '../src/local-daemon/validate.js';
import { datagram, HEADER, newId, segment } from './fixtures/daemon-harness.js';

beforeAll(() => prepareValidator());

describe('validateDatagram: the daemon\'s header rules first', () => {
  it.each([
    ['a string version', '{"format":"json","version":"1"}\n{}', 'bad header: "version" must be the number 1, got "1"'],
    ['version 2', '{"format":"json","version":2}\n{}', 'bad header: "version" must be the number 1, got 2'],
    ['another format', '{"format":"xml","version":1}\n{}', 'bad header: "format" must be "json", got "xml"'],
    ['no format', '{"version":1}\n{}', 'bad header: "format" must be "json", got nothing'],
    ['a header that is not JSON', 'format=json\n{}', 'bad header: not JSON: "format=json"'],
    ['a JSON header that is not an object', '"json"\n{}', 'bad header: not a JSON object: "\\"json\\""'],
  ])('rejects %s', (_what, text, reason) => {
    expect(validateDatagram(text)).toEqual({ ok: false, verdict: 'rejected', errors: [reason], warnings: [], document: null, bytes: Buffer.byteLength(text) });
  });

  it('rejects a datagram without a newline and one with only whitespace after the header', () => {
    expect(validateDatagram('{"format":"json","version":1}').errors[0]).toMatch(/^no newline/);
    expect(validateDatagram(HEADER + ' \n ').errors[0]).toMatch(/^empty body/);
  });

  it('counts bytes, not characters', () => {
    const text = datagram(segment({ name: 'café Ürün 注文' }));
    expect(validateDatagram(Buffer.from(text)).bytes).toBe(Buffer.byteLength(text));
    expect(validateDatagram(text)).toMatchObject({ ok: true, errors: [] });
  });
});

describe('validateDatagram: then what X-Ray would reject', () => {
  it('accepts an in-progress segment without end_time', () => {
    const doc = segment({ end_time: undefined, in_progress: true });
    expect(validateDatagram(datagram(doc))).toMatchObject({ ok: true, errors: [] });
  });

  it('accepts names in any script, and annotation keys with dots', () => {
    const doc = segment({ name: 'Bestellung 注文 α/β:1', annotations: { 'http.route': '/orders/:id', count: 3, paid: true } });
    expect(validateDocument(doc)).toEqual([]);
  });

  it('keeps the parsed document on a rejection, so the reader sees what was sent', () => {
    const doc = segment({ name: 'a;b' });
    expect(validateDatagram(datagram(doc)).document).toEqual(doc);
  });

  it('rejects a body that is not JSON, or JSON that is not an object', () => {
    expect(validateDatagram(HEADER + 'nope').errors[0]).toMatch(/^document is not JSON: /);
    expect(validateDatagram(HEADER + '"segment"').errors).toEqual(['document must be a JSON object, got string "segment"']);
  });

  it.each([
    [{ name: 'a,b' }, 'name "a,b" has characters X-Ray rejects (InvalidName): ","'],
    [{ name: '<script>' }, 'name "<script>" has characters X-Ray rejects (InvalidName): "<" ">"'],
    [{ name: 'tab\there' }, 'name "tab\\there" has characters X-Ray rejects (InvalidName): "\\t"'],
    [{ name: '' }, 'name is empty (InvalidName)'],
    [{ name: 'n'.repeat(201) }, "name is 201 characters; X-Ray's limit is 200 (InvalidName)"],
    [{ name: 42 }, 'name must be a string (InvalidName), got number 42'],
    [{ id: 'XYZ' }, 'id "XYZ" must be 16 lowercase hex digits'],
    [{ id: undefined }, 'document is missing "id" (MissingId)'],
    [{ parent_id: '123' }, 'parent_id "123" must be 16 lowercase hex digits'],
    [{ trace_id: undefined }, 'document is missing "trace_id": every top-level segment and independent subsegment needs it'],
    [{ start_time: -1 }, 'start_time must be at least 0, got number -1'],
    [{ end_time: undefined }, 'document has neither "end_time" nor "in_progress": true; X-Ray needs one of them'],
    [{ end_time: undefined, in_progress: false }, 'document has neither "end_time" nor "in_progress": true; X-Ray needs one of them'],
    [{ type: 'segment' }, 'type must be "subsegment" or left out (for a segment), got string "segment"'],
    [{ type: 'subsegment' }, 'document is an independent subsegment ("type": "subsegment") without "parent_id", the id of the entity that called it'],
    [{ namespace: 7 }, 'namespace must be a string, got number 7'],
    [{ annotations: { tags: ['a'] } }, 'annotations.tags must be a string of at most 1000 characters, a number or a boolean, got an array'],
    [{ annotations: { note: 'n'.repeat(1001) } }, "annotations.note is 1001 characters; X-Ray's limit for an annotation value is 1000"],
    [{ metadata: { debug: 'on' } }, 'metadata.debug must be an object, got string "on"'],
    [{ http: { request: { verb: 'GET' } } }, 'http.request has a field X-Ray does not accept: "verb"'],
    [{ http: { response: { status: 42 } } }, 'http.response.status must be at least 100, got number 42'],
    [{ sql: { preparation: 'prepared' } }, 'sql.preparation must be one of "call", "statement", got string "prepared"'],
    [{ cause: 7 }, 'cause must be an exception id (16 lowercase hex digits) or an object with "exceptions", got number 7'],
    [{ cause: 'not-an-id' }, 'cause "not-an-id" must be 16 lowercase hex digits'],
    [{ cause: { exceptions: [{ message: 'boom' }] } }, 'cause.exceptions[0] is missing "id"'],
    [{ cause: { exceptions: [{ id: 'short' }] } }, 'cause.exceptions[0].id is 5 characters; an exception id has 16'],
    [{ http: { response: { content_length: 'big' } } }, 'http.response.content_length must be a number, got string "big"'],
    [{ cause: { exceptions: [{ id: newId(), stack: [{ line: '12' }] }] } }, 'cause.exceptions[0].stack[0].line must be an integer or null, got string "12"'],
  ])('explains %j in plain words', (overrides, message) => {
    expect(validateDocument(segment(overrides))).toEqual([message]);
  });

  it('names the nested entity a problem is in', () => {
    const doc = segment({
      subsegments: [{ name: 'ok', id: newId(), start_time: 1, end_time: 2, subsegments: [{ name: 'a|b', id: newId(), start_time: 1, in_progress: true }] }],
    });
    expect(validateDocument(doc)).toEqual(['subsegments[0].subsegments[0].name "a|b" has characters X-Ray rejects (InvalidName): "|"']);
  });

  it('rejects a document over 64 kB even when the datagram fits UDP', () => {
    const doc = segment({ metadata: { default: { blob: 'x'.repeat(MAX_DOCUMENT_BYTES) } } });
    const report = validateDatagram(datagram(doc));
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([`document is ${Buffer.byteLength(JSON.stringify(doc))} bytes; X-Ray's limit is 64 kB (64000 bytes)`]);
  });

  it('accepts a document of exactly 64,000 bytes', () => {
    const base = segment({ metadata: { default: { blob: '' } } });
    const pad = MAX_DOCUMENT_BYTES - Buffer.byteLength(JSON.stringify(base));
    const doc = segment({ ...base, metadata: { default: { blob: 'x'.repeat(pad) } } });
    expect(Buffer.byteLength(JSON.stringify(doc))).toBe(MAX_DOCUMENT_BYTES);
    expect(validateDatagram(datagram(doc)).errors).toEqual([]);
  });
});
