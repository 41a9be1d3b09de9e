import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExporterOptionError, ExporterShutDownError } from '../common/errors.js';
import { resolveDaemonAddress } from '../transport/address.js';
import { MainThreadSender, type DocumentSender, type SerializedDocument } from '../transport/document-sender.js';
import { WorkerSender } from '../transport/worker-sender.js';
import { assembleDocuments } from './assemble.js';
import { resolveTranslateOptions, type TranslateOptions } from './options.js';
import type { ResolvedTranslateOptions } from './translate/context.js';

export interface XRayUdpSpanExporterOptions extends TranslateOptions {
  /**
   * Where the daemon listens: `host:port` or `udp:host:port tcp:host:port`. The environment
   * variable `AWS_XRAY_DAEMON_ADDRESS` wins, as in the X-Ray SDKs; default `127.0.0.1:2000`.
   */
  daemonAddress?: string;
  /**
   * Which thread sends the datagrams (default `'main-thread'`).
   *
   * `'worker-thread'` hands each export batch, written as datagrams into one buffer, to a worker
   * thread that owns the UDP socket, so the socket's cost (about 7 µs of CPU per datagram on a
   * small VM, most of it in the kernel) is no longer paid on the event loop; the main thread pays
   * one message per batch instead. It costs one more thread (a few MB of memory) and moves the
   * sending CPU rather than removing it: worth it for services whose event loop is busy and that
   * have a spare core, not for a one-core container. Beyond the export first in line, which is
   * taken whole, batches waiting for the worker are bounded (4 MiB; beyond it datagrams are
   * dropped and counted in `datagramsDropped`). The worker never keeps the process alive while
   * idle; if it cannot start (e.g. the library was bundled and `xray-otel-bridge-udp-worker.mjs`
   * is not next to it), is not ready within 5 s, or dies, one warning is logged and sending
   * continues from the main thread.
   */
  sendFrom?: SendFrom;
}

/** Which thread sends the exporter's datagrams (the `sendFrom` option). */
export type SendFrom = 'main-thread' | 'worker-thread';

export interface XRayExporterStats {
  /** Spans given to `export()`. */
  spansReceived: number;
  /** Not sampled, so not sent (as X-Ray SDKs do). */
  unsampledSkipped: number;
  /** Dropped with a warning: ids X-Ray refuses, a Lambda span with no place, too large even shrunk. */
  spansDropped: number;
  /** Documents handed to the UDP client (one datagram each). */
  documentsExported: number;
  /** Datagrams the socket reports sent, less those the host refused afterwards, and their bytes (header included). */
  datagramsSent: number;
  bytesSent: number;
  /**
   * Datagrams given up on without an error from the socket: sent after shutdown, queue full while
   * resolving or connecting, and with `sendFrom: 'worker-thread'`, beyond the bound of what waits for
   * the worker or lost when it died.
   */
  datagramsDropped: number;
  /** Datagrams lost to socket and DNS errors, by code (`ECONNREFUSED`: nothing listens at the daemon's port; `EMSGSIZE`, `ENOTFOUND`…). */
  sendErrors: Record<string, number>;
}

/**
 * An OpenTelemetry `SpanExporter` that sends spans to the X-Ray daemon as segment documents, one
 * UDP datagram each. It never throws into the caller and always calls back: tracing must not be
 * able to break the service it observes.
 */
export class XRayUdpSpanExporter implements SpanExporter {
  private readonly options: ResolvedTranslateOptions;
  private readonly sender: DocumentSender;
  private isShutdown = false;
  private spansReceived = 0;
  private documentsExported = 0;
  private unsampledSkipped = 0;
  private spansDropped = 0;

  /**
   * @throws DaemonAddressError naming the value when the `daemonAddress` option is malformed, and
   * ExporterOptionError when `sendFrom` is not one of its values. A malformed
   * `AWS_XRAY_DAEMON_ADDRESS` is reported through the logger and ignored: it never stops a service.
   */
  constructor(options: XRayUdpSpanExporterOptions = {}) {
    const sendFrom: unknown = options.sendFrom ?? 'main-thread';
    if (sendFrom !== 'main-thread' && sendFrom !== 'worker-thread') {
      throw new ExporterOptionError(`sendFrom must be 'main-thread' or 'worker-thread', got ${describe(sendFrom)}`);
    }
    this.options = resolveTranslateOptions(options);
    const address = resolveDaemonAddress(options.daemonAddress, process.env, this.options.logger);
    const senderOptions = { logger: this.options.logger };
    this.sender = sendFrom === 'worker-thread' ? new WorkerSender(address.udp, senderOptions) : new MainThreadSender(address.udp, senderOptions);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new ExporterShutDownError('XRayUdpSpanExporter is shut down') });
      return;
    }
    let documents: readonly SerializedDocument[];
    try {
      this.spansReceived += spans.length;
      const result = assembleDocuments(spans, this.options);
      this.unsampledSkipped += result.unsampled;
      this.spansDropped += result.dropped;
      documents = result.documents;
      this.documentsExported += documents.length;
    } catch (err) {
      this.options.logger.error(`X-Ray exporter failed to translate a batch of ${spans.length} spans`, err);
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    // UDP has no acknowledgement: handing the datagrams to the socket is the whole export.
    this.sender.send(documents, () => resultCallback({ code: ExportResultCode.SUCCESS }));
  }

  /** Resolves once the sender has closed; a second call waits for the same. */
  shutdown(): Promise<void> {
    this.isShutdown = true;
    return this.sender.close();
  }

  /**
   * Resolves once every export so far has been handed to the socket (from a worker thread: once
   * the worker says so). Call it, or `shutdown()`, before reading `stats()` or exiting: a
   * provider's `forceFlush()` exports what its processor still holds, but does not wait for an
   * export the processor had already started.
   */
  forceFlush(): Promise<void> {
    return this.sender.flush();
  }

  stats(): XRayExporterStats {
    const udp = this.sender.stats();
    return {
      spansReceived: this.spansReceived,
      unsampledSkipped: this.unsampledSkipped,
      spansDropped: this.spansDropped,
      documentsExported: this.documentsExported,
      datagramsSent: udp.datagramsSent,
      bytesSent: udp.bytesSent,
      datagramsDropped: udp.dropped,
      sendErrors: udp.sendErrors,
    };
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
