// A stand-in for the X-Ray daemon: a UDP socket on loopback that counts what arrives.
// It never parses JSON (that would steal CPU from the contender on a 2-core box); it counts
// datagrams, bytes and X-Ray entities (segments and subsegments, embedded or not) by scanning
// for the `"start_time":` key every entity carries exactly once.
import dgram from 'node:dgram';

const ENTITY_MARK = Buffer.from('"start_time":');

export function countEntities(buf) {
  let n = 0;
  let i = buf.indexOf(ENTITY_MARK);
  while (i !== -1) {
    n++;
    i = buf.indexOf(ENTITY_MARK, i + ENTITY_MARK.length);
  }
  return n;
}

export class UdpSink {
  #socket = dgram.createSocket('udp4');
  #lastArrival = 0n;
  datagrams = 0;
  bytes = 0;
  entities = 0;

  /** Binds 127.0.0.1 on an ephemeral port; resolves to `127.0.0.1:PORT`. */
  async start() {
    this.#socket.on('message', (msg) => {
      this.datagrams++;
      this.bytes += msg.length;
      this.entities += countEntities(msg);
      this.#lastArrival = process.hrtime.bigint();
    });
    await new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(0, '127.0.0.1', () => {
        this.#socket.off('error', reject);
        resolve();
      });
    });
    try {
      // Bursts of 512-span batches overflow the default ~200 KiB buffer; the kernel caps this
      // at net.core.rmem_max, which is fine: losses show as received < created in the report.
      this.#socket.setRecvBufferSize(8 * 1024 * 1024);
    } catch {
      // not fatal
    }
    return this.address;
  }

  get address() {
    const { address, port } = this.#socket.address();
    return `${address}:${port}`;
  }

  get recvBufferSize() {
    try {
      return this.#socket.getRecvBufferSize();
    } catch {
      return undefined;
    }
  }

  snapshot() {
    return { datagrams: this.datagrams, bytes: this.bytes, entities: this.entities };
  }

  /** Counters since `before` (a snapshot). */
  since(before) {
    return {
      datagrams: this.datagrams - before.datagrams,
      bytes: this.bytes - before.bytes,
      entities: this.entities - before.entities,
    };
  }

  /** Resolves once nothing has arrived for `quietMs` (datagrams still in flight get counted). */
  async settle(quietMs = 60, maxMs = 2000) {
    const start = Date.now();
    const quietNs = BigInt(quietMs) * 1_000_000n;
    for (;;) {
      await new Promise((r) => setTimeout(r, Math.min(quietMs, 20)));
      if (process.hrtime.bigint() - this.#lastArrival >= quietNs) return;
      if (Date.now() - start > maxMs) return;
    }
  }

  close() {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
