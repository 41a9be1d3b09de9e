// Parity for the SQL patchers: capturePostgres (aws-xray-sdk-postgres) and captureMySQL
// (aws-xray-sdk-mysql) in the same legacy programs, under the real SDK packages and under the
// drop-in (`--require xray-otel-bridge/alias`), against real servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopDatabase, mariaDbUnavailable, startMariaDb, type MariaDbServer } from './support/mariadb.js';
import { PROGRAMS, requireBuiltAlias, runProgram, type Run } from './support/parity.js';
import { PG_PASSWORD, PG_USER, startPostgres, type PostgresServer } from './support/postgres.js';

async function both(program: string, env: Record<string, string>): Promise<{ sdk: Run; dropin: Run }> {
  const sdk = await runProgram(`${PROGRAMS}${program}`, 'sdk', env);
  const dropin = await runProgram(`${PROGRAMS}${program}`, 'dropin', env);
  return { sdk, dropin };
}

function expectSame({ sdk, dropin }: { sdk: Run; dropin: Run }): void {
  expect(sdk.code, sdk.stderr).toBe(0);
  expect(sdk.traces.length).toBe(1);
  expect(dropin.stdout).toBe(sdk.stdout);
  expect(dropin.code, dropin.stderr).toBe(sdk.code);
  expect(dropin.traces).toEqual(sdk.traces);
  for (const d of dropin.documents) expect(d.errors, JSON.stringify(d.document)).toEqual([]);
}

beforeAll(() => requireBuiltAlias());

describe('capturePostgres: pg against a real PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(() => server?.stop());

  const env = () => ({ PG_HOST: server.host, PG_PORT: String(server.port), PG_USER: server.user, PG_PASSWORD: server.password });

  it('callback, values, a named prepared statement, a failing query and a query inside captureAsyncFunc', async () => {
    const runs = await both('postgres.cjs', env());
    expectSame(runs);
    const subsegments = runs.dropin.traces[0]!.roots[0]!.children;
    expect(subsegments.map((s) => s.name)).toContain('postgres@127.0.0.1');
    expect(JSON.stringify(runs.dropin.documents)).not.toContain(server.password);
  });

  it('with AWS_XRAY_COLLECT_SQL_QUERIES, the query text as sanitized_query', async () => {
    const runs = await both('postgres.cjs', { ...env(), AWS_XRAY_COLLECT_SQL_QUERIES: 'true' });
    expectSame(runs);
    expect(JSON.stringify(runs.dropin.traces)).toContain('"sanitized_query":"SELECT $1::int AS n"');
  });
});

// MariaDB is a Debian package only: CI installs it and must run these; elsewhere they may be skipped.
const unavailable = mariaDbUnavailable();
const required = process.env.CI === 'true';
if (unavailable !== undefined && !required) console.log(`Skipping the captureMySQL parity: ${unavailable}`);

describe.skipIf(unavailable !== undefined && !required)('captureMySQL: mysql2 against a real MariaDB', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true requires MariaDB: ${unavailable}`);
    server = await startMariaDb();
    await createShopDatabase(server, PG_USER, PG_PASSWORD);
  }, 120_000);
  afterAll(() => server?.stop());

  it('query with a callback, values, execute, a failing query and a streamed query', async () => {
    const runs = await both('mysql.cjs', { MYSQL_HOST: server.host, MYSQL_PORT: String(server.port), MYSQL_USER: PG_USER, MYSQL_PASSWORD: PG_PASSWORD });
    expectSame(runs);
    expect(runs.dropin.traces[0]!.roots[0]!.children.map((s) => s.name)).toContain('shop@127.0.0.1');
    expect(JSON.stringify(runs.dropin.documents)).not.toContain(PG_PASSWORD);
  });
});
