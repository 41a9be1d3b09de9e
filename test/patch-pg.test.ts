import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';
import { startPostgres, type PostgresServer } from './support/postgres.js';
import { subsegmentsOf } from './support/traced.js';

const require = createRequire(import.meta.url);

let server: PostgresServer;
let t: Tracing;
let pg: typeof Pg;

beforeAll(async () => {
  server = await startPostgres();
  console.log(`PostgreSQL for the pg tests: ${server.source}`);
  t = setupTracing();
  // psycopg2 is the X-Ray Python name for the PostgreSQL driver.
  expect(t.recorder.patch(['psycopg2']).patched).toEqual(['pg']);
  pg = require('pg') as typeof Pg;
}, 120_000);

afterAll(async () => {
  await t?.teardown();
  await server?.stop();
});

describe('patch("psycopg2"): pg queries against a real PostgreSQL', () => {
  it('each query is a subsegment named database@host with the sql block, and no password anywhere', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
    const { subsegments: subs } = await subsegmentsOf(t, async () => {
      await client.connect();
      const res = await client.query('SELECT $1::int AS n', [7]);
      expect(res.rows).toEqual([{ n: 7 }]);
      await client.end();
    });
    // pg.connect and the query: both calls to the server.
    expect(subs).toHaveLength(2);
    const query = subs[1];
    expect(query).toMatchObject({
      name: 'postgres@127.0.0.1',
      namespace: 'remote',
      sql: { database_type: 'postgresql', user: server.user, url: `postgresql://127.0.0.1:${server.port}/postgres` },
    });
    expect(JSON.stringify(subs)).not.toContain(server.password);
    // The SQL text only when asked (AWS_XRAY_COLLECT_SQL_QUERIES); see translate-sql.test.ts.
    expect(query?.sql?.sanitized_query).toBeUndefined();
  });

  it('a failing query is a fault with the server\'s message, and the application still gets its error', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
    await client.connect();
    let caught: unknown;
    const { subsegments: subs } = await subsegmentsOf(t, async () => {
      await client.query('SELECT * FROM no_such_table').catch((e: unknown) => (caught = e));
    });
    await client.end();
    expect((caught as Error).message).toMatch(/no_such_table/);
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ fault: true, sql: { database_type: 'postgresql' } });
    const cause = subs[0]!.cause;
    // The instrumentation records the SQLSTATE (42P01: undefined table), not the server's text.
    expect(typeof cause === 'object' ? cause.exceptions?.[0]?.message : cause).toMatch(/42P01/);
  });
});
