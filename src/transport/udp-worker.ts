// The UDP worker thread's entry (dist/udp-worker.js): runs a UdpClient for the exporter's thread,
// which transfers each export batch here in one buffer (see worker-sender.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { unpackDatagrams } from './datagram-batch.js';
import { UdpClient } from './udp-client.js';
import type { FromWorker, LogLevel, ToWorker, UdpWorkerData } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('udp-worker.js runs as a worker thread of XRayUdpSpanExporter');

const post = (message: FromWorker): void => port.postMessage(message);

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
post({ kind: 'ready' });
