/**
 * The record of the processes one `npm start` runs (`.casebook/dev-server.pid.json`), and what the
 * next `npm start` does with a dev server that a previous run left holding the port: stop it when the
 * record proves it is ours (its pid runs `temporal server start-dev` on this very database and
 * port), and never touch anything else.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { casebookHome } from './config';
import { pollUntil } from './poll';

/** Who runs what, written by `npm start` once its dev server is spawned. */
export interface DevServerRecord {
  /** The `npm start` Node process. */
  startPid: number;
  /** The watchdog that owns the server (src/supervisor.ts). */
  watchdogPid: number;
  serverPid: number;
  dbFile: string;
  ip: string;
  port: number;
  uiPort: number;
  startedAt: string;
}

export function devServerRecordFile(): string {
  return path.join(casebookHome(), 'dev-server.pid.json');
}

export function readDevServerRecord(): DevServerRecord | undefined {
  try {
    return JSON.parse(readFileSync(devServerRecordFile(), 'utf8')) as DevServerRecord;
  } catch {
    return undefined;
  }
}

export function writeDevServerRecord(record: DevServerRecord): void {
  writeFileSync(devServerRecordFile(), `${JSON.stringify(record, null, 2)}\n`);
}

/** True while `pid` exists (a process of another user counts too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, or undefined when it is gone. */
function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    try {
      // No /proc (macOS): ps prints the arguments joined by spaces; good enough to compare flags.
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
    } catch {
      return undefined;
    }
  }
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** True when `pid` is the dev server the record describes: `start-dev` on its database and port. */
export function isRecordedDevServer(record: DevServerRecord): boolean {
  const args = commandLine(record.serverPid);
  if (!args) return false;
  return args.includes('start-dev') && flag(args, '--db-filename') === record.dbFile && flag(args, '--port') === String(record.port);
}

/** True when something accepts connections on `port`. */
export function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}


async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return (await pollUntil(async () => ((await check()) ? true : undefined), timeoutMs)) ?? false;
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
async function stopPid(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitUntil(() => !isAlive(pid), graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitUntil(() => !isAlive(pid), 5_000);
}

/**
 * Makes sure `ports` are free for a new dev server on `dbFile`. A dev server left by an earlier
 * `npm start` (recorded, still running `start-dev` on this database and port, its `npm start` gone)
 * is stopped, and says so. Anything else on the ports is left alone, with an error saying what to do.
 */
export async function freePortsForDevServer(options: { ip: string; ports: number[]; dbFile: string; say: (line: string) => void }): Promise<void> {
  const { ip, ports, dbFile, say } = options;
  const busy = async () => (await Promise.all(ports.map((p) => portInUse(p, ip)))).map((inUse, i) => (inUse ? ports[i] : undefined)).filter((p) => p !== undefined);
  let taken = await busy();
  const record = readDevServerRecord();
  if (record && !isAlive(record.serverPid)) rmSync(devServerRecordFile(), { force: true }); // its server is gone
  if (taken.length === 0) return;

  if (record && record.dbFile === dbFile && ports.includes(record.port) && isRecordedDevServer(record)) {
    if (record.startPid !== process.pid && commandLine(record.startPid)?.some((arg) => /\bstart\.[jt]s$/.test(arg))) {
      throw new Error(
        `another \`npm start\` (pid ${record.startPid}) is running on ${record.ip}:${record.port} with this state (${dbFile}). ` +
          `Use that one, or stop it first (Ctrl-C in its terminal, or \`kill -TERM ${record.startPid}\`).`,
      );
    }
    say(`a Temporal dev server left by an earlier \`npm start\` (pid ${record.serverPid}, ${path.relative(process.cwd(), dbFile) || dbFile}) still holds port ${record.port}; stopping it`);
    await stopPid(record.serverPid, 8_000);
    rmSync(devServerRecordFile(), { force: true });
    await waitUntil(async () => (await busy()).length === 0, 5_000);
    taken = await busy();
    if (taken.length === 0) {
      say('stopped the earlier dev server');
      return;
    }
  }
  const port = taken[0];
  throw new Error(
    `port ${port} on ${ip} is in use by a process that this casebook did not start (no record in ${path.dirname(devServerRecordFile())} matches it), ` +
      'so it is left alone. ' +
      `Find it with \`ss -ltnp 'sport = :${port}'\` (or \`lsof -i :${port}\`) and stop it if it is yours, ` +
      'or run casebook on other ports: `CASEBOOK_TEMPORAL_PORT=7333 CASEBOOK_UI_PORT=8333 npm start` (its HTTP API takes port + 10).',
  );
}
