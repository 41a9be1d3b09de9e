import type { Logger } from '../logger.js';
import type { DaemonEndpoint } from './address.js';
import { encodeDatagram } from './header.js';
import { UdpClient, type UdpClientStats } from './udp-client.js';

/** A segment document serialized, with its UTF-8 size: the datagram is the header plus this. */
export interface SerializedDocument {
  readonly json: string;
  readonly bytes: number;
}

/** What the exporter sends documents through: from the main thread, or from a worker thread. */
export interface DocumentSender {
  /** Sends one datagram per document; `callback` once all have been handed to the socket (or given up on). */
  send(documents: readonly SerializedDocument[], callback: () => void): void;
  /** Resolves once everything sent so far has been handed to the socket. */
  flush(): Promise<void>;
  /** Stops sending; later sends are dropped. Safe to call more than once. */
  close(): Promise<void>;
  stats(): UdpClientStats;
}

export interface SenderOptions {
  logger: Logger;
}

/** Sends from the thread that calls it, through a `UdpClient`. */
export class MainThreadSender implements DocumentSender {
  private readonly client: UdpClient;

  constructor(endpoint: DaemonEndpoint, options: SenderOptions) {
    this.client = new UdpClient(endpoint, { logger: options.logger });
  }

  send(documents: readonly SerializedDocument[], callback: () => void): void {
    const datagrams = new Array<Buffer>(documents.length);
    for (let i = 0; i < documents.length; i++) {
      const doc = documents[i]!;
      datagrams[i] = encodeDatagram(doc.json, doc.bytes);
    }
    this.client.send(datagrams, callback);
  }

  /**
   * Resolves once every send made so far has been handed to the socket (or given up on): sends
   * wait while the daemon's name is resolved or the socket connects, and an export started by the
   * BatchSpanProcessor on its own is not waited for by the provider's `forceFlush()`.
   */
  flush(): Promise<void> {
    // The client calls sends back in order, an empty one once every send before it is: that is a
    // flush. Waiting for a moment with nothing pending instead could wait forever on a busy exporter.
    return new Promise((resolve) => this.client.send([], resolve));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  stats(): UdpClientStats {
    return this.client.stats();
  }
}
