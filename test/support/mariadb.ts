import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as MySql2 from 'mysql2/promise';
import { freePort, stopChild, waitForReady } from './postgres.js';

/** A MariaDB server the tests started, on loopback, in a temporary data directory. */
export interface MariaDbServer {
  readonly host: string;
  readonly port: number;
  /** The Unix socket the root account (no password) connects through to set up users. */
  readonly socketPath: string;
  stop(): Promise<void>;
}

const SERVER = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];
const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];

/**
 * Why MariaDB cannot be started here, or undefined when it can. MariaDB exists only as a Debian
 * package (`.ci/run` installs `mariadb-server`), never from npm.
 */
export function mariaDbUnavailable(): string | undefined {
  if (!SERVER.some(existsSync) || !INSTALL_DB.some(existsSync)) {
    return 'MariaDB is not installed (Debian package mariadb-server; .ci/run installs it)';
  }
  return undefined;
}

export async function startMariaDb(): Promise<MariaDbServer> {
  const server = SERVER.find(existsSync)!;
  const installDb = INSTALL_DB.find(existsSync)!;
  const dir = await mkdtemp(join(tmpdir(), 'xray-mariadb-'));
  const data = join(dir, 'data');
  const socketPath = join(dir, 'mysqld.sock');
  // As root the server must be told to stay root: the data directory is root's.
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(installDb, ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${installDb} exited with ${code}: ${err}`))));
  });
  const port = await freePort();
  const child = spawn(
    server,
    ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socketPath}`, `--pid-file=${join(dir, 'pid')}`, '--skip-log-bin', ...asRoot],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitForReady(child, 'ready for connections');
  return {
    host: '127.0.0.1',
    port,
    socketPath,
    async stop() {
      await stopChild(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the database `shop` and an account `user`@127.0.0.1 (password `password`) that owns it. */
export async function createShopDatabase(server: MariaDbServer, user: string, password: string): Promise<void> {
  const mysql = createRequire(import.meta.url)('mysql2/promise') as typeof MySql2;
  const root = await mysql.createConnection({ socketPath: server.socketPath, user: 'root' });
  await root.query('CREATE DATABASE shop');
  await root.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
  await root.query(`GRANT ALL ON shop.* TO '${user}'@'127.0.0.1'`);
  await root.end();
}
