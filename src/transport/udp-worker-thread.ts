// The UDP worker thread's entry (dist/xray-otel-bridge-udp-worker.mjs): runs a UdpClient for the
// exporter's thread, which transfers each export batch here in one buffer (see worker-sender.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { unpackDatagrams } from './datagram-batch.js';
import { UdpClient, type UdpClientStats } from './udp-client.js';
import type { FromWorker, LogLevel, ToWorker, UdpWorkerData } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('xray-otel-bridge-udp-worker.mjs runs as a worker thread of XRayUdpSpanExporter');

let lastReported = '';
const post = (message: FromWorker): void => {
  if ('stats' in message) lastReported = signature(message.stats);
  port.postMessage(message);
};

/** Changes whenever a counter does (they only grow, but for `datagramsSent`, which a refusal lowers). */
function signature(stats: UdpClientStats): string {
  let errors = 0;
  for (const code in stats.sendErrors) errors += stats.sendErrors[code]!;
  return `${stats.datagramsSent} ${errors} ${stats.dropped}`;
}

/**
 * An ICMP error comes in after its datagram's batch was answered: without this, the exporter's
 * `stats()` would show it only with the next message, and a quiet service may send none.
 */
const STATS_INTERVAL_MS = 500;

// The application's logger lives in the other thread: messages go there, as text.
const forward =
  (level: LogLevel) =>
  (message: string, ...args: unknown[]): void => {
    const extra = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    post({ kind: 'log', level, message: extra === '' ? message : `${message} ${extra}`, stats: client.stats() });
  };
const logger: Logger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

const { endpoint } = workerData as UdpWorkerData;
const client = new UdpClient(endpoint, { logger });

port.on('message', (message: ToWorker) => {
  if (message.kind === 'send') {
    client.send(unpackDatagrams(message.batch), () => post({ kind: 'sent', stats: client.stats() }));
  } else {
    void client.close().then(() => {
      post({ kind: 'closed', stats: client.stats() });
      port.close();
    });
  }
});
setInterval(() => {
  const stats = client.stats();
  if (signature(stats) !== lastReported) post({ kind: 'stats', stats });
}, STATS_INTERVAL_MS).unref();
post({ kind: 'ready' });
