/**
 * `npm start`: the main job. Runs the embedded Temporal dev server (SQLite file under .casebook/,
 * Web UI, casebook's search attributes) and the worker; with TEMPORAL_ADDRESS or a Temporal
 * profile set, runs only the worker against that server. Ctrl-C, SIGTERM or SIGHUP (once or
 * repeated) drains the worker, then stops the server; the server runs under a watchdog
 * (src/supervisor.ts) that stops it if this process dies without cleaning up.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { binaryVersion, requireBinary } from './binaries';
import { casebookHome, devServerAddress, projectRoot, taskQueue } from './config';
import { connectClient, devServerInfoFile, registerSearchAttributes, hasExternalServer, loadConnectionSettings, type DevServerInfo } from './connection';
import { devServerRecordFile, freePortsForDevServer, writeDevServerRecord } from './dev-server-record';
import { CASEBOOK_SEARCH_ATTRIBUTES } from './search-attributes';
import { type ChildSpec, startSupervisor } from './supervisor';
import { createWorker, installRuntime } from './worker';
import { type RunningReviewServer, startReviewServer } from './review/server';

const say = (line: string) => console.log(`[casebook] ${line}`);

/** The signals that stop `npm start`; a terminal closing sends SIGHUP. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The one stop request of this process. Its signal handlers stay installed until the process exits:
 * npm relays SIGINT and SIGTERM to its child, so the same signal often arrives twice, and a second
 * one must not meet Node's default action (exit at once, worker not drained, children left behind).
 * The parent dying without a signal to us (SIGHUP or SIGKILL to npm alone) counts as a stop request too.
 */
function stopRequests() {
  let resolveStop: (reason: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => (resolveStop = resolve));
  let reason: string | undefined;
  const request = (why: string) => {
    if (reason !== undefined) {
      say(`${why}: already stopping (${reason})`);
      return;
    }
    reason = why;
    say(`${why}: stopping the worker (running activities finish), then the server`);
    resolveStop(why);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => request(signal));
  const parent = process.ppid;
  const watch = setInterval(() => process.ppid !== parent && request(`the parent process (pid ${parent}) is gone`), 250);
  watch.unref();
  return { requested, request, get stopping() {
    return reason !== undefined;
  } };
}

/**
 * Dev-server arguments: SQLite persistence, ports, and casebook's search attributes. The HTTP API
 * port is fixed when given (the CLI's read-only commands use the HTTP API; see src/cli/read.ts),
 * else the server picks a free one.
 */
export function devServerArgs(options: { dbFile: string; ip: string; port: number; uiPort: number; httpPort?: number; namespace: string }): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    ...(options.httpPort ? ['--http-port', String(options.httpPort)] : []),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    '--sqlite-pragma',
    'journal_mode=wal',
    ...CASEBOOK_SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`]),
  ];
}

type Stop = ReturnType<typeof stopRequests>;

/** Connects once the server answers; undefined when a stop was requested first. */
async function waitForServer(address: string, stop: Stop, problem: () => string | undefined, timeoutMs: number): Promise<NativeConnection | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const failure = problem();
    if (failure) throw new Error(failure);
    if (stop.stopping) return undefined;
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s: ${String(lastError)}`);
}

function banner(info: DevServerInfo, cli: string, reviewUrl?: string): void {
  const lines = [
    '',
    '  casebook is running',
    `  Temporal server  ${info.address} (namespace ${info.namespace})`,
    `  Web UI           ${info.uiUrl}`,
    `  HTTP API         ${info.httpUrl} (casebook status, show and inbox read through it)`,
    `  review page      ${reviewUrl ?? 'not running (see above)'}`,
    `  task queue       ${taskQueue()}`,
    '',
    '  Next, in another terminal (or use `npx casebook`, slower):',
    `    alias casebook="node ${path.join(projectRoot, 'bin', 'casebook.js')}"`,
    '    casebook start square              start a case',
    '    casebook status                    the progress table',
    '    casebook inbox --reviewer alice    what waits for a reviewer',
    '    casebook approve square --reviewer alice',
    `    temporal workflow list --address ${info.address} --query 'CasePhase="review"'`,
    '',
    `  The Temporal CLI is ${path.relative(process.cwd(), cli) || cli}; put it on PATH with`,
    `    export PATH="${path.dirname(cli)}:$PATH"`,
    "  or run it as `npm run temporal -- <args>`.",
    '',
    '  Ctrl-C stops the worker (after running activities finish) and then the server.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function runWorker(connection: NativeConnection, namespace: string, stop: Stop, ready?: () => void): Promise<void> {
  if (stop.stopping) return;
  // Bounded drain: npm start stops within 10 s; an activity cut short is retried on the next start.
  const worker: Worker = await createWorker({ connection, namespace, shutdownGraceTime: '5 seconds', shutdownForceTime: '7 seconds' });
  if (!stop.stopping) ready?.();
  await worker.runUntil(stop.requested); // returns once a stop request has drained it
}

/** The review page beside the worker; npm start goes on without it if it cannot start. */
function startReviewPage(): Promise<RunningReviewServer | undefined> {
  return startReviewServer({ announce: true }).catch((err: Error) => {
    say(`the review page did not start: ${err.message}`);
    return undefined;
  });
}

async function workerOnly(stop: Stop): Promise<void> {
  const settings = loadConnectionSettings();
  say(`TEMPORAL_ADDRESS or a Temporal profile is set: running only the worker against ${settings.address}.`);
  const client = await connectClient(settings);
  try {
    const added = await registerSearchAttributes(client.connection, settings.namespace);
    if (added.length) say(`registered search attributes: ${added.join(', ')}`);
  } catch (err) {
    say(`could not register search attributes (${String(err)}); register them yourself: ${CASEBOOK_SEARCH_ATTRIBUTES.map((sa) => `${sa.name}=${sa.type}`).join(', ')}`);
  } finally {
    await client.connection.close();
  }
  const connection = await NativeConnection.connect(settings.connectOptions);
  const review = await startReviewPage();
  if (review) say(`review page ${review.url}`);
  try {
    await runWorker(connection, settings.namespace, stop);
    say('worker stopped');
  } finally {
    await review?.close();
    await connection.close();
  }
}

async function withDevServer(stop: Stop): Promise<void> {
  const cli = requireBinary('cli');
  const { ip, port, uiPort, httpPort } = devServerAddress();
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const home = casebookHome();
  mkdirSync(home, { recursive: true });
  const dbFile = path.join(home, 'temporal.db');
  await freePortsForDevServer({ ip, ports: [port, uiPort, httpPort], dbFile, say });
  say(`starting ${binaryVersion(cli)}; state in ${path.relative(process.cwd(), dbFile) || dbFile}`);

  // Every process npm start runs besides the worker; the watchdog stops them all when npm start ends.
  const children: ChildSpec[] = [{ name: 'temporal', command: cli, args: devServerArgs({ dbFile, ip, port, uiPort, httpPort, namespace }) }];
  const supervisor = startSupervisor(children, { cleanup: [devServerRecordFile(), devServerInfoFile()] });
  let exited: string | undefined;
  supervisor.onUnexpectedExit((name, code, signal) => {
    exited = `${name} exited (${signal ?? `code ${code}`})`;
    stop.request(exited);
  });
  const address = `${ip}:${port}`;
  const host = ip === '0.0.0.0' || ip === '127.0.0.1' ? 'localhost' : ip;
  const info: DevServerInfo = { address, uiUrl: `http://${host}:${uiPort}`, httpUrl: `http://${host === 'localhost' ? '127.0.0.1' : host}:${httpPort}`, namespace, pid: process.pid };
  let connection: NativeConnection | undefined;
  let review: RunningReviewServer | undefined;
  try {
    const serverPid = await supervisor.started('temporal');
    writeDevServerRecord({ startPid: process.pid, watchdogPid: supervisor.pid, serverPid, dbFile, ip, port, uiPort, startedAt: new Date().toISOString() });
    connection = await waitForServer(address, stop, () => exited, 30_000);
    if (connection) {
      writeFileSync(devServerInfoFile(), JSON.stringify(info, null, 2));
      review = await startReviewPage();
      await runWorker(connection, namespace, stop, () => banner(info, cli, review?.url));
      say('worker stopped');
    }
    if (exited) throw new Error(`${exited}; its output above says why. Run \`npm start\` again once that is fixed.`);
  } finally {
    await review?.close();
    rmSync(devServerInfoFile(), { force: true });
    await connection?.close();
    await supervisor.stop();
    rmSync(devServerRecordFile(), { force: true });
    say('Temporal server stopped');
  }
}

async function main(): Promise<void> {
  // Our own signal handlers, not the SDK runtime's: they must outlive the worker (see stopRequests).
  installRuntime({ shutdownSignals: [] });
  const stop = stopRequests();
  await (hasExternalServer() ? workerOnly(stop) : withDevServer(stop));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`[casebook] npm start failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
