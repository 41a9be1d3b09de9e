import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExporterShutDownError } from '../common/errors.js';
import { resolveDaemonAddress } from '../transport/address.js';
import { encodeDatagram } from '../transport/header.js';
import { UdpClient } from '../transport/udp-client.js';
import { assembleDocuments } from './assemble.js';
import { resolveTranslateOptions, type TranslateOptions } from './options.js';
import type { ResolvedTranslateOptions } from './translate/context.js';

export interface XRayUdpSpanExporterOptions extends TranslateOptions {
  /**
   * Where the daemon listens: `host:port` or `udp:host:port tcp:host:port`. The environment
   * variable `AWS_XRAY_DAEMON_ADDRESS` wins, as in the X-Ray SDKs; default `127.0.0.1:2000`.
   */
  daemonAddress?: string;
}

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
  /** Datagrams the UDP client gave up on without an error from the socket (closed, queue full while resolving or connecting). */
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
  private readonly client: UdpClient;
  private isShutdown = false;
  private spansReceived = 0;
  private documentsExported = 0;
  private unsampledSkipped = 0;
  private spansDropped = 0;

  /**
   * @throws Error naming the value when the `daemonAddress` option is malformed. A malformed
   * `AWS_XRAY_DAEMON_ADDRESS` is reported through the logger and ignored: it never stops a service.
   */
  constructor(options: XRayUdpSpanExporterOptions = {}) {
    this.options = resolveTranslateOptions(options);
    const address = resolveDaemonAddress(options.daemonAddress, process.env, this.options.logger);
    this.client = new UdpClient(address.udp, { logger: this.options.logger });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new ExporterShutDownError('XRayUdpSpanExporter is shut down') });
      return;
    }
    let datagrams: Buffer[];
    try {
      this.spansReceived += spans.length;
      const result = assembleDocuments(spans, this.options);
      this.unsampledSkipped += result.unsampled;
      this.spansDropped += result.dropped;
      datagrams = new Array<Buffer>(result.documents.length);
      for (let i = 0; i < result.documents.length; i++) {
        const doc = result.documents[i]!;
        datagrams[i] = encodeDatagram(doc.json, doc.bytes);
      }
      this.documentsExported += datagrams.length;
    } catch (err) {
      this.options.logger.error(`X-Ray exporter failed to translate a batch of ${spans.length} spans`, err);
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    // UDP has no acknowledgement: handing the datagrams to the socket is the whole export.
    this.client.send(datagrams, () => resultCallback({ code: ExportResultCode.SUCCESS }));
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.client.close();
  }

  /** Nothing is buffered here: every export is handed to the socket before it calls back. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  stats(): XRayExporterStats {
    const udp = this.client.stats();
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
