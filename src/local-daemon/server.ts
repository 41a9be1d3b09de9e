import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { SegmentDocument } from '../exporter/document.js';
import { ListenError } from '../common/errors.js';
import { DEFAULT_DAEMON_ADDRESS, parseDaemonAddress, type DaemonAddress, type DaemonEndpoint } from '../transport/address.js';
import type { SamplingRule } from './sampling.js';
import { SamplingService } from './sampling-service.js';
import { isAssemblable, TraceAssembler, type AssembledTrace } from './traces.js';
import { checkDatagram, prepareValidator, type CheckedDatagram, type DatagramReport } from './validate.js';
import { createWebHandler, parseHttpAddress } from './web.js';

/** The real daemon's default: listening where the SDKs send by default. */
export const DEFAULT_LISTEN_ADDRESS = DEFAULT_DAEMON_ADDRESS;

export interface LocalDaemonOptions {
  /**
   * Where to listen: `host:port` (UDP and TCP) or `udp:host:port tcp:host:port`, as in
   * `AWS_XRAY_DAEMON_ADDRESS`; port 0 picks a free port. Default 127.0.0.1:2000.
   */
  address?: string | DaemonAddress;
  /** Serve the web page: `host:port`, a bare port (loopback), or an endpoint. Off by default. */
  http?: string | DaemonEndpoint | false;
  /** Rules for the sampling endpoints (default: X-Ray's default rule, or `samplingRulesFile`'s). */
  samplingRules?: SamplingRule[];
  /** A rules file to serve, re-read when it changes; errors in a changed file are 'warning' events. */
  samplingRulesFile?: string;
  /** The `Interval` (seconds) samplers are told to come back after for targets (default 10, as X-Ray). */
  samplingIntervalSeconds?: number;
  /** Append accepted documents to this file as JSON Lines. */
  out?: string;
  /** A trace is reported after this long without new documents (default 1000 ms). */
  quietMs?: number;
  /** ...or this long when a parent is missing or something is in progress (default 5 × quietMs). */
  incompleteQuietMs?: number;
  /** Traces kept for the web page; the oldest are forgotten first, and counted (default 1000). */
  maxTraces?: number;
  /** Rejected datagrams kept for the web page; the oldest are forgotten first (default 100). */
  maxRejections?: number;
  /**
   * Bytes of documents kept in traces (default 64 MiB): the oldest traces are forgotten first,
   * so memory stays bounded whatever senders do. Every loss is counted in `stats`.
   */
  maxStoredBytes?: number;
}

/** One received datagram and its verdict. */
export interface DatagramEvent extends DatagramReport {
  from: { address: string; port: number };
  receivedAt: number;
  /**
   * The document exactly as received, on one line, when it parsed as a JSON object: copying it
   * out needs no re-serialising (which a deeply nested document would overflow).
   */
  documentJson: string | null;
}

export interface LocalDaemonAddress {
  udp: DaemonEndpoint;
  tcp: DaemonEndpoint;
  /** The value to give senders as `AWS_XRAY_DAEMON_ADDRESS`. */
  daemonAddress: string;
  /** The web page, when enabled. */
  http: (DaemonEndpoint & { url: string }) | undefined;
}

export interface LocalDaemonStats {
  datagrams: number;
  /** Documents X-Ray would take, with or without loss. */
  accepted: number;
  /** Of those, the ones X-Ray takes with parts dropped. */
  acceptedWithLoss: number;
  rejected: number;
  /** Traces reported (a trace updated by late documents counts again). */
  traces: number;
  /** Traces forgotten to stay within maxTraces / maxStoredBytes. */
  tracesDropped: number;
  /** Documents not kept because their trace alone exceeded maxStoredBytes. */
  documentsDropped: number;
  /** Rejected datagrams forgotten beyond maxRejections. */
  rejectionsDropped: number;
  /** Lines not written to `out` because the file could not keep up (16 MiB waiting). */
  outDropped: number;
  /** Failures inside the stand-in or in a listener; each was reported, none stopped it. */
  internalErrors: number;
}

export { ListenError };

const DEFAULT_MAX_REJECTIONS = 100;
/** Lines waiting for the `out` file beyond this are dropped (and counted) rather than buffered without end. */
const OUT_BACKLOG_LIMIT = 16 * 1024 * 1024;

export interface LocalDaemonEvents {
  /** Every datagram, with its verdict. */
  datagram: [DatagramEvent];
  /** A trace that has gone quiet (again, with a higher revision, if late documents arrive). */
  trace: [AssembledTrace];
  error: [Error];
  /** Something the daemon carries on past, such as a changed rules file it cannot use. */
  warning: [string];
}

/** A running stand-in: start it with {@link startLocalDaemon}. */
export class LocalDaemon extends EventEmitter<LocalDaemonEvents> {
  private readonly counters = {
    datagrams: 0,
    accepted: 0,
    acceptedWithLoss: 0,
    rejected: 0,
    traces: 0,
    rejectionsDropped: 0,
    outDropped: 0,
    internalErrors: 0,
  };
  private readonly rejections: DatagramEvent[] = [];
  private closing: Promise<void> | undefined;
  private warnedProblem = false;

  /** @internal */
  constructor(
    readonly address: LocalDaemonAddress,
    private readonly udp: Socket,
    private readonly tcp: Server,
    private readonly web: Server | undefined,
    private readonly assembler: TraceAssembler,
    private readonly out: WriteStream | undefined,
    private readonly maxRejections: number,
    /** The sampling API's rules and what samplers reported. */
    readonly sampling: SamplingService,
  ) {
    super();
  }

  /** What arrived, what was kept and what was dropped, and why; a snapshot. */
  get stats(): LocalDaemonStats {
    return {
      ...this.counters,
      tracesDropped: this.assembler.droppedTraces,
      documentsDropped: this.assembler.droppedDocuments,
    };
  }

  /**
   * @internal Runs for every datagram, on the socket's callback: in-process that is the host
   * application's event loop, so nothing here may throw or block for long.
   */
  receive(msg: Buffer, from: { address: string; port: number }): void {
    let checked: CheckedDatagram;
    try {
      checked = checkDatagram(msg);
    } catch (err) {
      this.problem(err);
      const reason = `the stand-in could not check this datagram (${describeError(err)}); X-Ray's verdict is unknown`;
      checked = { report: { ok: false, verdict: 'rejected', errors: [reason], warnings: [], document: null, bytes: msg.length }, body: undefined };
    }
    const { report, body } = checked;
    const documentJson = report.document !== null && body !== undefined ? body.replace(NEWLINES, ' ') : null;
    const event: DatagramEvent = { ...report, from, receivedAt: Date.now(), documentJson };
    this.counters.datagrams++;
    try {
      if (report.ok && report.document) {
        this.counters.accepted++;
        if (report.warnings.length > 0) this.counters.acceptedWithLoss++;
        if (documentJson !== null) this.writeOut(documentJson);
        this.assembler.add(report.document as unknown as SegmentDocument, { warnings: report.warnings, bytes: report.bytes });
      } else {
        this.counters.rejected++;
        // Shown in its trace, marked, so the gap X-Ray would leave is visible where it happens.
        if (isAssemblable(report.document)) {
          this.assembler.add(report.document, { rejected: report.errors, warnings: report.warnings, bytes: report.bytes });
        }
        this.rejections.push(event);
        if (this.rejections.length > this.maxRejections) {
          this.rejections.shift();
          this.counters.rejectionsDropped++;
        }
      }
    } catch (err) {
      this.problem(err);
    }
    this.safeEmit('datagram', event);
  }

  /** @internal */
  traceFinished(trace: AssembledTrace): void {
    this.counters.traces++;
    this.safeEmit('trace', trace);
  }

  /**
   * @internal A failure inside the stand-in or a listener: counted, given to 'error' listeners,
   * else printed once as a process warning. Never thrown: in-process, a throw here would reach
   * the socket's callback and end the host application.
   */
  problem(err: unknown): void {
    this.counters.internalErrors++;
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', error);
        return;
      } catch {
        // An 'error' listener that throws is reported like any other failure: by the warning below.
      }
    }
    if (!this.warnedProblem) {
      this.warnedProblem = true;
      process.emitWarning(`local X-Ray daemon: ${error.message} (further problems are only counted in stats.internalErrors)`, 'XRayLocalDaemonWarning');
    }
  }

  private safeEmit<K extends 'datagram' | 'trace'>(event: K, ...args: LocalDaemonEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: LocalDaemonEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.problem(err);
    }
  }

  private writeOut(line: string): void {
    if (this.out === undefined) return;
    if (this.out.writableLength > OUT_BACKLOG_LIMIT) {
      this.counters.outDropped++;
      return;
    }
    this.out.write(line + '\n');
  }

  /** Known traces, newest first (including ones still waiting for quiet). */
  traces(): AssembledTrace[] {
    return this.assembler.list();
  }

  trace(traceId: string): AssembledTrace | undefined {
    return this.assembler.get(traceId);
  }

  /** The latest rejected datagrams, oldest first. */
  recentRejections(): DatagramEvent[] {
    return [...this.rejections];
  }

  /** Reports every trace still waiting for its quiet time now, as 'trace' events; returns them. */
  flush(): AssembledTrace[] {
    return this.assembler.flush();
  }

  /** Reports pending traces, then stops listening and closes `out`. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.assembler.flush();
      this.assembler.close();
      await Promise.all([
        new Promise<void>((resolve) => this.udp.close(() => resolve())),
        closeServer(this.tcp),
        this.web ? closeServer(this.web) : Promise.resolve(),
        this.out ? new Promise<void>((resolve) => this.out!.end(() => resolve())) : Promise.resolve(),
      ]);
    })();
    return this.closing;
  }
}

// In a JSON text that parsed, a line break can only be whitespace between tokens.
const NEWLINES = /[\r\n]/g;

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections from samplers or browsers would hold close() open indefinitely.
    server.closeAllConnections();
  });
}

/** Parses a listen address; unlike a daemon address for senders, port 0 (any free port) is allowed. */
export function parseListenAddress(text: string): DaemonAddress {
  return parseDaemonAddress(text, 0);
}

export function formatEndpoint(e: DaemonEndpoint): string {
  return isIP(e.host) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/**
 * Starts the stand-in. Rejects with a {@link ListenError} when an address is taken, a
 * `DaemonAddressError` for a bad `address` (or `AWS_XRAY_DAEMON_ADDRESS`), an
 * `HttpAddressError` for a bad `http`, a `SamplingRulesError` for a `samplingRulesFile` it
 * cannot use.
 */
export async function startLocalDaemon(options: LocalDaemonOptions = {}): Promise<LocalDaemon> {
  const wanted =
    typeof options.address === 'object' ? options.address : parseListenAddress(options.address ?? DEFAULT_LISTEN_ADDRESS);
  const httpWanted =
    options.http === undefined || options.http === false
      ? undefined
      : typeof options.http === 'string'
        ? parseHttpAddress(options.http)
        : options.http;

  await prepareValidator();

  // Opened first and synchronously, so a bad path fails before any port is taken.
  let out: WriteStream | undefined;
  if (options.out !== undefined) {
    let fd: number;
    try {
      fd = openSync(options.out, 'a');
    } catch (err) {
      throw new ListenError(`cannot open ${options.out} for appending: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined);
    }
    out = createWriteStream('', { fd });
  }

  // Sockets and the assembler exist before the daemon object does; they reach it through here.
  const ref: { daemon?: LocalDaemon } = {};
  const assembler = new TraceAssembler({
    quietMs: options.quietMs,
    incompleteQuietMs: options.incompleteQuietMs,
    maxTraces: options.maxTraces,
    maxBytes: options.maxStoredBytes,
    onTrace: (trace) => ref.daemon?.traceFinished(trace),
    onError: (err) => ref.daemon?.problem(err),
  });
  const sampling = new SamplingService({
    rules: options.samplingRules,
    rulesFile: options.samplingRulesFile,
    targetIntervalSeconds: options.samplingIntervalSeconds,
    onWarning: (message) => ref.daemon?.emit('warning', message),
  });

  let udp: Socket | undefined;
  let tcp: Server | undefined;
  let web: Server | undefined;
  try {
    const sharedFreePort =
      wanted.udp.port === 0 && wanted.tcp.port === 0 && wanted.udp.host === wanted.tcp.host;
    // Senders find the sampling endpoint at the UDP port, so with port 0 both must land on the
    // same number; another process can take it in between, hence the retries.
    for (let attempt = 0; ; attempt++) {
      udp = await bindUdp(wanted.udp, (msg, rinfo) => ref.daemon?.receive(msg, { address: rinfo.address, port: rinfo.port }));
      const udpPort = udp.address().port;
      try {
        tcp = await listenHttp(
          { host: wanted.tcp.host, port: sharedFreePort ? udpPort : wanted.tcp.port },
          guarded(sampling.listener, (err) => ref.daemon?.problem(err)),
          'TCP (sampling)',
        );
        break;
      } catch (err) {
        if (!sharedFreePort || attempt >= 10 || (err as ListenError).code !== 'EADDRINUSE') throw err;
        await new Promise<void>((resolve) => udp!.close(() => resolve()));
        udp = undefined;
      }
    }
    if (httpWanted) {
      web = await listenHttp(httpWanted, guarded(createWebHandler(() => ref.daemon, httpWanted.host), (err) => ref.daemon?.problem(err)), 'HTTP (web page)');
    }
  } catch (err) {
    udp?.close();
    if (tcp) await closeServer(tcp);
    if (web) await closeServer(web);
    out?.destroy();
    throw err;
  }

  const udpAddr = udp.address();
  const tcpAddr = tcp.address();
  if (tcpAddr === null || typeof tcpAddr === 'string') throw new Error('TCP server has no address');
  const udpEnd = { host: wanted.udp.host, port: udpAddr.port };
  const tcpEnd = { host: wanted.tcp.host, port: tcpAddr.port };
  let httpEnd: LocalDaemonAddress['http'];
  if (web && httpWanted) {
    const a = web.address();
    const port = a !== null && typeof a === 'object' ? a.port : httpWanted.port;
    const e = { host: httpWanted.host, port };
    const shownHost = isUnspecified(e.host) ? 'localhost' : e.host;
    httpEnd = { ...e, url: `http://${formatEndpoint({ host: shownHost, port })}/` };
  }
  const same = udpEnd.host === tcpEnd.host && udpEnd.port === tcpEnd.port;
  const daemonAddress = same
    ? formatEndpoint(udpEnd)
    : `udp:${formatEndpoint(udpEnd)} tcp:${formatEndpoint(tcpEnd)}`;
  const maxRejections = Math.max(0, options.maxRejections ?? DEFAULT_MAX_REJECTIONS);
  const daemon = new LocalDaemon({ udp: udpEnd, tcp: tcpEnd, daemonAddress, http: httpEnd }, udp, tcp, web, assembler, out, maxRejections, sampling);
  ref.daemon = daemon;
  // With no listener, an 'error' event would throw: every source reports through problem().
  udp.on('error', (err) => daemon.problem(err));
  tcp.on('error', (err) => daemon.problem(err));
  web?.on('error', (err) => daemon.problem(err));
  out?.on('error', (err) => daemon.problem(err));
  return daemon;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A request handler that answers 500 instead of throwing into the server (and the host application). */
function guarded(handler: RequestListener, onError: (err: unknown) => void): RequestListener {
  return (req, res) => {
    try {
      handler(req, res);
    } catch (err) {
      onError(err);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error in the local X-Ray daemon\n');
    }
  };
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

async function familyOf(host: string): Promise<4 | 6> {
  const ip = isIP(host);
  if (ip === 4 || ip === 6) return ip;
  try {
    const { family } = await lookup(host);
    return family === 6 ? 6 : 4;
  } catch (err) {
    throw new ListenError(`cannot resolve ${JSON.stringify(host)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'ENOTFOUND');
  }
}

function listenError(what: string, endpoint: DaemonEndpoint, err: NodeJS.ErrnoException): ListenError {
  const where = formatEndpoint(endpoint);
  switch (err.code) {
    case 'EADDRINUSE':
      return new ListenError(`${what} ${where} is already in use (another X-Ray daemon or stand-in running?); stop it or choose another address`, err.code);
    case 'EADDRNOTAVAIL':
      return new ListenError(`${what} ${where}: ${endpoint.host} is not an address of this machine`, err.code);
    case 'EACCES':
      return new ListenError(`${what} ${where}: permission denied (ports below 1024 need privileges)`, err.code);
    default:
      return new ListenError(`${what} ${where}: ${err.message}`, err.code);
  }
}

async function bindUdp(endpoint: DaemonEndpoint, onMessage: (msg: Buffer, rinfo: { address: string; port: number }) => void): Promise<Socket> {
  const family = await familyOf(endpoint.host);
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  socket.on('message', onMessage);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(listenError('UDP', endpoint, err));
    };
    socket.once('error', onError);
    socket.bind({ address: endpoint.host, port: endpoint.port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  try {
    // The kernel drops datagrams that arrive faster than we read; a bigger buffer absorbs bursts.
    socket.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    // The OS may cap the size; the default buffer still works.
  }
  return socket;
}

async function listenHttp(endpoint: DaemonEndpoint, handler: Parameters<typeof createServer>[0] & object, what: string): Promise<Server> {
  await familyOf(endpoint.host);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(what, endpoint, err)));
    server.listen({ host: endpoint.host, port: endpoint.port, exclusive: true }, () => resolve());
  });
  return server;
}
