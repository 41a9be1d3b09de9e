// Hostile and heavy input must neither crash nor stall the stand-in, nor grow it without bound:
// in-process it shares the application's process and event loop.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDaemon, type DatagramEvent, type LocalDaemon } from '../src/local-daemon/server.js';
import type { AssembledTrace } from '../src/local-daemon/traces.js';
import { MAX_MESSAGES, prepareValidator, validateDatagram } from '../src/local-daemon/validate.js';
import { datagram, HEADER, newId, newTraceId, segment, sendDatagrams, startCli, type CliDaemon } from './fixtures/daemon-harness.js';

const started: LocalDaemon[] = [];
const clis: CliDaemon[] = [];
afterEach(async () => {
  await Promise.all([...started.splice(0).map((d) => d.close()), ...clis.splice(0).map((c) => c.stop())]);
});
beforeAll(() => prepareValidator());

async function daemon(options: Parameters<typeof startLocalDaemon>[0] = {}): Promise<LocalDaemon> {
  const d = await startLocalDaemon({ address: '127.0.0.1:0', quietMs: 20, ...options });
  started.push(d);
  return d;
}

function nextDatagram(d: LocalDaemon): Promise<DatagramEvent> {
  return new Promise((resolve) => d.once('datagram', resolve));
}

function get(d: LocalDaemon, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.address.http!.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A schema-valid segment with subsegments nested `levels` deep (81 bytes a level). */
function deeplyNested(levels: number): Record<string, unknown> {
  const root = segment({ name: 'deep' });
  let parent: Record<string, unknown> = root;
  for (let i = 0; i < levels; i++) {
    const child = { name: 'l', id: newId(), start_time: 1, end_time: 2 };
    parent.subsegments = [child];
    parent = child;
  }
  return root;
}

/** A segment whose metadata nests `levels` objects deep, as one JSON text (JSON.stringify could not write it). */
function deepMetadataDatagram(levels: number): { text: string; traceId: string } {
  const base = segment({ name: 'deep-metadata' });
  const body = JSON.stringify(base).slice(0, -1) + ',"metadata":{"default":' + '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) + '}}';
  return { text: HEADER + body, traceId: String(base.trace_id) };
}

describe('deep nesting', () => {
  it('judges a schema-valid document nested 750 levels deep (it overflowed the validator\'s stack)', () => {
    const text = datagram(deeplyNested(750));
    expect(Buffer.byteLength(text)).toBeLessThan(64_000);
    expect(validateDatagram(text)).toMatchObject({ ok: true, verdict: 'accepted', errors: [] });
  });

  it('takes the 750-level document over UDP, assembles it and serves it to the web page', async () => {
    const d = await daemon({ http: '127.0.0.1:0' });
    const doc = deeplyNested(750);
    const trace = new Promise<AssembledTrace>((resolve) => d.once('trace', resolve));
    await sendDatagrams(d.address.udp.port, [datagram(doc)]);
    expect((await trace).entityCount).toBe(751);
    const res = await get(d, `/api/traces/${String(doc.trace_id)}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).rows).toHaveLength(751);
  });

  it('serves a trace whose metadata nests 10,000 levels (it killed the web server)', async () => {
    const d = await daemon({ http: '127.0.0.1:0' });
    const { text, traceId } = deepMetadataDatagram(10_000);
    const verdict = nextDatagram(d);
    await sendDatagrams(d.address.udp.port, [text]);
    expect((await verdict).verdict).toBe('accepted');
    const res = await get(d, `/api/traces/${traceId}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('nested deeper than 100 levels: not shown');
    expect((await get(d, '/api/traces')).status).toBe(200);
  });

  it('prints the 10,000-level document with --json and copies it to --out, and keeps running (it died in JSON.stringify)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xray-deep-'));
    try {
      const out = join(dir, 'out.jsonl');
      const cli = await startCli(['--udp', '127.0.0.1:0', '--json', '--out', out]);
      clis.push(cli);
      const { text } = deepMetadataDatagram(10_000);
      await sendDatagrams(cli.port, [text]);
      const [line] = await cli.waitForLines(1);
      expect(JSON.parse(line!)).toMatchObject({ ok: true, verdict: 'accepted', errors: [], warnings: [] });
      await sendDatagrams(cli.port, [datagram(segment())]);
      expect(JSON.parse((await cli.waitForLines(2))[1]!).ok).toBe(true);
      await cli.stop();
      const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(text.slice(HEADER.length));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('many errors in one document', () => {
  it('lists the first problems of 20,000 empty subsegments and counts the rest (explaining them was quadratic)', () => {
    const doc = segment({ subsegments: Array.from({ length: 20_000 }, () => ({})) });
    const text = datagram(doc);
    expect(Buffer.byteLength(text)).toBeLessThan(65_507);
    const report = validateDatagram(text);
    expect(report.verdict).toBe('rejected');
    expect(report.errors).toHaveLength(MAX_MESSAGES + 1);
    expect(report.errors[0]).toMatch(/^subsegments\[0\] /);
    expect(report.errors[MAX_MESSAGES]).toMatch(/^… and 79,9\d\d more like these \(the first 20 are shown\)$/);
  });
});

describe('bounded memory', () => {
  it('keeps at most maxRejections rejected datagrams, oldest dropped first, and counts the dropped', async () => {
    const d = await daemon({ maxRejections: 10 });
    const payloads = Array.from({ length: 50 }, (_, i) => `garbage ${i}`);
    const all = new Promise<void>((resolve) => {
      let n = 0;
      d.on('datagram', () => ++n === payloads.length && resolve());
    });
    await sendDatagrams(d.address.udp.port, payloads);
    await all;
    expect(d.recentRejections().map((r) => r.bytes)).toHaveLength(10);
    expect(d.stats).toMatchObject({ datagrams: 50, rejected: 50, rejectionsDropped: 40 });
  });

  it('keeps at most maxTraces traces and at most maxStoredBytes of documents, oldest first, counted', async () => {
    const d = await daemon({ maxTraces: 5, maxStoredBytes: 20_000 });
    const docs = Array.from({ length: 40 }, () => segment({ metadata: { default: { pad: 'x'.repeat(1_000) } } }));
    const all = new Promise<void>((resolve) => {
      let n = 0;
      d.on('datagram', () => ++n === docs.length && resolve());
    });
    await sendDatagrams(d.address.udp.port, docs.map(datagram));
    await all;
    expect(d.traces()).toHaveLength(5);
    expect(d.stats.tracesDropped).toBe(35);
    expect(d.traces().map((t) => t.traceId).sort()).toEqual(docs.slice(-5).map((x) => String(x.trace_id)).sort());

    // One trace alone over the byte budget: its newest documents are not kept, and counted.
    const traceId = newTraceId();
    const big = Array.from({ length: 30 }, () => segment({ trace_id: traceId, metadata: { default: { pad: 'x'.repeat(1_000) } } }));
    const more = new Promise<void>((resolve) => {
      let n = 0;
      d.on('datagram', () => ++n === big.length && resolve());
    });
    await sendDatagrams(d.address.udp.port, big.map(datagram));
    await more;
    expect(d.stats.documentsDropped).toBeGreaterThan(0);
    const kept = d.trace(traceId);
    expect(kept!.documents.length + kept!.documentsNotKept).toBe(30);
    expect(d.traces().reduce((sum, t) => sum + t.documents.reduce((s, doc) => s + Buffer.byteLength(datagram(doc)), 0), 0)).toBeLessThanOrEqual(20_000);
  });
});

describe('in-process, the host application never goes down', () => {
  it('counts a throwing "datagram" listener, warns once, and keeps receiving', async () => {
    const d = await daemon();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      d.on('datagram', () => {
        throw new Error('listener bug');
      });
      const seen: DatagramEvent[] = [];
      d.on('datagram', (e) => seen.push(e));
      await sendDatagrams(d.address.udp.port, [datagram(segment()), datagram(segment())]);
      await new Promise((r) => setTimeout(r, 100));
      expect(d.stats.datagrams).toBe(2);
      expect(d.stats.internalErrors).toBe(2);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('listener bug'))).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('counts a throwing "trace" listener (it runs on a timer) instead of crashing', async () => {
    const d = await daemon();
    const errors: Error[] = [];
    d.on('error', (e) => errors.push(e));
    d.on('trace', () => {
      throw new Error('trace listener bug');
    });
    await sendDatagrams(d.address.udp.port, [datagram(segment())]);
    await new Promise((r) => setTimeout(r, 200));
    expect(errors.map((e) => e.message)).toEqual(['trace listener bug']);
    expect(d.stats.internalErrors).toBe(1);
  });

  it('answers 500 when serving a page fails, and keeps serving', async () => {
    const d = await daemon({ http: '127.0.0.1:0' });
    d.on('error', () => {});
    const original = d.traces.bind(d);
    let fail = true;
    d.traces = () => {
      if (fail) throw new Error('broken listing');
      return original();
    };
    expect((await get(d, '/api/traces')).status).toBe(500);
    fail = false;
    expect((await get(d, '/api/traces')).status).toBe(200);
    expect(d.stats.internalErrors).toBe(1);
  });
});
