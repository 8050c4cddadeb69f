/**
 * A private PostgreSQL cluster for tests: initdb in a temporary folder, pg_ctl start on a free
 * loopback port, never the machine's own server. Used by the store tests, by the PostgreSQL run of
 * the test suite (CASEBOOK_TEST_STORE=postgres) and by `npm run test:production`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';
import { setting } from '../../src/config';

const run = promisify(execFile);

/** Folder of initdb and pg_ctl: CASEBOOK_PG_BIN, then PATH, then Debian's /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  const configured = setting('CASEBOOK_PG_BIN');
  if (configured) candidates.push(configured);
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found: install them (Debian/Ubuntu: apt-get install postgresql; .ci/run does) or set CASEBOOK_PG_BIN to their folder',
    );
  }
  return found;
}

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A postgres:// URL for `database` with this cluster's credentials. */
  url(database: string): string;
  /** The server log so far (for failure messages). */
  log(): Promise<string>;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

/**
 * initdb refuses to run as root; then the cluster belongs to an unprivileged user
 * (CASEBOOK_PG_OS_USER, default `postgres`, which Debian's package creates) and commands run through
 * runuser.
 */
async function osUser(): Promise<{ wrap: (cmd: string, args: string[]) => [string, string[]]; uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const name = setting('CASEBOOK_PG_OS_USER') ?? 'postgres';
  let uid: number;
  let gid: number;
  try {
    uid = Number((await run('id', ['-u', name])).stdout.trim());
    gid = Number((await run('id', ['-g', name])).stdout.trim());
  } catch {
    throw new Error(`running as root, and there is no user ${JSON.stringify(name)} to own the test PostgreSQL cluster: install postgresql or set CASEBOOK_PG_OS_USER`);
  }
  return { wrap: (cmd, args) => ['runuser', ['-u', name, '--', cmd, ...args]], uid, gid };
}

/** Starts a private cluster; the superuser is `user` with `password` (scram-sha-256 over TCP). */
export async function startPostgres(options: { user?: string; password?: string } = {}): Promise<PostgresCluster> {
  const user = options.user ?? 'casebook';
  const password = options.password ?? 'casebook';
  const bin = postgresBinDir();
  const owner = await osUser();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pwfile');
  const logFile = path.join(dir, 'server.log');
  await fs.writeFile(pwfile, `${password}\n`);
  if (owner.uid !== undefined) {
    await fs.chown(dir, owner.uid, owner.gid!);
    await fs.chown(pwfile, owner.uid, owner.gid!);
  }
  const exec = (cmd: string, args: string[]) => {
    const [file, argv] = owner.wrap(path.join(bin, cmd), args);
    return run(file, argv, { cwd: dir });
  };
  try {
    await exec('initdb', ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const port = await freePort();
  // fsync off: a test cluster is thrown away, and it spares the shared disk.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  try {
    await exec('pg_ctl', ['-D', data, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start']);
  } catch (err) {
    const log = await fs.readFile(logFile, 'utf8').catch(() => '');
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed on port ${port}: ${(err as { stderr?: string }).stderr ?? String(err)}\n${log}`);
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: (database) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    log: () => fs.readFile(logFile, 'utf8').catch(() => ''),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}
