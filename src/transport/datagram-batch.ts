import type { SerializedDocument } from './document-sender.js';
import { DAEMON_HEADER_BYTES, writeDatagram } from './header.js';

// One export batch's datagrams in one ArrayBuffer, so that handing them to another thread is one
// transfer instead of a structured clone per datagram. Layout, in the platform's byte order (both
// ends are the same process): u32 count, u32 length × count, then the datagrams back to back.

/** The size of a document's datagram as the exporter states it (an upper bound: see `writeDatagram`). */
export function datagramBytes(document: SerializedDocument): number {
  return DAEMON_HEADER_BYTES + document.bytes;
}

/**
 * The first `count` documents as datagrams in one transferable ArrayBuffer; `payloadBytes` is
 * the sum of their `datagramBytes`.
 */
export function packDatagrams(documents: readonly SerializedDocument[], count: number, payloadBytes: number): ArrayBuffer {
  const tableBytes = 4 * (count + 1);
  // Not zero-filled: only the bytes written are ever read (their lengths are what the table holds).
  // allocUnsafeSlow, not allocUnsafe: a pooled buffer's memory cannot be transferred.
  const buffer = Buffer.allocUnsafeSlow(tableBytes + payloadBytes);
  const table = new Uint32Array(buffer.buffer, buffer.byteOffset, count + 1);
  table[0] = count;
  let offset = tableBytes;
  for (let i = 0; i < count; i++) {
    const doc = documents[i]!;
    const written = writeDatagram(buffer, offset, doc.json, doc.bytes);
    table[i + 1] = written;
    offset += written;
  }
  return buffer.buffer;
}

/** The datagrams in a buffer from `packDatagrams`, as views of it (nothing is copied). */
export function unpackDatagrams(batch: ArrayBuffer): Buffer[] {
  const count = new Uint32Array(batch, 0, 1)[0]!;
  const table = new Uint32Array(batch, 4, count);
  const datagrams = new Array<Buffer>(count);
  let offset = 4 * (count + 1);
  for (let i = 0; i < count; i++) {
    const length = table[i]!;
    datagrams[i] = Buffer.from(batch, offset, length);
    offset += length;
  }
  return datagrams;
}
