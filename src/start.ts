/**
 * `npm start`: the main job. Runs the embedded Temporal dev server (SQLite file under .casebook/,
 * Web UI, casebook's search attributes) and the worker; with TEMPORAL_ADDRESS or a Temporal
 * profile set, runs only the worker against that server. Ctrl-C / SIGTERM drains the worker, then
 * stops the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { binaryVersion, requireBinary } from './binaries';
import { casebookHome } from './config';
import { connectClient, devServerInfoFile, registerSearchAttributes, hasExternalServer, loadConnectionSettings, type DevServerInfo } from './connection';
import { taskQueue } from './config';
import { CASEBOOK_SEARCH_ATTRIBUTES } from './search-attributes';
import { createWorker, installRuntime } from './worker';
import { type RunningReviewServer, startReviewServer } from './review/server';

const say = (line: string) => console.log(`[casebook] ${line}`);

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a port number; use a whole number from 1 to 65535.`);
  }
  return port;
}

function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Dev-server arguments: SQLite persistence, ports, and casebook's search attributes. */
export function devServerArgs(options: { dbFile: string; ip: string; port: number; uiPort: number; namespace: string }): string[] {
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
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    '--sqlite-pragma',
    'journal_mode=wal',
    ...CASEBOOK_SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`]),
  ];
}

async function waitForServer(address: string, server: ChildProcess, timeoutMs: number): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${server.exitCode}`);
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
    `  review page      ${reviewUrl ?? 'not running (see above)'}`,
    `  task queue       ${taskQueue()}`,
    '',
    '  Next, in another terminal:',
    '    npx casebook start square              start a case',
    '    npx casebook status                    the progress table',
    '    npx casebook inbox --reviewer alice    what waits for a reviewer',
    '    npx casebook approve square --reviewer alice',
    `    temporal workflow list --address ${info.address} --query 'CasePhase="review"'`,
    '',
    `  The Temporal CLI is ${path.relative(process.cwd(), cli) || cli}; put it on PATH with`,
    `    export PATH="${path.dirname(cli)}:$PATH"`,
    "  or run it as `npm run temporal -- <args>`.",
    '',
    '  Ctrl-C stops the worker (after running activities finish) and the server.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function runWorker(connection: NativeConnection, namespace: string, ready?: () => void): Promise<void> {
  installRuntime();
  const worker: Worker = await createWorker({ connection, namespace });
  ready?.();
  await worker.run(); // resolves once a shutdown signal has drained it
}

/** The review page beside the worker; npm start goes on without it if it cannot start. */
function startReviewPage(): Promise<RunningReviewServer | undefined> {
  return startReviewServer({ announce: true }).catch((err: Error) => {
    say(`the review page did not start: ${err.message}`);
    return undefined;
  });
}

async function workerOnly(): Promise<void> {
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
    await runWorker(connection, settings.namespace);
  } finally {
    await review?.close();
    await connection.close();
  }
}

async function withDevServer(): Promise<void> {
  const cli = requireBinary('cli');
  const ip = process.env.CASEBOOK_TEMPORAL_IP ?? '127.0.0.1';
  const port = portFromEnv('CASEBOOK_TEMPORAL_PORT', 7233);
  const uiPort = portFromEnv('CASEBOOK_UI_PORT', port + 1000);
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  for (const p of [port, uiPort]) {
    if (await portInUse(p, ip)) {
      throw new Error(
        `port ${p} on ${ip} is already in use (another \`npm start\`, or a Temporal server of yours?). ` +
          'Stop it, or choose other ports with CASEBOOK_TEMPORAL_PORT / CASEBOOK_UI_PORT.',
      );
    }
  }
  const home = casebookHome();
  mkdirSync(home, { recursive: true });
  const dbFile = path.join(home, 'temporal.db');
  say(`starting ${binaryVersion(cli)}; state in ${path.relative(process.cwd(), dbFile) || dbFile}`);
  // Its own process group: Ctrl-C reaches us first, so the worker drains before the server stops.
  const server = spawn(cli, devServerArgs({ dbFile, ip, port, uiPort, namespace }), {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const stopServer = () => {
    if (server.exitCode === null && server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', stopServer);
  const address = `${ip}:${port}`;
  const info: DevServerInfo = { address, uiUrl: `http://${ip === '0.0.0.0' ? 'localhost' : ip === '127.0.0.1' ? 'localhost' : ip}:${uiPort}`, namespace, pid: process.pid };
  let connection: NativeConnection | undefined;
  let review: RunningReviewServer | undefined;
  try {
    connection = await waitForServer(address, server, 30_000);
    writeFileSync(devServerInfoFile(), JSON.stringify(info, null, 2));
    review = await startReviewPage();
    await runWorker(connection, namespace, () => banner(info, cli, review?.url));
    say('worker stopped');
  } finally {
    await review?.close();
    rmSync(devServerInfoFile(), { force: true });
    await connection?.close();
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      stopServer();
      const timer = setTimeout(() => server.pid && process.kill(-server.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    say('Temporal server stopped');
  }
}

async function main(): Promise<void> {
  await (hasExternalServer() ? workerOnly() : withDevServer());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[casebook] npm start failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
