import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { RateLimitedLog, resolveLogger, type Logger } from '../logger.js';
import type { DaemonEndpoint } from './address.js';
import { HARD_MAX_DATAGRAM_BYTES } from './header.js';

/** The callback form of `dns.lookup` this client uses; `dns.lookup` itself fits. */
export type LookupFunction = (
  hostname: string,
  options: LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
) => void;

export interface UdpClientOptions {
  /** Where warnings go (default: stderr, level from `AWS_XRAY_LOG_LEVEL`, `warn` when unset). */
  logger?: Logger;
  /** How often a hostname is re-resolved, in ms (default 60,000). */
  refreshMs?: number;
  /** Replaces `dns.lookup` (tests). */
  lookup?: LookupFunction;
}

export interface UdpClientStats {
  /** Datagrams the socket took, less those the host refused afterwards (see `sendErrors`). */
  datagramsSent: number;
  /** Bytes in `datagramsSent` (a refused datagram is taken to be the socket's latest). */
  bytesSent: number;
  /**
   * Datagrams lost to an error, by error code (EMSGSIZE, ENOTFOUND, …). ECONNREFUSED and the other
   * ICMP "unreachable" codes count datagrams the host turned away: the kernel keeps one such error
   * per socket until it is read, so a burst to a port nobody listens on is under-counted.
   */
  sendErrors: Record<string, number>;
  /** Datagrams not attempted: sent after `close()`, or beyond the queue while the address was unknown or the socket connecting. */
  dropped: number;
}

const DEFAULT_REFRESH_MS = 60_000;
/** Datagrams held while a hostname is resolved for the first time, or while the socket connects. */
const MAX_QUEUED = 1000;
/** A failed first resolution is retried after this long (or `refreshMs`, if shorter), not on every send. */
const MAX_RETRY_MS = 5_000;
/** A socket that failed to connect tries again after this long (sending with the address meanwhile). */
const CONNECT_RETRY_MS = 5_000;
/** How long `close()` waits for datagrams already handed to the socket. */
const CLOSE_GRACE_MS = 1_000;

// Prefer IPv4 as the X-Ray SDKs do (they only open udp4 sockets): `localhost` often resolves to
// ::1 first, while the daemon listens on 127.0.0.1 by default. `verbatim` covers Node < 20.13.
const LOOKUP_OPTIONS: LookupOneOptions = Object.freeze({ family: 0, order: 'ipv4first', verbatim: false });

/**
 * Errors a socket reports for a datagram it sent earlier, from an ICMP "unreachable" answer
 * (ECONNRESET is how Windows reports "port unreachable"). They say nothing is listening there yet,
 * not that the socket is broken.
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * A socket is connected to its address once it has been idle: a connected socket's `send` skips
 * dgram's per-call address lookup and its extra tick, about 2 µs per datagram. Until then, and
 * if connecting fails, it sends with the address each time.
 */
type SlotState = 'unconnected' | 'connecting' | 'connected';

interface SocketSlot {
  readonly socket: Socket;
  /** The IP this socket sends to; a new address gets a new socket. */
  readonly address: string;
  state: SlotState;
  /** While unconnected: connecting is tried again, when idle, from this time on (0: at once). */
  connectAfter: number;
  /** Datagrams given to `socket.send` and not yet called back; lost if the socket dies. */
  inFlight: number;
  /** The size of the latest datagram sent, the likeliest one an ICMP error is about. */
  lastBytes: number;
  dead: boolean;
  /** Replaced after the address changed: closed once its last datagram is called back. */
  retired: boolean;
  readonly onSent: (err: Error | null, bytes: number) => void;
}

/**
 * Sends datagrams to the X-Ray daemon over one reused, unref'd UDP socket, connected to the
 * daemon's address after its first datagrams (a new socket when a hostname re-resolves elsewhere).
 * Never throws and never lets an `'error'` event escape: failures are counted and reported at
 * most once a minute per kind, because tracing must not take the application down.
 */
export class UdpClient {
  private readonly port: number;
  private readonly hostname: string;
  private readonly literal: boolean;
  private readonly logger: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly refreshMs: number;
  private readonly retryMs: number;
  private readonly lookup: LookupFunction;

  /** The IP datagrams go to; undefined until a hostname has been resolved once. */
  private address: string | undefined;
  private lookupInFlight = false;
  private lastLookupAt = -Infinity;
  private lastLookupError: string | undefined;

  /** The socket for `address`; undefined before the first send and after it failed. */
  private slot: SocketSlot | undefined;
  /** Sockets for a previous address, closed once their datagrams have been called back. */
  private readonly retired = new Set<SocketSlot>();
  /** Datagrams waiting for the first resolution, or for `slot` to connect. */
  private readonly queue: (Buffer | string)[] = [];

  // Completion is tracked with two counters and a FIFO of thresholds instead of a closure per
  // `send` call: a batch's callback fires once every datagram accepted up to it has settled.
  private accepted = 0;
  private settled = 0;
  private readonly waitUntil: number[] = [];
  private readonly waiters: (() => void)[] = [];

  private closed = false;
  private closing: Promise<void> | undefined;

  private datagramsSent = 0;
  private bytesSent = 0;
  private dropped = 0;
  private readonly sendErrors: Record<string, number> = {};

  constructor(endpoint: DaemonEndpoint, options: UdpClientOptions = {}) {
    this.port = endpoint.port;
    this.hostname = endpoint.host;
    this.logger = resolveLogger(options.logger);
    this.warnings = new RateLimitedLog(this.logger);
    const refresh = options.refreshMs;
    this.refreshMs = refresh !== undefined && Number.isFinite(refresh) && refresh >= 0 ? refresh : DEFAULT_REFRESH_MS;
    this.retryMs = Math.min(this.refreshMs, MAX_RETRY_MS);
    this.lookup = options.lookup ?? dnsLookup;
    const ipVersion = isIP(endpoint.host);
    this.literal = ipVersion !== 0;
    if (this.literal) this.address = endpoint.host;
  }

  /**
   * Hands every datagram to the socket, then calls `callback` once all have been handed over.
   * Callbacks come in the order of the sends (a flush waits on that), also for a send with
   * nothing to hand over (empty, or dropped): it is called back once the sends before it are.
   * After `close()`, at once.
   */
  send(datagrams: readonly (Buffer | string)[], callback: () => void): void {
    const n = datagrams.length;
    if (this.closed) {
      if (n > 0) {
        this.dropped += n;
        this.warnings.warn('closed', `X-Ray UDP client is closed; dropped ${n} datagram(s)`);
      }
      this.fire(callback);
      return;
    }
    if (n === 0) {
      this.pushWaiter(this.accepted, callback);
      return;
    }

    if (this.address === undefined) {
      this.sendUnresolved(datagrams, callback);
      return;
    }
    if (!this.literal && !this.lookupInFlight && Date.now() - this.lastLookupAt >= this.refreshMs) {
      this.startLookup();
    }

    const slot = this.slot ?? this.openSlot(this.address);
    if (slot.state === 'connecting') {
      // dgram throws for a send without an address until `connect` has called back.
      this.hold(datagrams, callback);
      return;
    }
    this.accepted += n;
    this.waitUntil.push(this.accepted);
    this.waiters.push(callback);
    for (let i = 0; i < n; i++) this.issue(slot, datagrams[i]!);
  }

  stats(): UdpClientStats {
    return {
      datagramsSent: this.datagramsSent,
      bytesSent: this.bytesSent,
      sendErrors: { ...this.sendErrors },
      dropped: this.dropped,
    };
  }

  /**
   * Stops sending: later sends are dropped. Datagrams already handed to the socket, or waiting
   * for it to connect, get a moment to leave; datagrams still waiting for DNS are dropped. Safe to
   * call more than once.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    if (this.slot?.state !== 'connecting') this.dropQueue();
    this.closing = new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.dropQueue();
        const slots = [...this.retired];
        if (this.slot !== undefined) slots.push(this.slot);
        this.slot = undefined;
        this.retired.clear();
        let open = 0;
        const closed = (): void => {
          if (--open === 0) resolve();
        };
        for (const slot of slots) {
          this.dropped += this.killSlot(slot);
          open++;
          this.closeSocket(slot, closed);
        }
        if (open === 0) resolve();
      };
      // Without a bound, one send callback that never comes would hang shutdown.
      const timer = setTimeout(finish, CLOSE_GRACE_MS);
      timer.unref();
      this.pushWaiter(this.accepted, finish);
    });
    return this.closing;
  }

  private sendUnresolved(datagrams: readonly (Buffer | string)[], callback: () => void): void {
    const n = datagrams.length;
    if (!this.lookupInFlight && Date.now() - this.lastLookupAt < this.retryMs) {
      // The last resolution failed moments ago; asking again per batch would hammer DNS.
      const code = this.lastLookupError ?? 'ENOTFOUND';
      this.countError(code, n);
      this.warnings.warn(code, `cannot resolve X-Ray daemon host ${JSON.stringify(this.hostname)} (${code}); dropped ${n} datagram(s)`);
      this.pushWaiter(this.accepted, callback);
      return;
    }
    this.hold(datagrams, callback);
    if (!this.lookupInFlight) this.startLookup();
  }

  /** Queues datagrams until the address is known and the socket not connecting, at most `MAX_QUEUED`. */
  private hold(datagrams: readonly (Buffer | string)[], callback: () => void): void {
    const n = datagrams.length;
    const take = Math.min(n, MAX_QUEUED - this.queue.length);
    if (take < n) {
      this.dropped += n - take;
      const why =
        this.address === undefined
          ? `X-Ray daemon host ${JSON.stringify(this.hostname)} is still being resolved`
          : `the X-Ray UDP socket to ${this.address}:${this.port} is still connecting`;
      this.warnings.warn('queue-full', `${why} and ${MAX_QUEUED} datagrams are waiting; dropped ${n - take}`);
    }
    for (let i = 0; i < take; i++) this.queue.push(datagrams[i]!);
    this.accepted += take;
    this.pushWaiter(this.accepted, callback);
  }

  /** Drops what waits in the queue, counted as dropped. */
  private dropQueue(): void {
    const n = this.queue.length;
    if (n === 0) return;
    this.queue.length = 0;
    this.dropped += n;
    this.settle(n);
  }

  /** Sends what waits in the queue through `slot`, in order. */
  private flush(slot: SocketSlot): void {
    if (this.queue.length === 0) return;
    const queued = this.queue.splice(0);
    for (const d of queued) this.issue(slot, d);
  }

  private startLookup(): void {
    this.lookupInFlight = true;
    try {
      this.lookup(this.hostname, LOOKUP_OPTIONS, this.onLookup);
    } catch (err) {
      this.onLookup(err as NodeJS.ErrnoException, '');
    }
  }

  private readonly onLookup = (err: NodeJS.ErrnoException | null, address: string): void => {
    this.lookupInFlight = false;
    this.lastLookupAt = Date.now();
    if (this.closed) return;
    if (err !== null || typeof address !== 'string' || isIP(address) === 0) {
      const code = err?.code ?? 'ENOTFOUND';
      this.lastLookupError = code;
      const queued = this.queue.length;
      if (this.address !== undefined) {
        this.warnings.warn(
          code,
          `cannot re-resolve X-Ray daemon host ${JSON.stringify(this.hostname)} (${code}); still sending to ${this.address}`,
        );
        return;
      }
      this.warnings.warn(
        code,
        `cannot resolve X-Ray daemon host ${JSON.stringify(this.hostname)} (${code}${err !== null ? `: ${err.message}` : ''}); dropped ${queued} datagram(s)`,
      );
      this.queue.length = 0;
      this.countError(code, queued);
      this.settle(queued);
      return;
    }
    this.lastLookupError = undefined;
    if (address !== this.address) {
      this.address = address;
      // Datagrams follow the daemon: the old socket finishes what it holds, a new one takes the rest.
      if (this.slot !== undefined) this.retire(this.slot);
    }
    if (this.queue.length > 0) {
      const slot = this.slot ?? this.openSlot(address);
      if (slot.state !== 'connecting') this.flush(slot);
    }
  };

  private issue(slot: SocketSlot, datagram: Buffer | string): void {
    // A string's length in UTF-16 units never exceeds its UTF-8 size, so this check is exact in
    // one direction and free; larger-than-allowed UTF-8 strings still get EMSGSIZE from dgram.
    if (datagram.length > HARD_MAX_DATAGRAM_BYTES) {
      const size = typeof datagram === 'string' ? Buffer.byteLength(datagram) : datagram.length;
      this.countError('EMSGSIZE', 1);
      this.warnings.warn(
        'EMSGSIZE',
        `dropped a ${size}-byte datagram: UDP carries at most ${HARD_MAX_DATAGRAM_BYTES} bytes (EMSGSIZE)`,
      );
      this.settle(1);
      return;
    }
    if (slot.state === 'connecting') {
      // A batch whose sends called back synchronously (an error) left the socket idle, so it began
      // to connect: the rest waits with the queue.
      this.queue.push(datagram);
      return;
    }
    slot.inFlight++;
    try {
      if (slot.state === 'connected') slot.socket.send(datagram, slot.onSent);
      else slot.socket.send(datagram, this.port, slot.address, slot.onSent);
    } catch (err) {
      // dgram throws synchronously only for misuse (e.g. a socket closed under us).
      slot.onSent(err as Error, 0);
    }
  }

  private openSlot(address: string): SocketSlot {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    // A tracing socket must never be what keeps the process alive.
    socket.unref();
    const slot: SocketSlot = {
      socket,
      address,
      state: 'unconnected',
      connectAfter: 0,
      inFlight: 0,
      lastBytes: 0,
      dead: false,
      retired: false,
      onSent: (err, bytes) => this.onSent(slot, err, bytes),
    };
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(slot, err));
    this.slot = slot;
    return slot;
  }

  private onSent(slot: SocketSlot, err: Error | null, bytes: number): void {
    if (slot.dead) return;
    slot.inFlight--;
    if (err !== null) {
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      this.countError(code, 1);
      this.warnings.warn(code, this.describe(code, err));
    } else {
      this.datagramsSent++;
      this.bytesSent += bytes;
      slot.lastBytes = bytes;
    }
    this.settle(1);
    // Read after settling: the callbacks it fired may have sent more, or closed the client.
    if (slot.inFlight === 0 && !slot.dead) this.onIdle(slot);
  }

  /**
   * Connects an idle socket, or closes it if it was retired. Only when idle: a send given the
   * address that dgram has not finished would fail with EISCONN once the socket is connected,
   * and the first burst of datagrams goes out at once instead of waiting in the queue.
   */
  private onIdle(slot: SocketSlot): void {
    if (slot.retired) {
      this.retired.delete(slot);
      this.killSlot(slot);
      this.closeSocket(slot);
    } else if (slot.state === 'unconnected' && !this.closed && (slot.connectAfter === 0 || Date.now() >= slot.connectAfter)) {
      slot.state = 'connecting';
      try {
        slot.socket.connect(this.port, slot.address, (err?: Error) => this.onConnect(slot, err));
      } catch (err) {
        this.onConnect(slot, err as Error);
      }
    }
  }

  private onConnect(slot: SocketSlot, err: Error | undefined): void {
    if (slot.dead) return;
    if (err === undefined) {
      slot.state = 'connected';
    } else {
      // Sending with the address still works wherever connecting does not; try again later.
      slot.state = 'unconnected';
      slot.connectAfter = Date.now() + CONNECT_RETRY_MS;
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      this.warnings.warn(
        `connect ${code}`,
        `cannot connect the X-Ray UDP socket to ${slot.address}:${this.port} (${err.message}); sending without connecting`,
      );
    }
    if (slot === this.slot) this.flush(slot);
  }

  private onSocketError(slot: SocketSlot, err: NodeJS.ErrnoException): void {
    if (slot.dead) return;
    const code = err.code ?? 'UNKNOWN';
    if (err.syscall === 'recvmsg' && UNREACHABLE.has(code)) {
      // A connected socket hears the ICMP answer to a datagram it sent earlier, already counted as
      // sent: it was lost after all. The socket itself is fine, and the daemon may yet start.
      if (this.datagramsSent > 0) {
        this.datagramsSent--;
        this.bytesSent = Math.max(0, this.bytesSent - slot.lastBytes);
        this.countError(code, 1);
      }
      this.warnings.warn(code, this.describe(code, err));
      return;
    }
    // Any other 'error' (with send callbacks, dgram emits one when the implicit bind fails, and
    // discards the sends it queued for after it without calling back) ends this socket: what it
    // holds, and what waits for it to connect, is settled as lost; the next send opens a new one.
    const queued = this.slot === slot && slot.state === 'connecting' ? this.queue.length : 0;
    const lost = slot.inFlight + queued;
    // Counted before settling: a waiter fired by the settle may read stats().
    this.countError(code, lost);
    if (this.slot === slot) this.slot = undefined;
    this.retired.delete(slot);
    if (queued > 0) this.queue.length = 0;
    this.killSlot(slot);
    this.settle(queued);
    this.closeSocket(slot);
    this.warnings.warn(code, `X-Ray UDP socket failed (${err.message}); dropped ${lost} datagram(s)`);
  }

  /** Sends the rest to a new socket; this one is closed once its datagrams have been called back. */
  private retire(slot: SocketSlot): void {
    this.slot = undefined;
    slot.retired = true;
    if (slot.inFlight === 0) this.onIdle(slot);
    else this.retired.add(slot);
  }

  private closeSocket(slot: SocketSlot, closed?: () => void): void {
    try {
      slot.socket.close(closed);
    } catch {
      closed?.(); // already closed after an error
    }
  }

  /** Marks a socket's outstanding datagrams settled so no waiter can hang on them; returns how many. */
  private killSlot(slot: SocketSlot): number {
    if (slot.dead) return 0;
    slot.dead = true;
    const lost = slot.inFlight;
    slot.inFlight = 0;
    this.settle(lost);
    return lost;
  }

  private describe(code: string, err: Error): string {
    const where = `${this.hostname}:${this.port}`;
    if (code === 'ECONNREFUSED') return `nothing listens at X-Ray daemon ${where} (ECONNREFUSED); is the daemon running?`;
    if (code === 'EMSGSIZE') return `a datagram to X-Ray daemon ${where} is too large for UDP here (EMSGSIZE)`;
    return `cannot send to X-Ray daemon ${where}: ${err.message}`;
  }

  private countError(code: string, n: number): void {
    if (n > 0) this.sendErrors[code] = (this.sendErrors[code] ?? 0) + n;
  }

  private pushWaiter(until: number, callback: () => void): void {
    this.waitUntil.push(until);
    this.waiters.push(callback);
    this.drain();
  }

  private settle(n: number): void {
    if (n <= 0) return;
    this.settled += n;
    this.drain();
  }

  private drain(): void {
    while (this.waitUntil.length > 0 && this.waitUntil[0]! <= this.settled) {
      this.waitUntil.shift();
      this.fire(this.waiters.shift()!);
    }
  }

  private fire(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      // A throwing callback must not surface inside a dgram callback and crash the process.
      this.logger.error('X-Ray UDP client: send callback threw', err);
    }
  }
}
