import { Worker } from 'node:worker_threads';
import { RateLimitedLog, type Logger } from '../logger.js';
import type { DaemonEndpoint } from './address.js';
import { datagramBytes, packDatagrams } from './datagram-batch.js';
import { MainThreadSender, type DocumentSender, type SenderOptions, type SerializedDocument } from './document-sender.js';
import type { UdpClientStats } from './udp-client.js';
import type { FromWorker, ToWorker, UdpWorkerData } from './worker-protocol.js';

/**
 * Bytes waiting for the worker (handed to it and not yet acknowledged, or held while it starts),
 * at most, beyond the export that is first in line. A worker that keeps up holds one export at a
 * time: a full BatchSpanProcessor batch (512 spans) of ordinary spans is 0.3–0.5 MiB, so 4 MiB
 * rides out a worker that is a few batches behind, while one that is stuck (or a flood of spans)
 * costs the process no more than this before datagrams are dropped. The first export in line is
 * always taken whole, however large: its documents are in memory already, and an idle worker
 * must never be a reason to lose them.
 */
const MAX_BYTES_IN_FLIGHT = 4 * 1024 * 1024;
const MAX_MIB_IN_FLIGHT = MAX_BYTES_IN_FLIGHT / (1024 * 1024);
/**
 * A worker that has not said it is ready by then is taken for one that cannot start (a file of
 * that name that is something else, a starved machine): sending goes on from the main thread.
 */
const START_TIMEOUT_MS = 5_000;
/** How long `close()` waits for the worker to send what it holds and end, before terminating it. */
const CLOSE_TIMEOUT_MS = 3_000;

/** The worker entry, next to this module in dist/ (tsup's shims map import.meta.url for CommonJS). */
function workerUrl(): URL {
  return new URL('./xray-otel-bridge-udp-worker.mjs', import.meta.url);
}

/**
 * The worker's environment: the application's, without `NODE_OPTIONS`. A worker reads
 * `NODE_OPTIONS` again, so a `--require`/`--import` preload (the usual way to switch tracing on in
 * a container) would run in it too: it would set up tracing, start another worker, and so on.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

interface Batch {
  readonly datagrams: number;
  readonly bytes: number;
  readonly callback: () => void;
  /** Held until the worker is ready: should it fail to start, they are sent from this thread. */
  documents: readonly SerializedDocument[] | undefined;
}

type State = 'starting' | 'ready' | 'failed';

const NO_STATS: UdpClientStats = { datagramsSent: 0, bytesSent: 0, sendErrors: {}, dropped: 0 };

/**
 * Sends from a worker thread: each batch of documents is written as datagrams into one buffer,
 * transferred to a worker that runs the `UdpClient`, so the socket's per-datagram cost is paid
 * off the event loop. The worker is unref'd while idle (it never keeps the process alive, though
 * datagrams it holds do, as a socket's pending sends would). If it cannot start or dies, sending
 * continues from this thread, after one warning.
 */
export class WorkerSender implements DocumentSender {
  private readonly endpoint: DaemonEndpoint;
  private readonly logger: Logger;
  private readonly warnings: RateLimitedLog;
  private worker: Worker | undefined;
  private state: State = 'starting';
  private fallback: MainThreadSender | undefined;

  /** Batches handed to the worker (or held for it), oldest first, until it acknowledges them. */
  private readonly batches: Batch[] = [];
  private bytesInFlight = 0;
  private enqueued = 0;
  private answered = 0;
  private readonly flushes: { until: number; resolve: () => void }[] = [];

  private closed = false;
  private closing: Promise<void> | undefined;
  private onWorkerExit: (() => void) | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private onReady: (() => void) | undefined;

  private workerStats: UdpClientStats = NO_STATS;
  /** Datagrams given up on here: beyond the in-flight bound, lost in a dead worker, sent after close. */
  private dropped = 0;

  /** `workerUrl` replaces the worker entry: tests and benchmarks that run this module from src/ give the built one. */
  constructor(endpoint: DaemonEndpoint, options: SenderOptions & { workerUrl?: URL }) {
    this.endpoint = endpoint;
    this.logger = options.logger;
    this.warnings = new RateLimitedLog(this.logger);
    try {
      const data: UdpWorkerData = { endpoint: { host: endpoint.host, port: endpoint.port } };
      // No execArgv: the application's loaders and preloads (--import, --require) are not the worker's business.
      const worker = new Worker(options.workerUrl ?? workerUrl(), { workerData: data, execArgv: [], env: workerEnv() });
      worker.on('message', (message: FromWorker) => this.onMessage(message));
      worker.on('error', (err: unknown) => this.onWorkerGone(err instanceof Error ? err.message : String(err)));
      worker.on('exit', (code: number) => this.onWorkerGone(`exit code ${code}`));
      // After the listeners: adding a 'message' listener refs the worker's port again.
      worker.unref();
      this.worker = worker;
      // Decided a turn later: after an event loop blocked past the deadline, Node runs the timer
      // before the 'ready' message that has waited meanwhile.
      this.startTimer = setTimeout(
        () =>
          setImmediate(() => {
            if (this.state !== 'starting') return;
            void worker.terminate();
            this.onWorkerGone(`it did not start within ${START_TIMEOUT_MS / 1000} s`);
          }).unref(),
        START_TIMEOUT_MS,
      );
      this.startTimer.unref();
    } catch (err) {
      this.onWorkerGone(err instanceof Error ? err.message : String(err));
    }
  }

  send(documents: readonly SerializedDocument[], callback: () => void): void {
    if (this.fallback !== undefined && !this.closed) {
      this.fallback.send(documents, callback);
      return;
    }
    const n = documents.length;
    if (this.closed) {
      if (n > 0) {
        this.dropped += n;
        this.warnings.warn('closed', `X-Ray UDP sender is closed; dropped ${n} datagram(s)`);
      }
      fire(callback, this.logger);
      return;
    }
    // The first export in line is taken whole (see MAX_BYTES_IN_FLIGHT); later ones while it fits.
    const bounded = this.batches.length > 0;
    let take = 0;
    let bytes = 0;
    while (take < n) {
      const size = datagramBytes(documents[take]!);
      if (bounded && this.bytesInFlight + bytes + size > MAX_BYTES_IN_FLIGHT) break;
      bytes += size;
      take++;
    }
    if (take < n) {
      this.dropped += n - take;
      const why = this.state === 'starting' ? 'is still starting' : 'is behind';
      this.warnings.warn(
        'behind',
        `the X-Ray UDP worker thread ${why} (${MAX_MIB_IN_FLIGHT} MiB of datagrams wait for it); dropped ${n - take} datagram(s)`,
      );
    }
    if (take === 0) {
      fire(callback, this.logger);
      return;
    }
    const batch: Batch = { datagrams: take, bytes, callback, documents: undefined };
    if (this.state === 'ready') this.post(documents, take, bytes);
    else batch.documents = take === n ? documents : documents.slice(0, take);
    if (this.batches.length === 0) this.worker?.ref();
    this.batches.push(batch);
    this.bytesInFlight += bytes;
    this.enqueued++;
  }

  flush(): Promise<void> {
    const fallback = this.fallback?.flush();
    if (this.answered >= this.enqueued) return fallback ?? Promise.resolve();
    const mine = new Promise<void>((resolve) => this.flushes.push({ until: this.enqueued, resolve }));
    return fallback === undefined ? mine : Promise.all([mine, fallback]).then(() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= this.shut();
    return this.closing;
  }

  stats(): UdpClientStats {
    const w = this.workerStats;
    const f = this.fallback?.stats() ?? NO_STATS;
    const sendErrors = { ...w.sendErrors };
    for (const [code, n] of Object.entries(f.sendErrors)) sendErrors[code] = (sendErrors[code] ?? 0) + n;
    return {
      datagramsSent: w.datagramsSent + f.datagramsSent,
      bytesSent: w.bytesSent + f.bytesSent,
      sendErrors,
      dropped: w.dropped + f.dropped + this.dropped,
    };
  }

  private async shut(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker !== undefined && this.state !== 'failed') {
      // An awaited shutdown must finish even when nothing else keeps the process alive.
      worker.ref();
      const exited = new Promise<void>((resolve) => (this.onWorkerExit = resolve));
      // A turn later, as for the start: a worker that finished while the loop was blocked is not cut short.
      const timer = setTimeout(() => setImmediate(() => void worker.terminate()), CLOSE_TIMEOUT_MS);
      // Batches held for a worker still starting are posted once it is ready, and must go before `close`.
      if (this.state === 'starting') await Promise.race([new Promise<void>((resolve) => (this.onReady = resolve)), exited]);
      await Promise.race([this.flush(), exited]);
      if (this.state === 'ready') this.toWorker({ kind: 'close' });
      await exited;
      clearTimeout(timer);
    }
    // A worker that failed to start handed what it held to the fallback, which may still be
    // resolving the daemon's name: what it holds goes out before it closes (or the time is up).
    const fallback = this.fallback;
    if (fallback !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([fallback.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
      clearTimeout(timer);
      await fallback.close();
    }
  }

  private post(documents: readonly SerializedDocument[], count: number, bytes: number): void {
    const batch = packDatagrams(documents, count, bytes);
    this.toWorker({ kind: 'send', batch }, [batch]);
  }

  private toWorker(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    try {
      this.worker!.postMessage(message, transfer);
    } catch (err) {
      // Only a worker already gone refuses messages: its exit event settles what it held.
      this.logger.debug(`X-Ray UDP worker thread refused a message: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onMessage(message: FromWorker): void {
    switch (message.kind) {
      case 'ready':
        if (this.state !== 'starting') break;
        this.state = 'ready';
        clearTimeout(this.startTimer);
        for (const batch of this.batches) {
          if (batch.documents === undefined) continue;
          this.post(batch.documents, batch.datagrams, batch.bytes);
          batch.documents = undefined;
        }
        this.onReady?.();
        break;
      case 'sent': {
        this.workerStats = message.stats;
        const batch = this.batches.shift();
        if (batch === undefined) break;
        this.bytesInFlight -= batch.bytes;
        if (this.batches.length === 0 && !this.closed) this.worker?.unref();
        this.answer(batch);
        break;
      }
      case 'log':
        this.workerStats = message.stats;
        this.logger[message.level](message.message);
        break;
      case 'stats':
      case 'closed':
        this.workerStats = message.stats;
        break;
    }
  }

  /** The worker could not start, or ended: what it held is sent from here (not started) or lost (started). */
  private onWorkerGone(reason: string): void {
    if (this.state === 'failed') return;
    const started = this.state === 'ready';
    this.state = 'failed';
    clearTimeout(this.startTimer);
    this.worker = undefined;
    const exit = this.onWorkerExit;
    if (this.closed && started) {
      // The end close() asked for; anything still unanswered was lost with it.
      this.loseBatches();
      exit?.();
      return;
    }
    this.fallback = new MainThreadSender(this.endpoint, { logger: this.logger });
    const held = this.batches.splice(0);
    this.bytesInFlight = 0;
    if (started) {
      const lost = held.reduce((sum, b) => sum + b.datagrams, 0);
      this.dropped += lost;
      this.logger.warn(
        `the X-Ray UDP worker thread stopped (${reason}); ${lost} datagram(s) it held are lost; sending from the main thread from now on`,
      );
    } else {
      this.logger.warn(
        `cannot start the X-Ray UDP worker thread of sendFrom: 'worker-thread' (${reason}); sending from the main thread instead. ` +
          'A bundled application must ship xray-otel-bridge/dist/xray-otel-bridge-udp-worker.mjs next to its bundle',
      );
    }
    for (const batch of held) {
      if (batch.documents !== undefined) {
        // Answered once the main thread has sent it: a flush waits for that.
        this.fallback.send(batch.documents, () => this.answer(batch));
      } else {
        this.answer(batch);
      }
    }
    exit?.();
  }

  private loseBatches(): void {
    const held = this.batches.splice(0);
    this.bytesInFlight = 0;
    const lost = held.reduce((sum, b) => sum + b.datagrams, 0);
    if (lost > 0) this.logger.warn(`the X-Ray UDP worker thread was ended at shutdown before it answered; ${lost} datagram(s) it held are lost`);
    for (const batch of held) {
      this.dropped += batch.datagrams;
      this.answer(batch);
    }
  }

  private answer(batch: Batch): void {
    this.answered++;
    fire(batch.callback, this.logger);
    this.settleFlushes();
  }

  private settleFlushes(): void {
    while (this.flushes.length > 0 && this.flushes[0]!.until <= this.answered) this.flushes.shift()!.resolve();
  }
}

function fire(callback: () => void, logger: Logger): void {
  try {
    callback();
  } catch (err) {
    logger.error('X-Ray UDP sender: send callback threw', err);
  }
}
