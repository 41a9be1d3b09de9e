import { isIP } from 'node:net';
import type { Span } from '@opentelemetry/api';
import { ATTR_DB_CONNECTION_STRING, ATTR_DB_USER } from '@opentelemetry/semantic-conventions/incubating';

interface PgRequestInfo {
  connection?: { database?: unknown; host?: unknown; port?: unknown; user?: unknown };
}

/**
 * The pg instrumentation writes the stable conventions only (server, port, database); X-Ray's
 * `sql` block also names the user and the database URL, which its hook receives. The URL is built
 * from parts, so it never holds the password.
 */
export function pgConfig(): Record<string, unknown> {
  return {
    requestHook: (span: Span, info: PgRequestInfo) => {
      const c = info.connection;
      if (typeof c?.user === 'string' && c.user !== '') span.setAttribute(ATTR_DB_USER, c.user);
      if (typeof c?.host === 'string' && c.host !== '' && !c.host.startsWith('/')) {
        const port = typeof c.port === 'number' ? `:${c.port}` : '';
        const database = typeof c.database === 'string' && c.database !== '' ? `/${encodeURIComponent(c.database)}` : '';
        // An IPv6 literal goes in brackets in a URL.
        const host = isIP(c.host) === 6 ? `[${c.host}]` : c.host;
        span.setAttribute(ATTR_DB_CONNECTION_STRING, `postgresql://${host}${port}${database}`);
      }
    },
  };
}
