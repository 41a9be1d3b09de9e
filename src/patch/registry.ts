import { awsSdkConfig, sendTraceHeader } from './aws-sdk-hooks.js';
import { expressConfig, recordRouteErrors } from './express-hooks.js';
import { pgConfig } from './sql-hooks.js';

/**
 * One library that `patch()` can trace: the OpenTelemetry instrumentation that does it (an
 * optional peer dependency) and what X-Ray shows for its calls.
 */
export interface PatchTarget {
  /** The Node name, as given to `patch()`. */
  readonly name: string;
  /** The instrumentation's npm package. */
  readonly instrumentation: string;
  /**
   * Its releases on the OpenTelemetry JS 2.x line this library is built on (equal to the peer
   * dependency range): the next minor needs OTel 3.x and Node >= 22.15, which a bare
   * `npm install` would pick.
   */
  readonly versions: string;
  /** The class that package exports. */
  readonly className: string;
  /**
   * The npm packages whose presence means the application uses the library; empty for what
   * Node.js itself provides (`http`, `fetch`).
   */
  readonly libraries: readonly string[];
  /** What each traced call becomes, for the README and warnings. */
  readonly output: string;
  /** The instrumentation's configuration. */
  config(): Record<string, unknown>;
  /** Adjusts the instrumentation right after it is made. */
  setup?(instrumentation: object): void;
  /**
   * Another target this one cannot work without, enabled with it and configured with `config`
   * on top of its own (express needs http's incoming requests: they are the segments).
   */
  readonly needs?: { readonly target: string; readonly config: Readonly<Record<string, unknown>> };
  /**
   * Packages of the same library that the instrumentation does not trace (another major
   * version), each with what to use instead: patching says so when one is installed.
   */
  readonly untraced?: ReadonlyArray<{ readonly library: string; readonly advice: string }>;
  /** Patched only when named: `patch_all()` leaves it out (and says why in the README). */
  readonly onlyWhenNamed?: true;
}

const TARGET_LIST: readonly PatchTarget[] = [
  {
    name: 'aws-sdk',
    instrumentation: '@opentelemetry/instrumentation-aws-sdk',
    versions: '^0.78.0',
    className: 'AwsInstrumentation',
    libraries: ['@smithy/core', '@smithy/smithy-client', '@aws-sdk/smithy-client'],
    output: '`aws` subsegment per call, named after the service, with operation, region, request_id, retries and the resource (table_name, queue_url, bucket_name/key, …)',
    config: awsSdkConfig,
    setup: sendTraceHeader,
    untraced: [
      {
        library: 'aws-sdk',
        advice:
          'AWS SDK v2 (the aws-sdk package) is not traced: @opentelemetry/instrumentation-aws-sdk traces v3 clients (@aws-sdk/client-*) only. ' +
          "Trace v2 clients with captureAWS(require('aws-sdk')) or captureAWSClient(new AWS.S3()) from xray-otel-bridge/aws-xray-sdk-core, or move them to v3",
      },
    ],
  },
  {
    name: 'http',
    instrumentation: '@opentelemetry/instrumentation-http',
    versions: '^0.223.0',
    className: 'HttpInstrumentation',
    libraries: [],
    output: '`remote` subsegment per outgoing request (http, https), named after the host, with the `http` block; sends X-Amzn-Trace-Id',
    // X-Ray patches HTTP clients only; incoming requests are segments the application opens
    // (or, with `express` patched, this instrumentation: see `needs` below).
    config: () => ({ disableIncomingRequestInstrumentation: true }),
  },
  {
    name: 'fetch',
    instrumentation: '@opentelemetry/instrumentation-undici',
    versions: '^0.33.0',
    className: 'UndiciInstrumentation',
    libraries: [],
    output: '`remote` subsegment per fetch() or undici request, named after the host, with the `http` block; sends X-Amzn-Trace-Id',
    config: () => ({}),
  },
  {
    name: 'pg',
    instrumentation: '@opentelemetry/instrumentation-pg',
    versions: '^0.76.0',
    className: 'PgInstrumentation',
    libraries: ['pg'],
    output: 'subsegment per query named `database@host`, with the `sql` block (url, database_type, user)',
    config: pgConfig,
  },
  {
    name: 'mysql2',
    instrumentation: '@opentelemetry/instrumentation-mysql2',
    versions: '^0.69.0',
    className: 'MySQL2Instrumentation',
    libraries: ['mysql2'],
    output: 'subsegment per query named `database@host`, with the `sql` block (url, database_type, user)',
    config: () => ({}),
  },
  {
    name: 'mysql',
    instrumentation: '@opentelemetry/instrumentation-mysql',
    versions: '^0.69.0',
    className: 'MySQLInstrumentation',
    libraries: ['mysql'],
    output: 'subsegment per query named `database@host`, with the `sql` block (url, database_type, user)',
    config: () => ({}),
  },
  {
    name: 'express',
    instrumentation: '@opentelemetry/instrumentation-express',
    versions: '^0.71.0',
    className: 'ExpressInstrumentation',
    libraries: ['express'],
    output: 'segment per request named after the service, with the `http` block and the route; route errors in `cause`; no subsegments for middleware',
    config: expressConfig,
    setup: recordRouteErrors,
    // The segment of each request is the http instrumentation's SERVER span.
    needs: { target: 'http', config: { disableIncomingRequestInstrumentation: false } },
    // X-Ray's patch_all() never opens segments: incoming requests are the middleware's
    // (openSegment), and an application using it would get two segments per request.
    onlyWhenNamed: true,
  },
];

export const TARGETS: ReadonlyMap<string, PatchTarget> = new Map(TARGET_LIST.map((t) => [t.name, t]));

/**
 * Names `patch()` accepts beyond the targets' own: other Node spellings and the X-Ray Python SDK's
 * module names, each mapped to the Node targets that trace the same kind of calls. A name that
 * expands to several targets patches those whose library is installed.
 */
const ALIASES: ReadonlyMap<string, readonly string[]> = new Map([
  ['https', ['http']],
  ['undici', ['fetch']],
  ['@aws-sdk', ['aws-sdk']],
  // The X-Ray Python SDK's names.
  ['boto3', ['aws-sdk']],
  ['botocore', ['aws-sdk']],
  ['aiobotocore', ['aws-sdk']],
  ['pynamodb', ['aws-sdk']],
  ['requests', ['http', 'fetch']],
  ['httplib', ['http', 'fetch']],
  ['httpx', ['http', 'fetch']],
  ['psycopg2', ['pg']],
  ['psycopg', ['pg']],
  ['pg8000', ['pg']],
  ['pymysql', ['mysql2', 'mysql']],
  // In Python `mysql` is mysql-connector; in Node it is both MySQL drivers.
  ['mysql', ['mysql2', 'mysql']],
]);

/** Python names with no Node counterpart that an OpenTelemetry instrumentation covers, and why. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['sqlite3', 'no OpenTelemetry instrumentation exists for the Node SQLite drivers (sqlite3, better-sqlite3, node:sqlite); wrap queries in beginSubsegment()/capture()'],
  ['sqlalchemy_core', 'SQLAlchemy is Python; patch the Node driver underneath instead (pg, mysql2, mysql)'],
  ['sqlalchemy', 'SQLAlchemy is Python; patch the Node driver underneath instead (pg, mysql2, mysql)'],
  ['flask_sqlalchemy', 'SQLAlchemy is Python; patch the Node driver underneath instead (pg, mysql2, mysql)'],
  ['pymongo', 'MongoDB is not in the patch table; register @opentelemetry/instrumentation-mongodb with the tracer provider yourself'],
]);

export type Resolved = { targets: readonly PatchTarget[]; expanded: boolean } | { unsupported: string } | { unknown: true };

/** What a name given to `patch()` stands for. Names are matched case-insensitively. */
export function resolveName(name: string): Resolved {
  const key = name.trim().toLowerCase();
  const own = TARGETS.get(key);
  const alias = ALIASES.get(key);
  if (alias !== undefined) return { targets: alias.map((n) => TARGETS.get(n)!), expanded: alias.length > 1 || own === undefined };
  if (own !== undefined) return { targets: [own], expanded: false };
  const why = UNSUPPORTED.get(key);
  if (why !== undefined) return { unsupported: why };
  return { unknown: true };
}

/** Every name `patch()` understands, for messages. */
export function knownNames(): string[] {
  return [...TARGETS.keys(), ...ALIASES.keys()];
}
