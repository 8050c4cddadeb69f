/**
 * Real processes for the fault and security tests: the Temporal dev server on a SQLite file, and
 * casebook workers (test/helpers/fault-worker.ts) that can be killed. Every process started here is
 * tracked; call `killAll()` in afterAll so nothing outlives the test file.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { requireBinary } from '../../src/binaries';
import { projectRoot } from '../../src/config';
import { pollUntil } from '../../src/poll';
import { devServerArgs } from '../../src/start';

const live = new Set<ChildProcess>();
const execFileP = promisify(execFile);

/** How a command ended: its exit status and what it printed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `casebook <args>` (bin/casebook.js, as a user would) as a separate process with `env`, from
 * the project folder; an exit status other than 0 is returned, not thrown.
 */
export async function runCasebook(args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [path.join(projectRoot, 'bin', 'casebook.js'), ...args], { env, cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CommandResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The lowest port the kernel hands out by itself (outgoing connections, listen on port 0). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 49_152;
  } catch {
    return 49_152; // the IANA range, used by most other systems
  }
}

/** Whether `port` on 127.0.0.1 can be listened on right now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago, below the kernel's ephemeral range: a port the kernel
 * picked (listen on 0) is soon handed out again to some outgoing connection or port-0 listener of
 * this busy machine, which then holds it when the dev server binds it, or when it restarts on it.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow();
  for (let i = 0; i < 100; i++) {
    const port = low + randomInt(high - low);
    if (RESERVED_PORTS.includes(port)) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

/** The ports a user's `npm start` uses (Temporal, its Web UI, the review page): tests never take them. */
const RESERVED_PORTS = [7233, 8233, 8234];

/**
 * Polls `check` every 100 ms until it returns a value other than undefined/false. Errors thrown by
 * `check` count as "not yet"; `fatal` (when it returns a message) stops the wait at once.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  fatal: () => string | undefined = () => undefined,
): Promise<T> {
  let lastError: unknown;
  const found = await pollUntil(async () => {
    const problem = fatal();
    if (problem) throw new Error(`while waiting for ${what}: ${problem}`);
    try {
      const value = await check();
      return value === undefined || value === false ? undefined : { value };
    } catch (err) {
      lastError = err;
      return undefined;
    }
  }, timeoutMs);
  if (!found) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
  return found.value;
}

function track(child: ChildProcess, label: string, output: string[]): ChildProcess {
  live.add(child);
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.once('exit', () => live.delete(child));
  child.once('error', (err) => output.push(`${label}: ${err.message}`));
  return child;
}

/** Sends `signal` and waits for the process to exit; SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** SIGKILLs every process these helpers started that is still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((child) => stopProcess(child, 'SIGKILL')));
}

/** Whether a Temporal frontend answers at `address` (throws while it does not). */
export async function frontendAnswers(address: string): Promise<true> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

/** A `temporal server start-dev` process with its SQLite file, ports and output. */
export interface DevServer {
  address: string;
  process: ChildProcess;
  output: string[];
}

/**
 * Starts the provisioned Temporal CLI's dev server on `dbFile` and `port` (headless), with casebook's
 * search attributes, and waits until it answers (its gRPC API; the HTTP API starts with it). The HTTP
 * API listens on `httpPort` when given; `extraArgs` are added to `npm start`'s flags (the bench turns
 * SQLite's synchronous writes off).
 */
export async function startDevServer(
  dbFile: string,
  port: number,
  uiPort: number,
  options: { httpPort?: number; extraArgs?: string[] } = {},
): Promise<DevServer> {
  const output: string[] = [];
  // The same flags as `npm start`, headless.
  const args = [...devServerArgs({ dbFile, ip: '127.0.0.1', port, uiPort, httpPort: options.httpPort, namespace: 'default' }), '--headless', ...(options.extraArgs ?? [])];
  const child = track(spawn(requireBinary('cli'), args, { stdio: ['ignore', 'pipe', 'pipe'] }), 'temporal', output);
  const address = `127.0.0.1:${port}`;
  const exited = () => (child.exitCode !== null ? `the dev server exited with ${child.exitCode}: ${output.join('')}` : undefined);
  await waitFor(`the dev server on ${address}`, () => frontendAnswers(address), 30_000, exited);
  return { address, process: child, output };
}

/** A fault worker process. */
export interface WorkerProcess {
  process: ChildProcess;
  output: string[];
}

/**
 * Runs test/helpers/fault-worker.ts as a separate Node process and waits until it polls.
 * `env` is added to this process's environment (FAULT_*, CASEBOOK_HOME, CASEBOOK_LIBRARY_DIR, ...).
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const output: string[] = [];
  const script = path.join(__dirname, 'fault-worker.ts');
  if (!existsSync(script)) throw new Error(`${script} is missing`);
  const child = track(
    spawn(process.execPath, ['--require', 'tsx/cjs', script], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    'worker',
    output,
  );
  await waitFor(
    'the worker to poll',
    () => output.join('').includes('ready'),
    60_000,
    () => (child.exitCode !== null ? `the worker exited with ${child.exitCode}: ${output.join('')}` : undefined),
  );
  return { process: child, output };
}
