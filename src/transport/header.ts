/** The canonical daemon header; what the real X-Ray SDKs send. */
export const DAEMON_HEADER = '{"format":"json","version":1}\n';
export const DAEMON_HEADER_BYTES = Buffer.byteLength(DAEMON_HEADER);
const DAEMON_HEADER_BUFFER = Buffer.from(DAEMON_HEADER);

/**
 * The datagram for a document whose UTF-8 size is already known: the header and the document
 * written once into one buffer. Given a string, dgram would join them, measure the text again and
 * then copy it.
 */
export function encodeDatagram(json: string, jsonBytes: number): Buffer {
  const datagram = Buffer.allocUnsafe(DAEMON_HEADER_BYTES + jsonBytes);
  const written = writeDatagram(datagram, 0, json, jsonBytes);
  return written === datagram.length ? datagram : datagram.subarray(0, written);
}

/**
 * Writes a datagram (the header, then the document) into `target` at `offset`, which must have
 * room for `DAEMON_HEADER_BYTES + jsonBytes`; returns the bytes written. The target may be
 * uninitialized memory: should a size ever be overstated, only the bytes written may be sent
 * (never old process memory), so callers use the returned length, not `jsonBytes`.
 */
export function writeDatagram(target: Buffer, offset: number, json: string, jsonBytes: number): number {
  target.set(DAEMON_HEADER_BUFFER, offset);
  return DAEMON_HEADER_BYTES + target.write(json, offset + DAEMON_HEADER_BYTES, jsonBytes, 'utf8');
}

/** The X-Ray document limit; the daemon's read buffer is 64 KiB. */
export const XRAY_DOCUMENT_LIMIT_BYTES = 64_000;
/** The exporter's default bound for one datagram, header included. */
export const DEFAULT_MAX_DATAGRAM_BYTES = XRAY_DOCUMENT_LIMIT_BYTES;
/** The largest IPv4 UDP payload: `dgram` answers EMSGSIZE above it. */
export const HARD_MAX_DATAGRAM_BYTES = 65_507;

export type DatagramVerdict =
  | { ok: true; body: string }
  | { ok: false; reason: string };

/**
 * Splits a datagram the way `aws-xray-daemon` does: at the first newline; the header must be
 * JSON with `format` equal to "json" in any letter case and `version` the number 1; the body must
 * not be empty. The body itself is not parsed here (the daemon forwards it unread).
 */
export function splitDatagram(datagram: Buffer | string): DatagramVerdict {
  const text = typeof datagram === 'string' ? datagram : datagram.toString('utf8');
  const nl = text.indexOf('\n');
  if (nl < 0) return { ok: false, reason: 'no newline: a datagram is a header line, "\\n", then one document' };
  const headerText = text.slice(0, nl);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    return { ok: false, reason: `bad header: not JSON: ${JSON.stringify(headerText.slice(0, 80))}` };
  }
  if (header === null || typeof header !== 'object') {
    return { ok: false, reason: `bad header: not a JSON object: ${JSON.stringify(headerText.slice(0, 80))}` };
  }
  const { format, version } = header as { format?: unknown; version?: unknown };
  if (typeof format !== 'string' || format.toLowerCase() !== 'json') {
    return { ok: false, reason: `bad header: "format" must be "json", got ${JSON.stringify(format) ?? 'nothing'}` };
  }
  if (version !== 1) {
    return { ok: false, reason: `bad header: "version" must be the number 1, got ${JSON.stringify(version) ?? 'nothing'}` };
  }
  const body = text.slice(nl + 1);
  if (body.trim() === '') return { ok: false, reason: 'empty body: the header is not followed by a document' };
  return { ok: true, body };
}
