import { errorMonitor } from 'node:events';
import type { ContextUtils } from '../context.js';
import { runtime } from '../runtime.js';
import { sqlData, SqlQueryCapture, type EntityClass, type QueryCallback, type SqlConnection, type SqlEnv } from './sql-query.js';

/** The parts of `pg`'s `Client` the patcher reads (its query queue tells which query a call made). */
interface PgClient {
  database?: unknown;
  host?: unknown;
  connectionParameters?: SqlConnection;
  _queryable?: boolean;
  _ending?: boolean;
  queryQueue?: PgQuery[];
  activeQuery?: PgQuery | null;
  __query(this: PgClient, ...args: unknown[]): unknown;
}

interface PgQuery {
  name?: unknown;
  text?: unknown;
  on?: (event: string | symbol, listener: (err?: unknown) => void) => unknown;
}

/** The `pg` module as `capturePostgres` takes it. */
export interface PgModule {
  Client: { prototype: object };
}

/**
 * `capturePostgres(pg)` (aws-xray-sdk-postgres): `Client.prototype.query` patched so that each
 * query is a `database@host` subsegment in the `remote` namespace with the SDK's `sql` block,
 * closed (with the query's error) when the query ends. In manual mode the parent is the query's
 * last argument (taken off before `pg` sees it) and a callback gets the subsegment as its third
 * argument. Patching twice changes nothing.
 */
export function createPostgresPatcher(context: ContextUtils, entityClass: EntityClass): (pg: PgModule) => PgModule {
  const capture = new SqlQueryCapture(context, entityClass, 'Postgres');

  function captureQuery(this: PgClient, ...callArgs: unknown[]): unknown {
    const explicit = capture.entityArgument(callArgs);
    const args = explicit === undefined ? callArgs : callArgs.slice(0, -1);
    // Not a query (pg throws its own error for it): nothing to capture.
    if (typeof args[0] !== 'string' && (args[0] === null || typeof args[0] !== 'object')) return this.__query(...args);
    const subsegment = capture.begin(explicit, this.database, this.host);
    if (subsegment === undefined) return this.__query(...args);

    const config = normalizeQueryConfig(args[0], args[1], args[2]);
    const callback = typeof config.callback === 'function' ? (config.callback as QueryCallback) : undefined;
    if (callback !== undefined) config.callback = capture.wrapCallback(subsegment, callback, true);
    const result = this.__query(config);

    if (callback === undefined) {
      // A promise (the common form): settled with the query, and also when pg refuses it outright
      // (a client not connected). The SDK listens for the query's `error` event, which pg emits
      // only for a query without a callback, so its subsegment of a failed query never closes.
      if (isThenable(result)) {
        result.then(
          () => subsegment.close(),
          (err: unknown) => subsegment.close(err as Error),
        );
      } else if (typeof (result as PgQuery | undefined)?.on === 'function') {
        // A submittable (a `Query`, a cursor) passed in and returned as it is.
        const query = result as Required<Pick<PgQuery, 'on'>>;
        query.on('end', () => subsegment.close());
        query.on(errorMonitor, (err) => subsegment.close(err as Error));
      }
    }
    // The query object the call made: the last one queued, or the one running.
    const query = this._queryable && !this._ending ? ((this.queryQueue?.length ?? 0) === 0 ? this.activeQuery : this.queryQueue![this.queryQueue!.length - 1]) : undefined;
    if (query) subsegment.addSqlData(sqlData(env(), 'postgresql', this.connectionParameters ?? {}, !!query.name, query.text));
    return result;
  }

  return function capturePostgres(pg: PgModule): PgModule {
    const proto = (pg?.Client?.prototype ?? undefined) as (Record<string, unknown> & { __query?: unknown }) | undefined;
    if (proto === undefined || typeof proto.query !== 'function') {
      runtime.logger.error('capturePostgres: the argument is not the pg module (no Client.prototype.query); nothing patched.');
      return pg;
    }
    if (proto.__query) return pg;
    proto.__query = proto.query;
    proto.query = captureQuery;
    return pg;
  };
}

/** `pg`'s own normalisation (lib/utils.js): a string or config object, values, callback. */
function normalizeQueryConfig(config: unknown, values: unknown, callback: unknown): Record<string, unknown> {
  const out = (typeof config === 'string' ? { text: config } : config) as Record<string, unknown>;
  if (values) {
    if (typeof values === 'function') out.callback = values;
    else out.values = values;
  }
  if (callback) out.callback = callback;
  return out;
}

function env(): SqlEnv {
  return { databaseVersion: process.env.POSTGRES_DATABASE_VERSION, driverVersion: process.env.POSTGRES_DRIVER_VERSION };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
