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
  datagramsSent: number;
  bytesSent: number;
  /** Datagrams lost to an error, by error code (EMSGSIZE, ENOTFOUND, …). */
  sendErrors: Record<string, number>;
  /** Datagrams not attempted: sent after `close()`, or beyond the queue while the address was unknown. */
  dropped: number;
}

const DEFAULT_REFRESH_MS = 60_000;
/** Datagrams held while a hostname is resolved for the first time. */
const MAX_QUEUED = 1000;
/** A failed first resolution is retried after this long (or `refreshMs`, if shorter), not on every send. */
const MAX_RETRY_MS = 5_000;
/** How long `close()` waits for datagrams already handed to the socket. */
const CLOSE_GRACE_MS = 1_000;

// Prefer IPv4 as the X-Ray SDKs do (they only open udp4 sockets): `localhost` often resolves to
// ::1 first, while the daemon listens on 127.0.0.1 by default. `verbatim` covers Node < 20.13.
const LOOKUP_OPTIONS: LookupOneOptions = Object.freeze({ family: 0, order: 'ipv4first', verbatim: false });

interface SocketSlot {
  readonly socket: Socket;
  /** Datagrams given to `socket.send` and not yet called back; lost if the socket dies. */
  inFlight: number;
  dead: boolean;
  readonly onSent: (err: Error | null, bytes: number) => void;
}

/**
 * Sends datagrams to the X-Ray daemon over one reused, unref'd UDP socket per address family.
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
  private family: 4 | 6 = 4;
  private lookupInFlight = false;
  private lastLookupAt = -Infinity;
  private lastLookupError: string | undefined;

  private sock4: SocketSlot | undefined;
  private sock6: SocketSlot | undefined;
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
    if (this.literal) {
      this.address = endpoint.host;
      this.family = ipVersion === 6 ? 6 : 4;
    }
  }

  /**
   * Hands every datagram to the socket, then calls `callback` once all have been handed over
   * (at once when there is nothing to send or sending is impossible).
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
      this.fire(callback);
      return;
    }

    if (this.address === undefined) {
      this.sendUnresolved(datagrams, callback);
      return;
    }
    if (!this.literal && !this.lookupInFlight && Date.now() - this.lastLookupAt >= this.refreshMs) {
      this.startLookup();
    }

    const slot = this.slotFor(this.family);
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
   * Stops sending: later sends are dropped. Datagrams already handed to the socket get a moment
   * to leave; datagrams still waiting for DNS are dropped. Safe to call more than once.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    if (this.queue.length > 0) {
      this.dropped += this.queue.length;
      this.settle(this.queue.length);
      this.queue.length = 0;
    }
    this.closing = new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const slots = [this.sock4, this.sock6];
        this.sock4 = undefined;
        this.sock6 = undefined;
        let open = 0;
        const closed = (): void => {
          if (--open === 0) resolve();
        };
        for (const slot of slots) {
          if (slot === undefined) continue;
          this.dropped += this.killSlot(slot);
          open++;
          try {
            slot.socket.close(closed);
          } catch {
            closed(); // already closed after an error
          }
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
      this.fire(callback);
      return;
    }
    const room = MAX_QUEUED - this.queue.length;
    const take = Math.min(n, room);
    if (take < n) {
      this.dropped += n - take;
      this.warnings.warn(
        'queue-full',
        `X-Ray daemon host ${JSON.stringify(this.hostname)} is still being resolved and ${MAX_QUEUED} datagrams are waiting; dropped ${n - take}`,
      );
    }
    for (let i = 0; i < take; i++) this.queue.push(datagrams[i]!);
    if (take > 0) {
      this.accepted += take;
      this.pushWaiter(this.accepted, callback);
    }
    if (!this.lookupInFlight) this.startLookup();
    if (take === 0) this.fire(callback);
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
    this.address = address;
    this.family = isIP(address) === 6 ? 6 : 4;
    if (this.queue.length > 0) {
      const slot = this.slotFor(this.family);
      const queued = this.queue.splice(0);
      for (const d of queued) this.issue(slot, d);
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
    slot.inFlight++;
    try {
      slot.socket.send(datagram, this.port, this.address, slot.onSent);
    } catch (err) {
      // dgram throws synchronously only for misuse (e.g. a socket closed under us).
      slot.onSent(err as Error, 0);
    }
  }

  private slotFor(family: 4 | 6): SocketSlot {
    const existing = family === 6 ? this.sock6 : this.sock4;
    if (existing !== undefined) return existing;
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    // A tracing socket must never be what keeps the process alive.
    socket.unref();
    const slot: SocketSlot = {
      socket,
      inFlight: 0,
      dead: false,
      onSent: (err, bytes) => {
        if (slot.dead) return;
        slot.inFlight--;
        if (err !== null) {
          const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
          this.countError(code, 1);
          this.warnings.warn(code, this.describe(code, err));
        } else {
          this.datagramsSent++;
          this.bytesSent += bytes;
        }
        this.settle(1);
      },
    };
    // With send callbacks, dgram emits 'error' only when the implicit bind fails; the datagrams
    // it queued for after the bind are then discarded without callbacks, so settle them here.
    socket.on('error', (err) => {
      if (slot.dead) return;
      const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      // Counted before settling: a waiter fired by the settle may read stats().
      this.countError(code, slot.inFlight);
      const lost = this.killSlot(slot);
      if (this.sock4 === slot) this.sock4 = undefined;
      if (this.sock6 === slot) this.sock6 = undefined;
      try {
        socket.close();
      } catch {
        // already closed
      }
      this.warnings.warn(code, `X-Ray UDP socket failed (${err.message}); dropped ${lost} datagram(s)`);
    });
    if (family === 6) this.sock6 = slot;
    else this.sock4 = slot;
    return slot;
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
