import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_MARIADB,
  DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER,
  DB_SYSTEM_NAME_VALUE_MYSQL,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_DB_CONNECTION_STRING,
  ATTR_DB_NAME,
  ATTR_DB_STATEMENT,
  ATTR_DB_SYSTEM,
  ATTR_DB_USER,
  ATTR_NET_PEER_IP,
  ATTR_NET_PEER_NAME,
  ATTR_NET_PEER_PORT,
  DB_SYSTEM_NAME_VALUE_ACTIAN_INGRES,
  DB_SYSTEM_NAME_VALUE_AWS_REDSHIFT,
  DB_SYSTEM_NAME_VALUE_CLICKHOUSE,
  DB_SYSTEM_NAME_VALUE_COCKROACHDB,
  DB_SYSTEM_NAME_VALUE_DERBY,
  DB_SYSTEM_NAME_VALUE_FIREBIRDSQL,
  DB_SYSTEM_NAME_VALUE_GCP_SPANNER,
  DB_SYSTEM_NAME_VALUE_H2DATABASE,
  DB_SYSTEM_NAME_VALUE_HIVE,
  DB_SYSTEM_NAME_VALUE_HSQLDB,
  DB_SYSTEM_NAME_VALUE_IBM_DB2,
  DB_SYSTEM_NAME_VALUE_IBM_INFORMIX,
  DB_SYSTEM_NAME_VALUE_IBM_NETEZZA,
  DB_SYSTEM_NAME_VALUE_INSTANTDB,
  DB_SYSTEM_NAME_VALUE_INTERSYSTEMS_CACHE,
  DB_SYSTEM_NAME_VALUE_ORACLE_DB,
  DB_SYSTEM_NAME_VALUE_OTHER_SQL,
  DB_SYSTEM_NAME_VALUE_SAP_HANA,
  DB_SYSTEM_NAME_VALUE_SAP_MAXDB,
  DB_SYSTEM_NAME_VALUE_SQLITE,
  DB_SYSTEM_NAME_VALUE_TERADATA,
  DB_SYSTEM_NAME_VALUE_TRINO,
  DB_SYSTEM_VALUE_CACHE,
  DB_SYSTEM_VALUE_CLOUDSCAPE,
  DB_SYSTEM_VALUE_COCKROACHDB,
  DB_SYSTEM_VALUE_DB2,
  DB_SYSTEM_VALUE_DERBY,
  DB_SYSTEM_VALUE_EDB,
  DB_SYSTEM_VALUE_FIREBIRD,
  DB_SYSTEM_VALUE_FIRSTSQL,
  DB_SYSTEM_VALUE_H2,
  DB_SYSTEM_VALUE_HANADB,
  DB_SYSTEM_VALUE_HIVE,
  DB_SYSTEM_VALUE_HSQLDB,
  DB_SYSTEM_VALUE_INFORMIX,
  DB_SYSTEM_VALUE_INGRES,
  DB_SYSTEM_VALUE_INTERBASE,
  DB_SYSTEM_VALUE_MARIADB,
  DB_SYSTEM_VALUE_MAXDB,
  DB_SYSTEM_VALUE_MSSQL,
  DB_SYSTEM_VALUE_MSSQLCOMPACT,
  DB_SYSTEM_VALUE_MYSQL,
  DB_SYSTEM_VALUE_NETEZZA,
  DB_SYSTEM_VALUE_ORACLE,
  DB_SYSTEM_VALUE_OTHER_SQL,
  DB_SYSTEM_VALUE_PERVASIVE,
  DB_SYSTEM_VALUE_POINTBASE,
  DB_SYSTEM_VALUE_POSTGRESQL,
  DB_SYSTEM_VALUE_PROGRESS,
  DB_SYSTEM_VALUE_REDSHIFT,
  DB_SYSTEM_VALUE_SPANNER,
  DB_SYSTEM_VALUE_SQLITE,
  DB_SYSTEM_VALUE_SYBASE,
  DB_SYSTEM_VALUE_TERADATA,
  DB_SYSTEM_VALUE_TRINO,
  DB_SYSTEM_VALUE_VERTICA,
} from '@opentelemetry/semantic-conventions/incubating';
import type { SqlBlock } from '../document.js';
import {
  RECORDER_SCOPE,
  ATTR_XRAY_SQL_DATABASE_VERSION,
  ATTR_XRAY_SQL_DRIVER_VERSION,
  ATTR_XRAY_SQL_FIELDS,
  ATTR_XRAY_SQL_PREPARATION,
} from '../../common/attributes.js';
import { toNumber } from '../../common/values.js';
import { peekString, takeJsonObject, takeString, type TranslateContext } from './context.js';
import { takeStringAlias } from './read.js';
import { urlHost } from './text.js';
import { scrubQuery, stripCredentials, URL_SHAPED } from './credentials.js';

/**
 * Systems whose spans carry SQL: the Collector's list (db2, derby, hive, mariadb, mssql, mysql,
 * oracle, postgresql, sqlite, teradata, other_sql) plus the other relational engines that the
 * semantic conventions name, under both `db.system` values and their `db.system.name` successors.
 */
const SQL_SYSTEMS: ReadonlySet<string> = new Set<string>([
  DB_SYSTEM_VALUE_CACHE,
  DB_SYSTEM_VALUE_CLOUDSCAPE,
  DB_SYSTEM_VALUE_COCKROACHDB,
  DB_SYSTEM_VALUE_DB2,
  DB_SYSTEM_VALUE_DERBY,
  DB_SYSTEM_VALUE_EDB,
  DB_SYSTEM_VALUE_FIREBIRD,
  DB_SYSTEM_VALUE_FIRSTSQL,
  DB_SYSTEM_VALUE_H2,
  DB_SYSTEM_VALUE_HANADB,
  DB_SYSTEM_VALUE_HIVE,
  DB_SYSTEM_VALUE_HSQLDB,
  DB_SYSTEM_VALUE_INFORMIX,
  DB_SYSTEM_VALUE_INGRES,
  DB_SYSTEM_VALUE_INTERBASE,
  DB_SYSTEM_VALUE_MARIADB,
  DB_SYSTEM_VALUE_MAXDB,
  DB_SYSTEM_VALUE_MSSQL,
  DB_SYSTEM_VALUE_MSSQLCOMPACT,
  DB_SYSTEM_VALUE_MYSQL,
  DB_SYSTEM_VALUE_NETEZZA,
  DB_SYSTEM_VALUE_ORACLE,
  DB_SYSTEM_VALUE_OTHER_SQL,
  DB_SYSTEM_VALUE_PERVASIVE,
  DB_SYSTEM_VALUE_POINTBASE,
  DB_SYSTEM_VALUE_POSTGRESQL,
  DB_SYSTEM_VALUE_PROGRESS,
  DB_SYSTEM_VALUE_REDSHIFT,
  DB_SYSTEM_VALUE_SPANNER,
  DB_SYSTEM_VALUE_SQLITE,
  DB_SYSTEM_VALUE_SYBASE,
  DB_SYSTEM_VALUE_TERADATA,
  DB_SYSTEM_VALUE_TRINO,
  DB_SYSTEM_VALUE_VERTICA,
  DB_SYSTEM_NAME_VALUE_ACTIAN_INGRES,
  DB_SYSTEM_NAME_VALUE_AWS_REDSHIFT,
  DB_SYSTEM_NAME_VALUE_CLICKHOUSE,
  DB_SYSTEM_NAME_VALUE_COCKROACHDB,
  DB_SYSTEM_NAME_VALUE_DERBY,
  DB_SYSTEM_NAME_VALUE_FIREBIRDSQL,
  DB_SYSTEM_NAME_VALUE_GCP_SPANNER,
  DB_SYSTEM_NAME_VALUE_H2DATABASE,
  DB_SYSTEM_NAME_VALUE_HIVE,
  DB_SYSTEM_NAME_VALUE_HSQLDB,
  DB_SYSTEM_NAME_VALUE_IBM_DB2,
  DB_SYSTEM_NAME_VALUE_IBM_INFORMIX,
  DB_SYSTEM_NAME_VALUE_IBM_NETEZZA,
  DB_SYSTEM_NAME_VALUE_INSTANTDB,
  DB_SYSTEM_NAME_VALUE_INTERSYSTEMS_CACHE,
  DB_SYSTEM_NAME_VALUE_MARIADB,
  DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER,
  DB_SYSTEM_NAME_VALUE_MYSQL,
  DB_SYSTEM_NAME_VALUE_ORACLE_DB,
  DB_SYSTEM_NAME_VALUE_OTHER_SQL,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
  DB_SYSTEM_NAME_VALUE_SAP_HANA,
  DB_SYSTEM_NAME_VALUE_SAP_MAXDB,
  DB_SYSTEM_NAME_VALUE_SQLITE,
  DB_SYSTEM_NAME_VALUE_TERADATA,
  DB_SYSTEM_NAME_VALUE_TRINO,
]);

const SYSTEM_KEYS = [ATTR_DB_SYSTEM_NAME, ATTR_DB_SYSTEM];
const QUERY_KEYS = [ATTR_DB_QUERY_TEXT, ATTR_DB_STATEMENT];
const DATABASE_KEYS = [ATTR_DB_NAMESPACE, ATTR_DB_NAME];
const HOST_KEYS = [ATTR_SERVER_ADDRESS, ATTR_NET_PEER_NAME, ATTR_NET_PEER_IP];
const PORT_KEYS = [ATTR_SERVER_PORT, ATTR_NET_PEER_PORT];

/**
 * X-Ray SDKs (and so code ported to the recorder) name databases as people do: "PostgreSQL",
 * "Microsoft SQL Server". Both spellings mean SQL.
 */
const SQL_SYSTEM_ALIASES: ReadonlySet<string> = new Set(['postgres', 'microsoft sql server', 'sql server', 'sqlserver', 'oracle database', 'ibm db2']);

function isSqlSystem(system: string): boolean {
  const s = system.toLowerCase();
  return SQL_SYSTEMS.has(s) || SQL_SYSTEM_ALIASES.has(s);
}

/** X-Ray's schema caps `user` at 250 characters. */
const MAX_USER = 250;

/** A URL that names only the server (no path, no `;properties`), so the database can be appended. */
const URL_WITHOUT_PATH = /^[a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*:\/\/[^/?#;]*$/i;


/**
 * The `sql` block for spans of SQL databases, or undefined for other spans (checked first: most
 * spans have no `db.system`).
 *
 * A URL-shaped `db.connection_string` goes to `url` (with the database appended when it names only
 * the server), any other to `connection_string`, as X-Ray's documentation splits them; without one,
 * `connection_string` is built as `host[:port][/database]` from the server attributes. The
 * Collector puts the span name in `url` and writes "localhost" when it knows no host; neither is a
 * connection. Credentials are stripped from all of it, and `db.connection_string` is consumed even
 * when nothing is left of it, so its raw value never reaches metadata.
 */
export function sqlBlock(ctx: TranslateContext): SqlBlock | undefined {
  const attrs = ctx.attributes;
  const system = peekString(attrs, ...SYSTEM_KEYS);
  const rawFields = takeJsonObject(ctx, ATTR_XRAY_SQL_FIELDS);
  if (system === undefined || !isSqlSystem(system)) return rawFields === undefined ? undefined : fillFromRaw({}, rawFields);
  takeStringAlias(ctx, SYSTEM_KEYS);

  const block: SqlBlock = { database_type: system };
  const database = peekString(attrs, ...DATABASE_KEYS);

  const raw = attrs[ATTR_DB_CONNECTION_STRING];
  const connection = typeof raw === 'string' ? stripCredentials(raw) : '';
  if (typeof raw === 'string') ctx.consumed.add(ATTR_DB_CONNECTION_STRING);
  if (connection !== '') {
    if (URL_SHAPED.test(connection)) {
      if (database !== undefined && URL_WITHOUT_PATH.test(connection)) {
        takeStringAlias(ctx, DATABASE_KEYS);
        block.url = `${connection}/${database}`;
      } else {
        block.url = connection;
      }
    } else {
      block.connection_string = connection;
    }
  } else {
    const built = buildConnectionString(ctx, database);
    if (built !== undefined) block.connection_string = built;
  }

  const user = takeStringAlias(ctx, [ATTR_DB_USER], (u) => u.length <= MAX_USER);
  if (user !== undefined) block.user = user;
  // Consumed either way: SQL text left out of `sql` must not reach metadata instead.
  const query = takeStringAlias(ctx, QUERY_KEYS);
  if (query !== undefined && (ctx.options.collectSqlQueries || isRecorderScope(ctx.span.instrumentationScope?.name))) {
    block.sanitized_query = scrubQuery(query);
  }
  const version = takeString(ctx, ATTR_XRAY_SQL_DATABASE_VERSION);
  if (version !== undefined) block.database_version = version;
  const driver = takeString(ctx, ATTR_XRAY_SQL_DRIVER_VERSION);
  if (driver !== undefined) block.driver_version = driver;
  const preparation = ctx.attributes[ATTR_XRAY_SQL_PREPARATION];
  if (preparation === 'call' || preparation === 'statement') {
    ctx.consumed.add(ATTR_XRAY_SQL_PREPARATION);
    block.preparation = preparation;
  }
  return rawFields === undefined ? block : fillFromRaw(block, rawFields);
}

function buildConnectionString(ctx: TranslateContext, database: string | undefined): string | undefined {
  const host = takeStringAlias(ctx, HOST_KEYS);
  if (host === undefined) return undefined;
  let out = urlHost(host);
  for (const key of PORT_KEYS) {
    const port = toNumber(ctx.attributes[key]);
    if (port !== undefined && Number.isInteger(port) && port > 0 && port <= 65535) {
      ctx.consumed.add(key);
      out += `:${port}`;
      break;
    }
  }
  if (database !== undefined) {
    takeStringAlias(ctx, DATABASE_KEYS);
    out += `/${database}`;
  }
  return out;
}

const RAW_SQL_STRINGS = ['connection_string', 'url', 'sanitized_query', 'database_type', 'database_version', 'driver_version', 'user'] as const;

/**
 * Fields of a raw `sql` object (the X-Ray SDKs' `SqlData`) that the block lacks, kept to what the
 * schema allows; URLs and connection strings lose any password, as translated ones do.
 */
function fillFromRaw(block: SqlBlock, raw: Record<string, unknown>): SqlBlock | undefined {
  for (const key of RAW_SQL_STRINGS) {
    const v = raw[key];
    if (typeof v !== 'string' || v === '' || block[key] !== undefined) continue;
    if (key === 'user' && v.length > MAX_USER) continue;
    block[key] = key === 'url' || key === 'connection_string' ? stripCredentials(v) : v;
  }
  if (block.preparation === undefined && (raw.preparation === 'call' || raw.preparation === 'statement')) block.preparation = raw.preparation;
  return Object.keys(block).length > 0 ? block : undefined;
}

/** The recorder's spans, and the drop-in's (`xray-otel-bridge/aws-xray-sdk-core`): what the application recorded by hand. */
function isRecorderScope(name: string | undefined): boolean {
  return name !== undefined && (name === RECORDER_SCOPE || name.startsWith(`${RECORDER_SCOPE}/`));
}
