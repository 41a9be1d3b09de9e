import type { ContextUtils } from '../context.js';
import type { LegacyEntity, Subsegment } from '../entity.js';
import { runtime } from '../runtime.js';
import { SqlData } from '../sql-data.js';

/** A driver's query callback. */
export type QueryCallback = (err: unknown, data?: unknown, ...rest: unknown[]) => unknown;

/** The versions the SDK's patchers read from the environment (`POSTGRES_DATABASE_VERSION`, …). */
export interface SqlEnv {
  databaseVersion: string | undefined;
  driverVersion: string | undefined;
}

/**
 * The entity class of the process's one `AWSXRay` (each build of the drop-in bundles its own copy of
 * the classes; the entities are the ones the shared `AWSXRay` makes).
 */
export type EntityClass = abstract new (...args: never[]) => LegacyEntity;

/**
 * What the SDK's SQL patchers (aws-xray-sdk-postgres, aws-xray-sdk-mysql) share around one query:
 * the parent it resolves, the `database@host` subsegment in the `remote` namespace, and the
 * callback it runs in that subsegment's context (automatic mode) or hands the subsegment to
 * (manual mode, Postgres only), closing the subsegment with the query's error after it.
 */
export class SqlQueryCapture {
  constructor(
    private readonly context: ContextUtils,
    private readonly entityClass: EntityClass,
    /** "Postgres" or "MySQL", for the SDK's log line. */
    private readonly what: string,
  ) {}

  /** The sub/segment a manual-mode caller passes as the query's last argument, as the SDK finds it. */
  entityArgument(args: ArrayLike<unknown>): LegacyEntity | undefined {
    const last = args.length > 0 ? args[args.length - 1] : undefined;
    return last instanceof this.entityClass ? last : undefined;
  }

  /** The subsegment for a query under `explicit` (manual mode) or the current entity; undefined (logged) when there is none. */
  begin(explicit: LegacyEntity | undefined, database: unknown, host: unknown): Subsegment | undefined {
    const parent = this.context.resolveSegment(explicit as Parameters<ContextUtils['resolveSegment']>[0]);
    if (!parent) {
      runtime.logger.info(`Failed to capture ${this.what}. Cannot resolve sub/segment.`);
      return undefined;
    }
    const subsegment = parent.addNewSubsegment(`${String(database)}@${String(host)}`);
    subsegment.namespace = 'remote';
    return subsegment;
  }

  /** `callback` wrapped to run as the SDK runs it, then close `subsegment` with the query's error. */
  wrapCallback(subsegment: Subsegment, callback: QueryCallback, passSubsegment: boolean): QueryCallback {
    if (this.context.isAutomaticMode()) {
      const context = this.context;
      return function autoContext(this: unknown, err: unknown, data?: unknown, ...rest: unknown[]) {
        try {
          return context.getNamespace().runWithEntity(subsegment, () => callback.call(this, err, data, ...rest));
        } finally {
          subsegment.close(err as Parameters<Subsegment['close']>[0]);
        }
      };
    }
    return function (this: unknown, err: unknown, data?: unknown, ...rest: unknown[]) {
      try {
        return passSubsegment ? callback.call(this, err, data, subsegment) : callback.call(this, err, data, ...rest);
      } finally {
        subsegment.close(err as Parameters<Subsegment['close']>[0]);
      }
    };
  }
}

/**
 * The `sql` block the SDK's patchers write: versions from the environment, the user, a URL built
 * from host, port and database (never a password), `preparation: "statement"` for a prepared or
 * parameterised query, and the query text only when `AWS_XRAY_COLLECT_SQL_QUERIES` is set.
 */
export function sqlData(env: SqlEnv, scheme: string, config: SqlConnection, prepared: boolean, queryText: unknown): SqlData {
  const url = `${scheme}://${String(config.host)}:${String(config.port)}/${String(config.database)}`;
  const data = new SqlData(env.databaseVersion, env.driverVersion, config.user as string | undefined, url, prepared ? 'statement' : undefined);
  if (process.env.AWS_XRAY_COLLECT_SQL_QUERIES && typeof queryText === 'string' && queryText !== '') data.sanitized_query = queryText;
  return data;
}

/** Connection settings as both drivers keep them. */
export interface SqlConnection {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  user?: unknown;
}
