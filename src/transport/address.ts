import { isIPv4, isIPv6 } from 'node:net';
import { resolveLogger, type Logger } from '../logger.js';
import { DaemonAddressError } from '../common/errors.js';

export interface DaemonEndpoint {
  host: string;
  port: number;
}

/** Segments go to `udp`; X-Ray SDK samplers talk to `tcp` (the daemon's signing proxy). */
export interface DaemonAddress {
  udp: DaemonEndpoint;
  tcp: DaemonEndpoint;
}

export const DEFAULT_DAEMON_ADDRESS = '127.0.0.1:2000';

const ENV_VAR = 'AWS_XRAY_DAEMON_ADDRESS';

const ACCEPTED_FORMS =
  'Accepted forms: "host:port" (UDP and TCP both; host is an IPv4 address, a hostname or a bracketed IPv6 address, ' +
  'e.g. "127.0.0.1:2000", "xray-daemon:2000", "[::1]:2000"), or "udp:host:port tcp:host:port" (either order, separated by a space).';

// Brackets are the only way to tell an IPv6 address's colons from the port separator.
const ENDPOINT = /^(?:\[([^\][\s]+)\]|([^\][\s:]+)):([^\s:]*)$/;
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
// A host made of digits and dots is meant as an IPv4 address, so "300.1.1.1" must not pass as a hostname.
const NUMERIC_HOST = /^[\d.]+$/;
const PORT = /^\d{1,5}$/;
const TWO_PARTS = /^(udp|tcp):(\S+?)(?:\s*,\s*|\s+)(udp|tcp):(\S+)$/i;
const PROTOCOL_PREFIX = /^(?:udp|tcp):/i;

function addressError(value: string, reason: string): DaemonAddressError {
  return new DaemonAddressError(`Invalid X-Ray daemon address ${JSON.stringify(value)}: ${reason}. ${ACCEPTED_FORMS}`);
}

function parseEndpoint(text: string, whole: string, what: string, minPort: number): DaemonEndpoint {
  const m = ENDPOINT.exec(text);
  if (m === null) {
    throw addressError(whole, `${what}${JSON.stringify(text)} is not host:port`);
  }
  const [, bracketed, plain, portText = ''] = m;
  let host: string;
  if (bracketed !== undefined) {
    if (!isIPv6(bracketed)) throw addressError(whole, `${what}[${bracketed}] is not an IPv6 address`);
    host = bracketed;
  } else {
    host = plain ?? '';
    const valid = NUMERIC_HOST.test(host) ? isIPv4(host) : HOSTNAME.test(host);
    if (!valid) throw addressError(whole, `${what}${JSON.stringify(host)} is neither an IPv4 address nor a hostname`);
  }
  const port = PORT.test(portText) ? Number(portText) : NaN;
  if (!(port >= minPort && port <= 65535)) {
    throw addressError(whole, `${what}port ${JSON.stringify(portText)} is not an integer from ${minPort} to 65535`);
  }
  return { host, port };
}

/**
 * Parses the `AWS_XRAY_DAEMON_ADDRESS` syntax; throws an `Error` naming the bad value and the
 * accepted forms. `minPort` 0 lets a listener ask for any free port; senders need a real one.
 */
export function parseDaemonAddress(s: string, minPort: 0 | 1 = 1): DaemonAddress {
  const text = typeof s === 'string' ? s.trim() : '';
  if (text === '') throw addressError(String(s), 'it is empty');

  const two = TWO_PARTS.exec(text);
  if (two !== null) {
    const [, kindA = '', endpointA = '', kindB = '', endpointB = ''] = two;
    const a = kindA.toLowerCase();
    const b = kindB.toLowerCase();
    if (a === b) throw addressError(s, `it names ${a} twice; it needs one udp: and one tcp: part`);
    const first = parseEndpoint(endpointA, s, `${a} part `, minPort);
    const second = parseEndpoint(endpointB, s, `${b} part `, minPort);
    return a === 'udp' ? { udp: first, tcp: second } : { udp: second, tcp: first };
  }

  if (/\s/.test(text)) throw addressError(s, 'it has more than one part, or parts that are not udp:host:port and tcp:host:port');
  if (PROTOCOL_PREFIX.test(text)) throw addressError(s, 'the udp:/tcp: form needs both parts, separated by a space');
  const endpoint = parseEndpoint(text, s, '', minPort);
  return { udp: endpoint, tcp: { ...endpoint } };
}

/**
 * Where the daemon is: `AWS_XRAY_DAEMON_ADDRESS` when set (it wins over code, as in the X-Ray
 * SDKs, so operators can redirect a deployed service), else `configured`, else 127.0.0.1:2000.
 *
 * A malformed variable is an operator's typo in a deployed service's environment: it must not
 * stop the service from starting, so it is reported through `logger` (naming the variable, the
 * value and the accepted forms) and ignored. A malformed `configured` value is the application's
 * own code and throws, naming the value.
 */
export function resolveDaemonAddress(configured?: string, env: NodeJS.ProcessEnv = process.env, logger?: Logger): DaemonAddress {
  const fromEnv = env[ENV_VAR];
  const fallback = (): DaemonAddress => parseDaemonAddress(configured ?? DEFAULT_DAEMON_ADDRESS);
  // An empty variable (`-e AWS_XRAY_DAEMON_ADDRESS=`) is treated as unset, the usual shell convention.
  if (fromEnv === undefined || fromEnv.trim() === '') return fallback();
  try {
    return parseDaemonAddress(fromEnv);
  } catch (err) {
    const address = fallback();
    const instead = configured === undefined ? `the default address ${DEFAULT_DAEMON_ADDRESS}` : `the configured daemonAddress ${configured}`;
    resolveLogger(logger).error(`${ENV_VAR} is ignored: ${(err as Error).message} Sending to ${instead} instead.`);
    return address;
  }
}
