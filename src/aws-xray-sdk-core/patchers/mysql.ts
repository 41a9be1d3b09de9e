import { errorMonitor } from 'node:events';
import type { ContextUtils } from '../context.js';
import { runtime } from '../runtime.js';
import { sqlData, SqlQueryCapture, type EntityClass, type QueryCallback, type SqlConnection, type SqlEnv } from './sql-query.js';

type Fn = (this: unknown, ...args: unknown[]) => unknown;

/** A connection, pool or pool cluster of `mysql` or `mysql2`, as far as the patcher touches it. */
interface Queryable {
  config?: SqlConnection & { connectionConfig?: SqlConnection };
  [method: string]: unknown;
}

/** The `mysql` or `mysql2` module (or `mysql2/promise`) as `captureMySQL` takes it. */
export type MySqlModule = Record<string, unknown>;

const FACTORIES = [
  ['createConnection', 'connection'],
  ['createPool', 'pool'],
  ['createPoolCluster', undefined],
] as const;

/**
 * `captureMySQL(mysql)` (aws-xray-sdk-mysql): the connections, pools and pool clusters the module
 * makes (also through `mysql2/promise`) get `query` and `execute` patched so that each call is a
 * `database@host` subsegment in the `remote` namespace with the SDK's `sql` block, closed (with
 * the error) when the command ends. In manual mode the parent is the call's last argument.
 * Patching twice changes nothing.
 */
export function createMySqlPatcher(context: ContextUtils, entityClass: EntityClass): (mysql: MySqlModule) => MySqlModule {
  const capture = new SqlQueryCapture(context, entityClass, 'MySQL');

  function captureOperation(name: 'query' | 'execute'): Fn {
    const original = `__${name}`;
    return function (this: unknown, ...callArgs: unknown[]): unknown {
      const self = this as Queryable;
      const explicit = capture.entityArgument(callArgs);
      // The SDK deletes the argument in place: the driver sees `undefined` there.
      if (explicit !== undefined) callArgs[callArgs.length - 1] = undefined;
      const operation = self[original] as Fn;
      const config = self.config?.connectionConfig ?? self.config ?? {};
      const subsegment = capture.begin(explicit, config.database, config.host);
      if (subsegment === undefined) return operation.apply(self, callArgs);

      const { sql, values, callback } = resolveArguments(callArgs);
      const wrapped = callback === undefined ? undefined : capture.wrapCallback(subsegment, callback, false);
      const command = operation.call(self, sql, values, wrapped);
      if (wrapped === undefined) {
        if (isPromise(command)) {
          command.then(
            () => subsegment.close(),
            (err: unknown) => subsegment.close(err as Error),
          );
        } else if (command !== null && typeof command === 'object' && typeof (command as { on?: unknown }).on === 'function') {
          const emitter = command as { on(event: string | symbol, listener: (err?: unknown) => void): unknown };
          emitter.on('end', () => subsegment.close());
          emitter.on(errorMonitor, (err) => subsegment.close(err as Error));
        }
      }
      subsegment.addSqlData(sqlData(env(), 'mysql', config, !!values, typeof sql === 'string' ? sql : (sql as { sql?: unknown } | null)?.sql));
      return command;
    };
  }
  const query = captureOperation('query');
  const execute = captureOperation('execute');

  function patchObject<T>(target: T): T {
    const obj = target as Queryable | null | undefined;
    if (obj === null || typeof obj !== 'object') return target;
    if (typeof obj.query === 'function' && !obj.__query) {
      obj.__query = obj.query;
      obj.query = query;
    }
    if (typeof obj.execute === 'function' && !obj.__execute) {
      obj.__execute = obj.execute;
      obj.execute = execute;
    }
    if (typeof obj.getConnection === 'function' && !obj.__getConnection) patchGetConnection(obj);
    // A pool cluster's `of` returns a pool.
    if (typeof obj.of === 'function' && !obj.__of) {
      const of = (obj.__of = obj.of as Fn);
      obj.of = function (this: unknown, ...args: unknown[]) {
        return patchObject(of.apply(obj, args));
      };
    }
    return target;
  }

  function patchGetConnection(pool: Queryable): void {
    const getConnection = (pool.__getConnection = pool.getConnection as Fn);
    pool.getConnection = function (this: unknown, ...args: unknown[]) {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (err: unknown, connection: unknown) => {
          if (connection) patchObject(connection);
          return (callback as Fn)(err, connection);
        };
      }
      const result = getConnection.apply(pool, args);
      return isPromise(result) ? result.then(patchObject) : result;
    };
  }

  return function captureMySQL(mysql: MySqlModule): MySqlModule {
    if (mysql === null || typeof mysql !== 'object' || typeof mysql.createConnection !== 'function') {
      runtime.logger.error('captureMySQL: the argument is not the mysql or mysql2 module (no createConnection); nothing patched.');
      return mysql;
    }
    if (mysql.__createConnection) return mysql;
    for (const [factory, promised] of FACTORIES) {
      const create = mysql[factory];
      if (typeof create !== 'function') continue;
      mysql[`__${factory}`] = create;
      mysql[factory] = function (this: unknown, ...args: unknown[]) {
        const made = (create as Fn).apply(this, args);
        // mysql2/promise resolves to a wrapper whose `connection` / `pool` is the callback API.
        if (isPromise(made)) return promised === undefined ? made : made.then((r) => (patchObject((r as Record<string, unknown>)?.[promised]), r));
        if (made !== null && typeof made === 'object' && typeof (made as Queryable).query === 'function') patchObject(made);
        return made;
      };
    }
    return mysql;
  };
}

/** The SDK's reading of `query(sql | options, values?, callback?)`. */
function resolveArguments(args: unknown[]): { sql: unknown; values: unknown; callback: QueryCallback | undefined } {
  const [first, second, third] = args;
  let values: unknown;
  if (first !== null && typeof first === 'object') {
    // mysql keeps values on the options object; mysql2 takes them as the second argument.
    const own = (first as { values?: unknown }).values;
    if (own) values = own;
    else if (typeof third === 'function') values = typeof second !== 'function' ? second : null;
  } else {
    values = typeof second !== 'function' ? second : null;
  }
  const callback = typeof second === 'function' ? second : typeof third === 'function' ? third : undefined;
  return { sql: first, values, callback: callback as QueryCallback | undefined };
}

/**
 * A promise, but not mysql2's `Query`, whose `then` throws (it is an event emitter, not a
 * thenable), as the SDK tells them apart.
 */
function isPromise(value: unknown): value is Promise<unknown> {
  if (value === null || value === undefined || typeof (value as { then?: unknown }).then !== 'function') return false;
  return (value as { constructor?: { name?: unknown } }).constructor?.name !== 'Query';
}

function env(): SqlEnv {
  return { databaseVersion: process.env.MYSQL_DATABASE_VERSION, driverVersion: process.env.MYSQL_DRIVER_VERSION };
}
