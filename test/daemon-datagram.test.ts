import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAEMON_HEADER, encodeDatagram, splitDatagram } from '../src/transport/header.js';

describe('encodeDatagram', () => {
  it('is the header and the document in UTF-8, byte for byte, whatever the text holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
        const json = JSON.stringify({ name: text });
        const datagram = encodeDatagram(json, Buffer.byteLength(json));
        expect(datagram.equals(Buffer.from(DAEMON_HEADER + json))).toBe(true);
        expect(splitDatagram(datagram)).toEqual({ ok: true, body: json });
      }),
      { numRuns: 300 },
    );
  });

  it('never sends bytes the document did not write, even given a size larger than the text', () => {
    // The buffer is allocated uninitialized: a miscounted size must not put old process memory on the wire.
    const json = '{"name":"é"}';
    const datagram = encodeDatagram(json, Buffer.byteLength(json) + 40);
    expect(datagram.equals(Buffer.from(DAEMON_HEADER + json))).toBe(true);
  });
});
