// The stand-in's verdict must be X-Ray's: documents AWS's own SDKs and developer guide write are
// taken (some with parts dropped) or refused exactly as X-Ray does, and it says which.
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareValidator, validateDatagram, type Verdict } from '../src/local-daemon/validate.js';
import { datagram, newId, segment } from './fixtures/daemon-harness.js';
import { schemaErrors } from './support/schema.js';

interface CorpusEntry {
  file: string;
  title: string;
  source: string;
  how: string;
  expect: { verdict: Verdict; errors: string[]; warnings: string[] };
  document: Record<string, unknown>;
}

const CORPUS_DIR = new URL('./fixtures/xray-corpus/', import.meta.url);
const corpus: CorpusEntry[] = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(new URL(file, CORPUS_DIR), 'utf8')) as Omit<CorpusEntry, 'file'>) }));

beforeAll(() => prepareValidator());

describe('documents written by AWS SDKs and the X-Ray developer guide (test/fixtures/xray-corpus)', () => {
  it('has every kind of verdict, each entry with its source', () => {
    expect([...new Set(corpus.map((c) => c.expect.verdict))].sort()).toEqual(['accepted', 'accepted-with-loss', 'rejected']);
    for (const c of corpus) {
      expect(c.source, c.file).toMatch(/\w.{20}/);
      expect(c.how, c.file).toMatch(/\w.{20}/);
    }
  });

  it.each(corpus.map((c) => [c.file, c] as const))('%s gets X-Ray\'s verdict', (_file, c) => {
    const report = validateDatagram(datagram(c.document));
    expect({ verdict: report.verdict, errors: report.errors, warnings: report.warnings }).toEqual(c.expect);
    expect(report.ok).toBe(c.expect.verdict !== 'rejected');
  });

  it('accepts with loss only what this project\'s exporter would never write (the shipped schema refuses it)', () => {
    for (const c of corpus) {
      const strictErrors = schemaErrors(c.document);
      if (c.expect.verdict === 'accepted') expect(strictErrors, c.file).toEqual([]);
      else expect(strictErrors.length, c.file).toBeGreaterThan(0);
    }
  });
});

describe('what X-Ray takes with loss, and what it refuses', () => {
  it('keeps a document whose annotation keys X-Ray cannot index, and names each annotation it drops', () => {
    const report = validateDatagram(datagram(segment({ annotations: { 'my-annotation': 1, 'Trace Name': 'x', ok_key: true } })));
    expect(report).toMatchObject({ ok: true, verdict: 'accepted-with-loss', errors: [] });
    expect(report.warnings).toEqual([
      'annotation "my-annotation" will be dropped: X-Ray keeps only annotation keys of 1 to 500 letters, digits, "_" or "."',
      'annotation "Trace Name" will be dropped: X-Ray keeps only annotation keys of 1 to 500 letters, digits, "_" or "."',
    ]);
  });

  it('names the nested entity whose annotation is dropped', () => {
    const doc = segment({ subsegments: [{ name: 'db', id: newId(), start_time: 1, end_time: 2, annotations: { 'a b': 1 } }] });
    expect(validateDatagram(datagram(doc)).warnings).toEqual([
      'subsegments[0]: annotation "a b" will be dropped: X-Ray keeps only annotation keys of 1 to 500 letters, digits, "_" or "."',
    ]);
  });

  it('still refuses the whole document for a reason X-Ray refuses, and lists the losses too', () => {
    const report = validateDatagram(datagram(segment({ name: 'a;b', annotations: { 'my-annotation': 1 } })));
    expect(report.verdict).toBe('rejected');
    expect(report.errors).toEqual(['name "a;b" has characters X-Ray rejects (InvalidName): ";"']);
    expect(report.warnings).toHaveLength(1);
  });

  it.each([
    ['a content_length of -1', { http: { response: { status: 200, content_length: -1 } } }],
    ['a numeric string content_length', { http: { response: { status: 200, content_length: '861' } } }],
    ['namespace "local"', { subsegments: [{ name: 'work', id: newId(), start_time: 1, end_time: 2, namespace: 'local' }] }],
    ['a 16-character exception id that is not hex', { cause: { exceptions: [{ id: 'exception-000001' }] } }],
    ['a stack frame with "line": null', { cause: { exceptions: [{ id: newId(), stack: [{ path: 'node', line: null, label: 'process.processImmediate' }] }] } }],
  ])('accepts %s, with a warning', (_what, overrides) => {
    const report = validateDatagram(datagram(segment(overrides)));
    expect(report).toMatchObject({ ok: true, verdict: 'accepted-with-loss', errors: [] });
    expect(report.warnings).toHaveLength(1);
  });

  it('accepts a document from the X-Ray SDK for Node.js, run here, dropping its hyphenated annotation', async () => {
    const require = createRequire(import.meta.url);
    const AWSXRay = require('aws-xray-sdk-core') as {
      Segment: new (name: string) => { addAnnotation(k: string, v: unknown): void; close(): void; toString(): string };
      setLogger(l: object): void;
      setDaemonAddress(address: string): void;
    };
    AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
    // close() sends the segment: to this socket, not to a real daemon a developer may run on 2000.
    const sink = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    const sent = new Promise<string>((resolve) => sink.once('message', (m) => resolve(m.toString('utf8'))));
    try {
      AWSXRay.setDaemonAddress(`127.0.0.1:${(sink.address() as AddressInfo).port}`);
      const seg = new AWSXRay.Segment('orders-api');
      seg.addAnnotation('my-annotation', 'blue');
      seg.close();
      const report = validateDatagram(await sent);
      expect(report.verdict).toBe('accepted-with-loss');
      expect(report.warnings).toEqual([expect.stringMatching(/^annotation "my-annotation" will be dropped/)]);
    } finally {
      sink.close();
    }
  });
});
