import type { DaemonEndpoint } from './address.js';
import type { UdpClientStats } from './udp-client.js';

// The messages between the exporter's thread and the UDP worker thread.

/** The worker's `workerData`. */
export interface UdpWorkerData {
  endpoint: DaemonEndpoint;
}

export type ToWorker =
  /** A batch from `packDatagrams`, transferred. */
  | { kind: 'send'; batch: ArrayBuffer }
  /** Close the socket once what was sent has left, answer `closed`, and end. */
  | { kind: 'close' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type FromWorker =
  /** The worker's code has loaded and listens: batches can be transferred. */
  | { kind: 'ready' }
  /** The oldest batch not yet answered has been handed to the socket. */
  | { kind: 'sent'; stats: UdpClientStats }
  /** A message for the application's logger (the worker's UdpClient has rate-limited it already). */
  | { kind: 'log'; level: LogLevel; message: string; stats: UdpClientStats }
  /** The counters changed after the last message (an ICMP error that came in after its batch was answered). */
  | { kind: 'stats'; stats: UdpClientStats }
  | { kind: 'closed'; stats: UdpClientStats };
