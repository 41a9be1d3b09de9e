import { createRequire } from 'node:module';
import type * as MySql2 from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';
import { createShopDatabase, mariaDbUnavailable, startMariaDb, type MariaDbServer } from './support/mariadb.js';
import { PG_PASSWORD as PASSWORD, PG_USER as USER } from './support/postgres.js';
import { onlySubsegmentOf } from './support/traced.js';

const require = createRequire(import.meta.url);

// MariaDB is a Debian package only: CI installs it and must run these; elsewhere they may be skipped.
const unavailable = mariaDbUnavailable();
const required = process.env.CI === 'true';
if (unavailable !== undefined && !required) console.log(`Skipping the mysql2 tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined && !required)('patch("mysql"): mysql2 queries against a real MariaDB', () => {
  let server: MariaDbServer;
  let t: Tracing;
  let mysql: typeof MySql2;

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true requires MariaDB: ${unavailable}`);
    server = await startMariaDb();
    t = setupTracing();
    // In Python `mysql` is mysql-connector; here it is every MySQL driver installed (mysql2).
    expect(t.recorder.patch('mysql').patched).toEqual(['mysql2']);
    mysql = require('mysql2/promise') as typeof MySql2;
    await createShopDatabase(server, USER, PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await t?.teardown();
    await server?.stop();
  });

  it('a query is a subsegment named database@host with the sql block, and no password anywhere', async () => {
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: USER, password: PASSWORD, database: 'shop' });
    const { doc } = await onlySubsegmentOf(t, async () => {
      const [rows] = await conn.query('SELECT 1 + 1 AS two');
      expect(rows).toEqual([{ two: 2 }]);
    });
    await conn.end();
    // The mysql2 instrumentation's stable attributes name no user, and its hooks do not see the connection.
    expect(doc).toMatchObject({ name: `shop@127.0.0.1`, namespace: 'remote', sql: { database_type: 'mysql', connection_string: `127.0.0.1:${server.port}/shop` } });
    expect(JSON.stringify(doc)).not.toContain(PASSWORD);
    expect(doc.sql?.sanitized_query).toBeUndefined();
  });

  it('a failing query is a fault, and the application still gets its error', async () => {
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: USER, password: PASSWORD, database: 'shop' });
    const { doc, error } = await onlySubsegmentOf(t, () => conn.query('SELECT * FROM no_such_table'));
    await conn.end();
    expect((error as Error).message).toMatch(/no_such_table/);
    expect(doc).toMatchObject({ fault: true, sql: { database_type: 'mysql' } });
  });
});
