import { SpanKind, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SqlBlock } from '../src/exporter/document.js';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { createContext, type TranslateContext } from '../src/exporter/translate/context.js';
import { scrubQuery, stripCredentials } from '../src/exporter/translate/credentials.js';
import { sqlBlock } from '../src/exporter/translate/sql.js';
import { expectValidDocument } from './support/schema.js';
import { fakeSpan } from './support/spans.js';

const options = resolveTranslateOptions({ collectSqlQueries: true });

function translate(attributes: Attributes, name = 'users.findUnique'): { sql: SqlBlock | undefined; ctx: TranslateContext } {
  const ctx = createContext(fakeSpan({ name, kind: SpanKind.CLIENT, attributes, parentSpanId: '00000000000000ff' }), false, options);
  const sql = sqlBlock(ctx);
  const doc = { name: 'x', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2, ...(sql ? { sql } : {}) };
  expectValidDocument(doc);
  expectValidDocument(JSON.parse(JSON.stringify(doc)));
  return { sql, ctx };
}

describe('sqlBlock: the Collector cases', () => {
  // From awsxrayexporter's sql_test.go.
  it('records a MySQL query, its database in the connection URL', () => {
    const { sql } = translate({
      'db.system': 'mysql',
      'db.name': 'customers',
      'db.statement': 'SELECT * FROM user WHERE user_id = ?',
      'db.user': 'readonly_user',
      'db.connection_string': 'mysql://db.example.com:3306',
      'net.peer.name': 'db.example.com',
      'net.peer.port': '3306',
    });
    expect(sql).toEqual({
      database_type: 'mysql',
      url: 'mysql://db.example.com:3306/customers',
      user: 'readonly_user',
      sanitized_query: 'SELECT * FROM user WHERE user_id = ?',
    });
  });

  it('records nothing for a database that is not SQL', () => {
    const { sql, ctx } = translate({
      'db.system': 'redis',
      'db.name': '0',
      'db.statement': 'SET key value',
      'db.user': 'readonly_user',
      'db.connection_string': 'redis://db.example.com:3306',
      'net.peer.name': 'db.example.com',
      'net.peer.port': '3306',
    });
    expect(sql).toBeUndefined();
    expect(ctx.consumed.size).toBe(0);
  });

  it('builds host:port/database without a connection string (the Collector writes the span name as url)', () => {
    const { sql } = translate({
      'db.system': 'postgresql',
      'db.name': 'customers',
      'db.statement': 'SELECT * FROM user WHERE user_id = ?',
      'db.user': 'readonly_user',
      'db.connection_string': '',
      'net.peer.name': 'db.example.com',
      'net.peer.port': '3306',
    });
    expect(sql).toEqual({
      database_type: 'postgresql',
      connection_string: 'db.example.com:3306/customers',
      user: 'readonly_user',
      sanitized_query: 'SELECT * FROM user WHERE user_id = ?',
    });
    expect(sql?.url).not.toBe('users.findUnique');
  });
});

describe('sqlBlock: which spans', () => {
  it.each([
    'mysql', 'postgresql', 'mssql', 'oracle', 'mariadb', 'sqlite', 'db2', 'h2', 'hsqldb', 'derby', 'cockroachdb', 'redshift', 'hive',
    'teradata', 'other_sql', 'microsoft.sql_server', 'oracle.db', 'ibm.db2', 'h2database', 'aws.redshift', 'trino', 'PostgreSQL',
  ])('SQL system %s', (system) => {
    expect(translate({ 'db.system': system }).sql).toEqual({ database_type: system });
    expect(translate({ 'db.system.name': system }).sql).toEqual({ database_type: system });
  });

  it.each(['redis', 'mongodb', 'dynamodb', 'aws.dynamodb', 'cassandra', 'elasticsearch', 'memcached', ''])('not %j', (system) => {
    expect(translate({ 'db.system': system, 'db.statement': 'x' }).sql).toBeUndefined();
  });

  it('needs a database system', () => {
    expect(translate({ 'db.statement': 'SELECT 1', 'db.connection_string': 'Server=x' }).sql).toBeUndefined();
    expect(translate({ 'db.system': 5 as unknown as string }).sql).toBeUndefined();
  });

  it('prefers the stable db.system.name and consumes both when they agree', () => {
    const { sql, ctx } = translate({ 'db.system.name': 'postgresql', 'db.system': 'postgresql' });
    expect(sql?.database_type).toBe('postgresql');
    expect(ctx.consumed).toContain('db.system.name');
    expect(ctx.consumed).toContain('db.system');
  });

  it('reads the stable db.query.text and db.namespace', () => {
    const { sql } = translate({ 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1', 'db.statement': 'SELECT 2', 'db.namespace': 'app', 'server.address': 'db', 'server.port': 5432 });
    expect(sql).toEqual({ database_type: 'postgresql', sanitized_query: 'SELECT 1', connection_string: 'db:5432/app' });
  });
});

describe('sqlBlock: connection', () => {
  it.each<[string, Attributes, Partial<SqlBlock>]>([
    ['a URL with a path goes to url as is', { 'db.connection_string': 'postgresql://db:5432/app', 'db.name': 'app' }, { url: 'postgresql://db:5432/app' }],
    ['a JDBC URL goes to url', { 'db.connection_string': 'jdbc:mysql://db:3306', 'db.name': 'app' }, { url: 'jdbc:mysql://db:3306/app' }],
    ['a JDBC URL with properties keeps them', { 'db.connection_string': 'jdbc:sqlserver://db:1433;databaseName=app', 'db.name': 'app' }, { url: 'jdbc:sqlserver://db:1433;databaseName=app' }],
    ['an ADO.NET string goes to connection_string', { 'db.connection_string': 'Server=db;Database=app;' }, { connection_string: 'Server=db;Database=app;' }],
    ['a built string takes server.address before net.peer.name', { 'server.address': 'db1', 'net.peer.name': 'db2', 'db.name': 'app' }, { connection_string: 'db1/app' }],
    ['a built string skips an invalid port', { 'server.address': 'db', 'server.port': 70000, 'net.peer.port': 5432 }, { connection_string: 'db:5432' }],
    ['a built string brackets IPv6', { 'net.peer.ip': '::1', 'net.peer.port': 5432, 'db.name': 'app' }, { connection_string: '[::1]:5432/app' }],
    ['no host, no connection string', { 'db.name': 'app', 'server.port': 5432 }, {}],
  ])('%s', (_name, attributes, expected) => {
    expect(translate({ 'db.system': 'postgresql', ...attributes }).sql).toEqual({ database_type: 'postgresql', ...expected });
  });

  it('consumes db.connection_string even when nothing of it is left, so its password never reaches metadata', () => {
    const { sql, ctx } = translate({ 'db.system': 'mssql', 'db.connection_string': 'Password=hunter2;' });
    expect(sql).toEqual({ database_type: 'mssql' });
    expect(ctx.consumed).toContain('db.connection_string');
  });

  it('omits a user longer than X-Ray accepts', () => {
    const { sql, ctx } = translate({ 'db.system': 'mysql', 'db.user': 'u'.repeat(251) });
    expect(sql?.user).toBeUndefined();
    expect(ctx.consumed.has('db.user')).toBe(false);
  });
});

describe('credentials (beyond the Collector)', () => {
  it.each<[string, string]>([
    ['mysql://admin:hunter2@db.example.com:3306/app', 'mysql://db.example.com:3306/app'],
    ['postgresql://admin:p%40ss@db/app?sslmode=require', 'postgresql://db/app?sslmode=require'],
    ['postgres://admin:p@ss/w:rd@db:5432/app', 'postgres://db:5432/app'],
    ['mongodb://u:hunter2@h1,h2/app', 'mongodb://h1,h2/app'],
    ['jdbc:mysql://admin:hunter2@db:3306/app', 'jdbc:mysql://db:3306/app'],
    ['jdbc:postgresql://db:5432/app?user=admin&password=hunter2&ssl=true', 'jdbc:postgresql://db:5432/app?user=admin&ssl=true'],
    ['jdbc:postgresql://db:5432/app?password=hunter2', 'jdbc:postgresql://db:5432/app?'],
    ['jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=hunter2;encrypt=true', 'jdbc:sqlserver://db:1433;databaseName=app;user=sa;encrypt=true'],
    ['jdbc:sqlserver://db:1433;password=p@ss;user=sa', 'jdbc:sqlserver://db:1433;user=sa'],
    ['jdbc:oracle:thin:scott/hunter2@db:1521:ORCL', 'jdbc:oracle:thin:@db:1521:ORCL'],
    ['jdbc:oracle:thin:scott/hunter2@//db:1521/svc', 'jdbc:oracle:thin:@//db:1521/svc'],
    ['jdbc:oracle:thin:@//db:1521/svc', 'jdbc:oracle:thin:@//db:1521/svc'],
    ['scott/hunter2@//db:1521/orcl', '//db:1521/orcl'],
    ['admin:hunter2@db:5432/app', 'db:5432/app'],
    ['Server=db;Database=app;User Id=sa;Password=hunter2;', 'Server=db;Database=app;User Id=sa;'],
    ['Server=db;Database=app;User Id=sa;Password=hunter2', 'Server=db;Database=app;User Id=sa;'],
    ['Password=hunter2;Server=db', 'Server=db'],
    ['Server=db; PASSWORD = hunter2 ;Database=app', 'Server=db;Database=app'],
    ['Server=db;Pwd=hunter2;Database=app', 'Server=db;Database=app'],
    ['Driver={ODBC Driver 18};Server=db;UID=sa;PWD={hun;ter}}2};', 'Driver={ODBC Driver 18};Server=db;UID=sa;'],
    ['Server=db;Password="hun;ter""2";Database=app', 'Server=db;Database=app'],
    ["Server=db;Password='hun;ter''2';Database=app", 'Server=db;Database=app'],
    ['Data Source=app.mdb;Jet OLEDB:Database Password=hunter2;', 'Data Source=app.mdb;'],
    ['host=db port=5432 dbname=app user=admin password=hunter2', 'host=db port=5432 dbname=app user=admin'],
    ["host=db password='hun ter2' dbname=app", 'host=db  dbname=app'],
    ['host=db sslpassword=hunter2 dbname=app', 'host=db  dbname=app'],
    ['Server=db;Database=app;Integrated Security=true', 'Server=db;Database=app;Integrated Security=true'],
    ['sqlite:///var/data/app.db', 'sqlite:///var/data/app.db'],
  ])('%s', (input, output) => {
    expect(stripCredentials(input)).toBe(output);
    expect(stripCredentials(input)).not.toMatch(/hunter|hun;ter|hun ter|p@ss|p%40ss|w:rd/);
  });

  it.each<[string, string]>([
    ["ALTER USER app WITH PASSWORD 'hunter2'", "ALTER USER app WITH PASSWORD ?"],
    ["CREATE ROLE app LOGIN PASSWORD 'hun''ter2'", 'CREATE ROLE app LOGIN PASSWORD ?'],
    ["CREATE LOGIN app WITH PASSWORD = 'hunter2', CHECK_POLICY = OFF", 'CREATE LOGIN app WITH PASSWORD = ?, CHECK_POLICY = OFF'],
    ["CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'", "CREATE USER 'app'@'%' IDENTIFIED BY ?"],
    ["ALTER USER 'app'@'%' IDENTIFIED WITH mysql_native_password BY 'hunter2'", "ALTER USER 'app'@'%' IDENTIFIED WITH mysql_native_password BY ?"],
    ["SET PASSWORD FOR 'app'@'%' = 'hunter2'", "SET PASSWORD FOR 'app'@'%' = ?"],
    ['ALTER USER scott IDENTIFIED BY hunter2;', 'ALTER USER scott IDENTIFIED BY ?;'],
    ["SELECT id FROM users WHERE password = 'hunter2'", 'SELECT id FROM users WHERE password = ?'],
    ['SELECT id FROM users WHERE password = ? AND name = $1', 'SELECT id FROM users WHERE password = ? AND name = $1'],
    ["SELECT 'password' AS word", "SELECT 'password' AS word"],
  ])('query %s', (input, output) => {
    expect(scrubQuery(input)).toBe(output);
  });

  it('puts no password of a connection string anywhere in the block', () => {
    const { sql } = translate({
      'db.system': 'mysql',
      'db.connection_string': 'mysql://admin:hunter2@db:3306',
      'db.name': 'app',
      'db.statement': "SET PASSWORD = 'hunter3'",
      'db.user': 'admin',
    });
    expect(sql).toEqual({ database_type: 'mysql', url: 'mysql://db:3306/app', user: 'admin', sanitized_query: 'SET PASSWORD = ?' });
  });

  // Templates of real connection-string shapes, each with the characters its syntax allows in a password.
  const templates: Array<[string, RegExp, (pw: string) => string]> = [
    ['URL userinfo', /^[A-Za-z0-9@/:!$~._;-]{1,16}$/, (pw) => `postgresql://admin:${pw}@db.example.com:5432/app`],
    ['JDBC userinfo', /^[A-Za-z0-9@/:!$~._-]{1,16}$/, (pw) => `jdbc:mysql://admin:${pw}@db:3306/app?useSSL=true`],
    ['URL query', /^[A-Za-z0-9@/:!$~._-]{1,16}$/, (pw) => `postgresql://db/app?user=admin&password=${pw}&sslmode=require`],
    ['SQL Server JDBC', /^[A-Za-z0-9@/:!$~._ -]{1,16}$/, (pw) => `jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=${pw};encrypt=true`],
    ['ADO.NET', /^[A-Za-z0-9@/:!$~._ -]{1,16}$/, (pw) => `Server=db;Database=app;User Id=sa;Password=${pw};Pooling=true`],
    ['ADO.NET quoted', /^[A-Za-z0-9@/:!$~._ ;=']{1,16}$/, (pw) => `Server=db;Password="${pw}";Database=app`],
    ['ODBC braces', /^[A-Za-z0-9@/:!$~._ ;={]{1,16}$/, (pw) => `Driver={PostgreSQL};Server=db;Uid=u;Pwd={${pw}};Database=app`],
    ['libpq', /^[A-Za-z0-9@/:!$~._;-]{1,16}$/, (pw) => `host=db port=5432 user=admin password=${pw} dbname=app`],
    ['libpq quoted', /^[A-Za-z0-9@/:!$~._ ;-]{1,16}$/, (pw) => `host=db password='${pw}' dbname=app`],
    ['Oracle thin', /^[A-Za-z0-9/:!$~._;-]{1,16}$/, (pw) => `jdbc:oracle:thin:scott/${pw}@//db:1521/svc`],
    ['EZConnect', /^[A-Za-z0-9/:!$~._-]{1,16}$/, (pw) => `scott/${pw}@db:1521/orcl`],
  ];

  it.each(templates)('never records the password of a %s connection string (property)', (_name, chars, template) => {
    fc.assert(
      fc.property(fc.stringMatching(chars), fc.constantFrom('mysql', 'postgresql', 'mssql', 'oracle'), (suffix, system) => {
        // A marker no template contains, so finding it means the password leaked.
        const password = `Zq${suffix}`;
        const { sql, ctx } = translate({ 'db.system': system, 'db.connection_string': template(password), 'db.name': 'app', 'db.user': 'admin' });
        expect(JSON.stringify(sql)).not.toContain('Zq');
        expect(ctx.consumed).toContain('db.connection_string');
      }),
      { numRuns: 200 },
    );
  });
});

describe('sqlBlock: SQL text only when asked (AWS_XRAY_COLLECT_SQL_QUERIES)', () => {
  const attributes = { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM carts WHERE id = $1' };
  const span = (scope: string) => ({ ...fakeSpan({ kind: SpanKind.CLIENT, attributes, parentSpanId: '00000000000000ff' }), instrumentationScope: { name: scope } });

  it('leaves an instrumentation\'s query out by default, and out of metadata too', () => {
    const ctx = createContext(span('@opentelemetry/instrumentation-pg'), false, resolveTranslateOptions({ collectSqlQueries: false }));
    expect(sqlBlock(ctx)).toEqual({ database_type: 'postgresql' });
    expect(ctx.consumed).toContain('db.query.text');
  });

  it('keeps it with collectSqlQueries, or AWS_XRAY_COLLECT_SQL_QUERIES=true when the option is not given', () => {
    expect(sqlBlock(createContext(span('pg'), false, resolveTranslateOptions({ collectSqlQueries: true })))?.sanitized_query).toBe(attributes['db.query.text']);
    const saved = process.env.AWS_XRAY_COLLECT_SQL_QUERIES;
    try {
      process.env.AWS_XRAY_COLLECT_SQL_QUERIES = 'TRUE';
      expect(sqlBlock(createContext(span('pg'), false, resolveTranslateOptions()))?.sanitized_query).toBe(attributes['db.query.text']);
      process.env.AWS_XRAY_COLLECT_SQL_QUERIES = 'false';
      expect(sqlBlock(createContext(span('pg'), false, resolveTranslateOptions()))?.sanitized_query).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.AWS_XRAY_COLLECT_SQL_QUERIES;
      else process.env.AWS_XRAY_COLLECT_SQL_QUERIES = saved;
    }
  });

  it('always keeps what the application gave the recorder (setSql)', () => {
    const ctx = createContext(span('xray-otel-bridge'), false, resolveTranslateOptions({ collectSqlQueries: false }));
    expect(sqlBlock(ctx)?.sanitized_query).toBe(attributes['db.query.text']);
  });
});

describe('sqlBlock: arbitrary attributes', () => {
  const keys = [
    'db.system', 'db.system.name', 'db.connection_string', 'db.user', 'db.query.text', 'db.statement', 'db.name', 'db.namespace',
    'server.address', 'server.port', 'net.peer.name', 'net.peer.ip', 'net.peer.port',
  ];
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'mysql', 'postgresql', 'PostgreSQL', 'redis', 'microsoft.sql_server', '::1', '5432', 'a://b', 'jdbc:oracle:thin:@', 'password=', '@'),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean()), { maxLength: 3 }),
  );
  const attributes = fc.dictionary(fc.constantFrom(...keys), value) as fc.Arbitrary<Attributes>;

  it('never throws, and always yields a schema-valid block (or none)', () => {
    fc.assert(
      fc.property(attributes, (attrs) => {
        const { sql } = translate(attrs);
        if (sql !== undefined) expect(typeof sql.database_type).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('strips any string quickly (no catastrophic backtracking)', () => {
    const hostile = [
      ';'.repeat(50_000),
      ';a'.repeat(25_000),
      'password'.repeat(10_000),
      '"'.repeat(50_000),
      `a://${'@'.repeat(50_000)}`,
      ` ${'x'.repeat(50_000)}`,
      `Password="${'""'.repeat(25_000)}`,
      `jdbc:oracle:thin:${'a'.repeat(50_000)}`,
    ];
    const start = performance.now();
    for (const s of hostile) {
      stripCredentials(s);
      scrubQuery(s);
      scrubQuery(`PASSWORD FOR ${'x'.repeat(50_000)}`);
      scrubQuery(`IDENTIFIED WITH ${' x'.repeat(25_000)}`);
    }
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
