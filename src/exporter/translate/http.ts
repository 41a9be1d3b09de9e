import { isIP } from 'node:net';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_HOST_NAME,
  ATTR_HTTP_CLIENT_IP,
  ATTR_HTTP_HOST,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_CONTENT_LENGTH,
  ATTR_HTTP_SCHEME,
  ATTR_HTTP_SERVER_NAME,
  ATTR_HTTP_STATUS_CODE,
  ATTR_HTTP_TARGET,
  ATTR_HTTP_URL,
  ATTR_HTTP_USER_AGENT,
  ATTR_NET_HOST_NAME,
  ATTR_NET_HOST_PORT,
  ATTR_NET_PEER_IP,
  ATTR_NET_PEER_NAME,
  ATTR_NET_PEER_PORT,
} from '@opentelemetry/semantic-conventions/incubating';
import type { HttpBlock, HttpRequest, HttpResponse } from '../document.js';
import { isEmptyObject, toNumber } from '../../common/values.js';
import { hasAnyKey, isAwsApi, isServerLike, type TranslateContext } from './context.js';
import { stripUrlUserinfo } from './credentials.js';
import { takeNumberAlias, takeStringAlias } from './read.js';
import { urlHost } from './text.js';

// Stable key first, then the pre-1.20 key it replaced: instrumentations in "dup" mode send both.
const METHOD_KEYS = [ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_METHOD];
const STATUS_KEYS = [ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_STATUS_CODE];
const USER_AGENT_KEYS = [ATTR_USER_AGENT_ORIGINAL, ATTR_HTTP_USER_AGENT];
const FULL_URL_KEYS = [ATTR_URL_FULL, ATTR_HTTP_URL];
const SCHEME_KEYS = [ATTR_URL_SCHEME, ATTR_HTTP_SCHEME];
const CONTENT_LENGTH_KEYS = [ATTR_HTTP_RESPONSE_BODY_SIZE, ATTR_HTTP_RESPONSE_CONTENT_LENGTH];

// Server spans name the local host; client spans the remote one. `server.address` is first for both:
// the Collector ignores it for clients and rebuilds `http:///` URLs from stable-convention spans.
const SERVER_HOST_KEYS = [ATTR_SERVER_ADDRESS, ATTR_HTTP_HOST, ATTR_HTTP_SERVER_NAME, ATTR_NET_HOST_NAME, ATTR_HOST_NAME];
const CLIENT_HOST_KEYS = [ATTR_SERVER_ADDRESS, ATTR_HTTP_HOST, ATTR_NET_PEER_NAME, ATTR_NET_PEER_IP];
const SERVER_PORT_KEYS = [ATTR_SERVER_PORT, ATTR_NET_HOST_PORT];
const CLIENT_PORT_KEYS = [ATTR_SERVER_PORT, ATTR_NET_PEER_PORT];

/**
 * Keys that make a span an HTTP span. Addresses alone (`server.address`, `client.address`,
 * `net.peer.*`) do not: database and messaging spans carry them too.
 */
const HTTP_SIGNAL_KEYS: ReadonlySet<string> = new Set([
  ...METHOD_KEYS,
  ...STATUS_KEYS,
  ...USER_AGENT_KEYS,
  ...FULL_URL_KEYS,
  ...SCHEME_KEYS,
  ...CONTENT_LENGTH_KEYS,
  ATTR_HTTP_HOST,
  ATTR_HTTP_TARGET,
  ATTR_HTTP_SERVER_NAME,
  ATTR_HTTP_CLIENT_IP,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
]);

/** X-Ray's schema caps `method` and `client_ip` at 250 characters. */
const MAX_SHORT_FIELD = 250;

/** X-Ray's schema: an integer 100..999. Anything else (0, 99.5, "abc", NaN) isn't a status. */
function isStatus(n: number): boolean {
  return Number.isInteger(n) && n >= 100 && n <= 999;
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 65535;
}

function isContentLength(n: number): boolean {
  return n >= 0;
}

function isShort(s: string): boolean {
  return s.length <= MAX_SHORT_FIELD;
}

/**
 * The response status of an HTTP span, for the error/fault/throttle rule: the first of
 * `http.response.status_code`, `http.status_code` that is an integer 100..999. A pure read (nothing
 * is consumed) so any block may call it; `httpBlock` uses the same function, so `response.status`
 * and this value always agree.
 */
export function httpStatus(ctx: TranslateContext): number | undefined {
  return statusIn(ctx.attributes);
}

function statusIn(attrs: Attributes): number | undefined {
  for (const key of STATUS_KEYS) {
    const n = toNumber(attrs[key]);
    if (n !== undefined && isStatus(n)) return n;
  }
  return undefined;
}

/**
 * The `http` block, or undefined when the span carries no HTTP attribute or none yields a valid
 * field. Attributes turned into fields are consumed; invalid ones (a status of 42, a method longer
 * than X-Ray allows) are left for metadata.
 */
export function httpBlock(ctx: TranslateContext): HttpBlock | undefined {
  if (!hasAnyKey(ctx, HTTP_SIGNAL_KEYS)) return undefined;

  const request: HttpRequest = {};
  // The X-Ray SDKs give an AWS call's subsegment only the response; its `url.full` is an SQS queue.
  if (!isAwsApi(ctx.attributes)) {
    const method = takeMethod(ctx);
    if (method !== undefined) request.method = method;
    const url = takeStringAlias(ctx, FULL_URL_KEYS) ?? rebuildUrl(ctx);
    if (url !== undefined) request.url = stripUrlUserinfo(url);
    const userAgent = takeStringAlias(ctx, USER_AGENT_KEYS);
    if (userAgent !== undefined) request.user_agent = userAgent;
    takeClientIp(ctx, request);
  }

  const response: HttpResponse = {};
  const status = takeNumberAlias(ctx, STATUS_KEYS, isStatus);
  if (status !== undefined) response.status = status;
  const contentLength = takeNumberAlias(ctx, CONTENT_LENGTH_KEYS, isContentLength);
  if (contentLength !== undefined) response.content_length = contentLength;

  const hasRequest = !isEmptyObject(request);
  const hasResponse = status !== undefined || contentLength !== undefined;
  if (!hasRequest && !hasResponse) return undefined;
  const block: HttpBlock = {};
  if (hasRequest) block.request = request;
  if (hasResponse) block.response = response;
  return block;
}

function takeMethod(ctx: TranslateContext): string | undefined {
  const method = takeStringAlias(ctx, METHOD_KEYS, isShort);
  // Instrumentations report unknown methods as `_OTHER` and keep the real one aside.
  if (method === HTTP_REQUEST_METHOD_VALUE_OTHER) {
    const original = takeStringAlias(ctx, [ATTR_HTTP_REQUEST_METHOD_ORIGINAL], isShort);
    if (original !== undefined) return original;
  }
  return method;
}

function ipIn(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === 'string' && isIP(v) !== 0 ? v : undefined;
}

/**
 * `client_ip` and `x_forwarded_for`. Only IP addresses qualify (`client.address` may be a host
 * name, and a name in `client_ip` misleads X-Ray's console). The socket peer is
 * `network.peer.address` (stable) or `net.peer.ip` (old); a `client.address` that differs from it,
 * or comes without it, was taken from a forwarding header. The old `http.client_ip` is defined as
 * the forwarded address.
 */
function takeClientIp(ctx: TranslateContext, request: HttpRequest): void {
  const attrs = ctx.attributes;
  const peerKey = ipIn(attrs, ATTR_NETWORK_PEER_ADDRESS) !== undefined ? ATTR_NETWORK_PEER_ADDRESS : ATTR_NET_PEER_IP;
  const peer = ipIn(attrs, peerKey);

  const client = ipIn(attrs, ATTR_CLIENT_ADDRESS);
  if (client !== undefined) {
    ctx.consumed.add(ATTR_CLIENT_ADDRESS);
    request.client_ip = client;
    if (peer === client) ctx.consumed.add(peerKey);
    else request.x_forwarded_for = true;
    return;
  }
  const forwarded = ipIn(attrs, ATTR_HTTP_CLIENT_IP);
  if (forwarded !== undefined) {
    ctx.consumed.add(ATTR_HTTP_CLIENT_IP);
    request.client_ip = forwarded;
    request.x_forwarded_for = true;
    return;
  }
  if (peer !== undefined) {
    ctx.consumed.add(peerKey);
    request.client_ip = peer;
  }
}

/**
 * `scheme://host[:port]/path[?query]` from the parts, or undefined without a host (a URL without
 * one would be wrong, not partial). A host from `http.host` already carries any port (it is the
 * Host header), so no separate port is added to it.
 */
function rebuildUrl(ctx: TranslateContext): string | undefined {
  const attrs = ctx.attributes;
  const server = isServerLike(ctx.kind);

  let hostKey: string | undefined;
  let host: string | undefined;
  for (const key of server ? SERVER_HOST_KEYS : CLIENT_HOST_KEYS) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') {
      hostKey = key;
      host = v;
      break;
    }
  }
  if (host === undefined || hostKey === undefined) return undefined;
  ctx.consumed.add(hostKey);

  const scheme = takeStringAlias(ctx, SCHEME_KEYS) ?? 'http';
  let url = `${scheme}://${urlHost(host)}`;

  if (hostKey !== ATTR_HTTP_HOST) {
    const port = takeNumberAlias(ctx, server ? SERVER_PORT_KEYS : CLIENT_PORT_KEYS, isPort);
    const lower = scheme.toLowerCase();
    const isDefault = (port === 80 && lower === 'http') || (port === 443 && lower === 'https');
    if (port !== undefined && !isDefault) url += `:${port}`;
  }

  const path = takeStringAlias(ctx, [ATTR_URL_PATH]);
  const query = takeStringAlias(ctx, [ATTR_URL_QUERY]);
  if (path !== undefined || query !== undefined) {
    url += path === undefined ? '/' : path.startsWith('/') ? path : `/${path}`;
    if (query !== undefined) url += query.startsWith('?') ? query : `?${query}`;
  } else {
    const target = takeStringAlias(ctx, [ATTR_HTTP_TARGET]) ?? '/';
    url += target.startsWith('/') ? target : `/${target}`;
  }
  return url;
}
