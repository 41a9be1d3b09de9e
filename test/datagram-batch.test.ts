import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datagramBytes, packDatagrams, unpackDatagrams } from '../src/transport/datagram-batch.js';
import { DAEMON_HEADER_BYTES, encodeDatagram } from '../src/transport/header.js';

// One export's datagrams in one transferable buffer (sendFrom: 'worker-thread'): what comes out on
// the worker's side must be exactly what the main thread would have sent.
const documentOf = (json: string) => ({ json, bytes: Buffer.byteLength(json) });
const sizeOf = (docs: { json: string; bytes: number }[]) => docs.reduce((sum, d) => sum + datagramBytes(d), 0);

describe('packDatagrams and unpackDatagrams', () => {
  it('give back, in order, the datagrams encodeDatagram makes, for any text (UTF-8 of every width)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 20 }), (texts) => {
        const docs = texts.map((t) => documentOf(JSON.stringify({ t })));
        const batch = packDatagrams(docs, docs.length, sizeOf(docs));
        expect(batch).toBeInstanceOf(ArrayBuffer);
        expect(unpackDatagrams(batch).map((d) => d.toString('hex'))).toEqual(docs.map((d) => encodeDatagram(d.json, d.bytes).toString('hex')));
      }),
    );
  });

  it('pack only the first `count` documents', () => {
    const docs = ['{"a":1}', '{"b":2}', '{"c":3}'].map(documentOf);
    const two = docs.slice(0, 2);
    expect(unpackDatagrams(packDatagrams(docs, 2, sizeOf(two))).map((d) => d.toString())).toEqual(two.map((d) => `{"format":"json","version":1}\n${d.json}`));
  });

  it('never carry bytes that were not written, should a document overstate its size', () => {
    const overstated = { json: '{"name":"é"}', bytes: 40 };
    const [datagram] = unpackDatagrams(packDatagrams([overstated], 1, DAEMON_HEADER_BYTES + overstated.bytes));
    expect(datagram!.toString()).toBe('{"format":"json","version":1}\n{"name":"é"}');
  });

  it('transfer: the buffer can be handed to another thread and is then no longer readable here', () => {
    const batch = packDatagrams([documentOf('{}')], 1, DAEMON_HEADER_BYTES + 2);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(batch, [batch]);
    expect(batch.byteLength).toBe(0);
    port1.close();
    port2.close();
  });
});
