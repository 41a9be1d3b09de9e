import type { Attributes } from '@opentelemetry/api';
import { ATTR_DB_NAMESPACE, ATTR_SERVER_ADDRESS, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_DB_CONNECTION_STRING,
  ATTR_DB_NAME,
  ATTR_HTTP_HOST,
  ATTR_NET_PEER_NAME,
  ATTR_PEER_SERVICE,
  ATTR_RPC_SERVICE,
  ATTR_SERVICE_PEER_NAME,
} from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_AWS_LOCAL_SERVICE } from '../../common/attributes.js';
import { NAME_CHARACTERS } from '../../common/names.js';
import { hasAnyKey, isAwsApi, isServerLike, peekString, type TranslateContext } from './context.js';
import { truncateCodePoints } from './text.js';

// X-Ray (Application Signals) attributes with no semantic-conventions constant; the Collector reads the same keys.
const ATTR_AWS_REMOTE_SERVICE = 'aws.remote.service';
const ATTR_AWS_SERVICE = 'aws.service';

const MAX_NAME_CODE_POINTS = 200;
const FALLBACK_NAME = 'span';
/** OTel's name for a service that did not say its name. */
const UNKNOWN_SERVICE = 'unknown_service';

const VALID_NAME = new RegExp(`^[${NAME_CHARACTERS}]*$`, 'u');
// Which ASCII characters the rule allows, read off the rule once: most names are ASCII, and a
// table lookup per character costs far less than a Unicode-property regex.
const VALID_NAME_CHAR = new RegExp(`^[${NAME_CHARACTERS}]$`, 'u');
const VALID_ASCII = Uint8Array.from({ length: 0x80 }, (_, c) => (VALID_NAME_CHAR.test(String.fromCharCode(c)) ? 1 : 0));
const INVALID_NAME_CHAR = new RegExp(`[^${NAME_CHARACTERS}]`, 'gu');
// Hostname of `scheme://[user[:password]@]host[:port]...`, optionally behind `jdbc:`; brackets of IPv6 literals stay outside the group.
const URL_HOST = /^(?:jdbc:)?[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[([^\]]*)\]|([^:/?#]*))/;

/**
 * `raw` reduced to what X-Ray accepts in a segment name: Unicode letters, numbers, space separators
 * and `_ . : / % & # = + - @`, at most 200 code points. '' when nothing is left.
 */
export function sanitizeName(raw: string): string {
  // A string no longer than 200 UTF-16 units has at most 200 code points, so the common case allocates nothing.
  if (raw.length <= MAX_NAME_CODE_POINTS && (isValidAscii(raw) || VALID_NAME.test(raw))) return raw;
  const cleaned = raw.replace(INVALID_NAME_CHAR, '');
  return truncateCodePoints(cleaned, MAX_NAME_CODE_POINTS);
}

function isValidAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || VALID_ASCII[c] === 0) return false;
  }
  return true;
}

/**
 * The resource's `service.name`, or undefined when it is missing or is the SDK's
 * `unknown_service[:<process>]` placeholder, which would make every unnamed service one X-Ray node.
 */
export function serviceName(resource: Attributes): string | undefined {
  const name = resource[ATTR_SERVICE_NAME];
  if (typeof name !== 'string' || name === '') return undefined;
  const n = UNKNOWN_SERVICE.length;
  if (name.startsWith(UNKNOWN_SERVICE) && (name.length === n || name.charCodeAt(n) === 0x3a /* : */)) return undefined;
  return name;
}

/**
 * The document's `name` (docs/translation.md §3). X-Ray names are service names, not operation
 * names: a server-side span is named after the local service, a client-side one after the service
 * it calls. SERVER and CONSUMER spans take the local service's name even when they end up as
 * subsegments (under the Lambda facade), because they still stand for this service. Reads
 * attributes without consuming them, so they still reach metadata.
 */
export function resolveName(ctx: TranslateContext): string {
  const raw = isServerLike(ctx.kind) ? localName(ctx) : remoteName(ctx);
  const name = sanitizeName(raw);
  if (name !== '') return name;
  const service = configuredService(ctx);
  const fallback = service === undefined ? '' : sanitizeName(service);
  return fallback === '' ? FALLBACK_NAME : fallback;
}

function localName(ctx: TranslateContext): string {
  return peekString(ctx.attributes, ATTR_AWS_LOCAL_SERVICE) ?? configuredService(ctx) ?? placeholderService(ctx);
}

/** The resource's `service.name`, else `OTEL_SERVICE_NAME`, else `AWS_XRAY_TRACING_NAME`. */
function configuredService(ctx: TranslateContext): string | undefined {
  return serviceName(ctx.resource) ?? ctx.options.serviceNameFromEnv;
}

/**
 * A segment's name when no service name is set anywhere. Never the span name (`GET`, `POST`
 * would each become a service node in X-Ray): OTel's placeholder without the SDK's process suffix
 * (`unknown_service:/usr/bin/node` would differ from host to host), and a warning, once, that
 * says how to set a name.
 */
function placeholderService(ctx: TranslateContext): string {
  ctx.options.warnOnce(
    'service-name',
    `no service name is set, so segments are named "${UNKNOWN_SERVICE}" and every unnamed service is one node in X-Ray. ` +
      "Set the resource's service.name (registerXRay({ serviceName: '…' }), or resource: resourceFromAttributes({ 'service.name': '…' }) " +
      'in your tracer provider), or the environment variable OTEL_SERVICE_NAME (or AWS_XRAY_TRACING_NAME)',
  );
  return UNKNOWN_SERVICE;
}

/** Every attribute `remoteName` reads: a span with none of them is named after itself. */
const REMOTE_NAME_KEYS: ReadonlySet<string> = new Set([
  ATTR_AWS_REMOTE_SERVICE,
  ATTR_PEER_SERVICE,
  ATTR_SERVICE_PEER_NAME,
  ATTR_AWS_SERVICE,
  ATTR_RPC_SERVICE,
  ATTR_DB_NAMESPACE,
  ATTR_DB_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_HTTP_HOST,
  ATTR_NET_PEER_NAME,
]);

function remoteName(ctx: TranslateContext): string {
  if (!hasAnyKey(ctx, REMOTE_NAME_KEYS)) return ctx.span.name;
  const attrs = ctx.attributes;
  const awsApi = isAwsApi(attrs);

  const remote = peekString(attrs, ATTR_AWS_REMOTE_SERVICE);
  if (remote !== undefined) {
    const stripped = awsApi ? stripAwsPrefix(remote) : remote;
    if (stripped !== '') return stripped;
  }

  const named = peekString(attrs, ATTR_PEER_SERVICE, ATTR_SERVICE_PEER_NAME, ATTR_AWS_SERVICE);
  if (named !== undefined) return named;
  if (awsApi) {
    const rpcService = peekString(attrs, ATTR_RPC_SERVICE);
    if (rpcService !== undefined) return rpcService;
  }

  const db = peekString(attrs, ATTR_DB_NAMESPACE, ATTR_DB_NAME);
  if (db !== undefined) {
    const host = dbHost(attrs);
    return host === undefined ? db : `${db}@${host}`;
  }

  return peekString(attrs, ATTR_RPC_SERVICE, ATTR_SERVER_ADDRESS, ATTR_HTTP_HOST, ATTR_NET_PEER_NAME) ?? ctx.span.name;
}

function stripAwsPrefix(name: string): string {
  if (name.startsWith('AWS.SDK.')) return name.slice(8);
  if (name.startsWith('AWS::')) return name.slice(5);
  return name;
}

/** The database host: from the connection string as the Collector does, else from the peer address. */
function dbHost(attrs: Attributes): string | undefined {
  const conn = peekString(attrs, ATTR_DB_CONNECTION_STRING);
  if (conn !== undefined) {
    const m = URL_HOST.exec(conn);
    const host = m?.[1] ?? m?.[2];
    if (host !== undefined && host !== '') return host;
  }
  return peekString(attrs, ATTR_SERVER_ADDRESS, ATTR_NET_PEER_NAME);
}
