/**
 * `npm start` owns its children, tested with real processes: the real `npm start` (npm, its Node
 * process, the watchdog and the Temporal dev server) on free ports with a temporary CASEBOOK_HOME.
 * Each signal is sent the way it happens in practice: to the whole process group (Ctrl-C, `kill --
 * -pgid`, a closing terminal) or to npm alone (`kill <pid>`, a process manager); SIGKILL to the
 * Node process, or to the group. Afterwards nothing of it may run and its ports must be free. The
 * review page that npm start serves beside the worker listens on a port the system picks
 * (CASEBOOK_REVIEW_PORT=0), so runs never collide with each other or with a user's `npm start`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/config';
import type { DevServerRecord } from '../src/dev-server-record';
import { freePort, waitFor } from './helpers/processes';

jest.setTimeout(240_000);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-start-'));
const started = new Set<ChildProcess>();
const pidsToClean = new Set<number>();

afterAll(() => {
  // Whatever a failed test left behind, by pid (never by name).
  for (const child of started) if (child.pid) kill(-child.pid, 'SIGKILL');
  for (const pid of pidsToClean) kill(pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Run {
  npm: ChildProcess;
  output: string[];
  home: string;
  port: number;
  uiPort: number;
  /** The dev server's HTTP API, which the CLI's read-only commands use. */
  httpPort: number;
  /** The review page's port, read from the banner. */
  reviewPort?: number;
  record?: DevServerRecord;
  text(): string;
}

/** `npm start` in its own process group, on free ports; resolves once the banner is out (or it exited). */
async function npmStart(name: string, ports?: { port: number; uiPort: number; httpPort?: number }, home = path.join(tmp, name)): Promise<Run> {
  const port = ports?.port ?? (await freePort());
  const uiPort = ports?.uiPort ?? (await freePort());
  const httpPort = ports?.httpPort ?? (await freePort());
  const output: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CASEBOOK_HOME: home,
    CASEBOOK_TEMPORAL_PORT: String(port),
    CASEBOOK_UI_PORT: String(uiPort),
    CASEBOOK_TEMPORAL_HTTP_PORT: String(httpPort),
    CASEBOOK_REVIEW_PORT: '0',
  };
  for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE']) delete env[key];
  const npm = spawn('npm', ['start'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(npm);
  npm.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const run: Run = { npm, output, home, port, uiPort, httpPort, text: () => output.join('') };
  const exited = () => npm.exitCode !== null || npm.signalCode !== null;
  await waitFor(`npm start (${name}) to print its banner or exit`, () => run.text().includes('casebook is running') || exited(), 200_000);
  if (run.text().includes('casebook is running')) {
    run.record = JSON.parse(readFileSync(path.join(home, 'dev-server.pid.json'), 'utf8')) as DevServerRecord;
    for (const pid of [run.record.startPid, run.record.watchdogPid, run.record.serverPid]) pidsToClean.add(pid);
    const review = /review page +http:\/\/[^:\s]+:(\d+)/.exec(run.text());
    if (review) run.reviewPort = Number(review[1]);
  }
  return run;
}

/** Everything of that run is gone: npm start's Node process, the watchdog, the server, the three ports, the records. */
async function expectAllGone(run: Run, what: string): Promise<void> {
  const { startPid, watchdogPid, serverPid } = run.record!;
  const ports = [run.port, run.uiPort, run.httpPort, ...(run.reviewPort ? [run.reviewPort] : [])];
  await waitFor(
    `${what}: npm start, its watchdog and the dev server to exit and the four ports to be free`,
    async () => ![startPid, watchdogPid, serverPid].some(alive) && !(await Promise.all(ports.map(listening))).some(Boolean),
    30_000,
  );
  expect(existsSync(path.join(run.home, 'dev-server.pid.json'))).toBe(false);
  expect(existsSync(path.join(run.home, 'dev-server.json'))).toBe(false);
}

describe.each([
  ['SIGINT', 'group'],
  ['SIGTERM', 'group'],
  ['SIGHUP', 'group'],
  ['SIGINT', 'top'],
  ['SIGTERM', 'top'],
  ['SIGHUP', 'top'],
] as const)('%s to the %s', (signal, target) => {
  test('drains the worker and stops the dev server', async () => {
    const run = await npmStart(`${signal}-${target}`);
    expect(run.record).toBeDefined();
    expect(await listening(run.port)).toBe(true);
    expect(run.reviewPort).toBeDefined(); // the review page runs beside the worker
    expect(await listening(run.reviewPort!)).toBe(true);
    expect(existsSync(path.join(run.home, 'review-server.json'))).toBe(true);
    kill(target === 'group' ? -run.npm.pid! : run.npm.pid!, signal);
    await expectAllGone(run, `${signal} to the ${target}`);
    const text = run.text();
    // npm relays SIGINT and SIGTERM, so the Node process often sees the signal twice: both are handled.
    expect(text).toMatch(/stopping the worker/);
    expect(text).toContain('[casebook] worker stopped');
    expect(text).toContain('[casebook] Temporal server stopped');
    expect(text).not.toContain('npm start failed');
    expect(existsSync(path.join(run.home, 'review-server.json'))).toBe(false); // the CLI no longer links to it
  });
});

test('npm start records its dev server\'s HTTP API, and the CLI reads through it without the SDK client', async () => {
  const run = await npmStart('http-api');
  const info = JSON.parse(readFileSync(path.join(run.home, 'dev-server.json'), 'utf8')) as { httpUrl?: string };
  expect(info.httpUrl).toBe(`http://127.0.0.1:${run.httpPort}`);
  const env: NodeJS.ProcessEnv = { ...process.env, CASEBOOK_HOME: run.home };
  for (const key of Object.keys(env)) if (key.startsWith('TEMPORAL_') || key === 'CASEBOOK_TEMPORAL_HTTP_URL') delete env[key];
  const modules = path.join(run.home, 'modules.txt');
  const status = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--require', path.join(__dirname, 'helpers', 'loaded-modules.js'), path.join(projectRoot, 'bin', 'casebook.js'), 'status', '--json'], {
      cwd: projectRoot,
      env: { ...env, LOADED_MODULES_FILE: modules },
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(status).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  expect(readFileSync(modules, 'utf8')).not.toContain(path.join('@temporalio', 'client'));
  kill(-run.npm.pid!, 'SIGTERM');
  await expectAllGone(run, 'SIGTERM after the CLI read');
});

test('SIGKILL of npm start’s Node process takes the dev server with it', async () => {
  const run = await npmStart('sigkill-node');
  kill(run.record!.startPid, 'SIGKILL');
  await expectAllGone(run, 'SIGKILL to the Node process');
  expect(run.text()).not.toContain('worker stopped'); // no clean-up code ran: the watchdog did it
});

test('SIGKILL of the whole group takes the dev server with it', async () => {
  const run = await npmStart('sigkill-group');
  kill(-run.npm.pid!, 'SIGKILL');
  await expectAllGone(run, 'SIGKILL to the group');
});

test('a dev server left by an earlier run (its npm start and watchdog killed) is recognised, stopped, and npm start comes up', async () => {
  const home = path.join(tmp, 'leftover');
  const first = await npmStart('leftover-1', undefined, home);
  const { startPid, watchdogPid, serverPid } = first.record!;
  // What no signal handler can prevent: everything but the server killed at once.
  kill(watchdogPid, 'SIGKILL');
  kill(startPid, 'SIGKILL');
  await waitFor('npm start and its watchdog to die', () => !alive(startPid) && !alive(watchdogPid));
  expect(alive(serverPid)).toBe(true);
  expect(await listening(first.port)).toBe(true);

  const second = await npmStart('leftover-2', { port: first.port, uiPort: first.uiPort, httpPort: first.httpPort }, home);
  expect(second.text()).toMatch(new RegExp(`a Temporal dev server left by an earlier \`npm start\` \\(pid ${serverPid}`));
  expect(second.text()).toContain('casebook is running');
  expect(alive(serverPid)).toBe(false);
  kill(-second.npm.pid!, 'SIGTERM');
  await expectAllGone(second, 'SIGTERM after taking over');
});

test('a foreign process on the port is left alone, with what to do', async () => {
  const foreign = net.createServer();
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  const port = (foreign.address() as net.AddressInfo).port;
  try {
    const run = await npmStart('foreign', { port, uiPort: await freePort() });
    await waitFor('npm start to give up', () => run.npm.exitCode !== null || run.npm.signalCode !== null);
    expect(run.npm.exitCode).toBe(1);
    expect(run.text()).toMatch(new RegExp(`port ${port} on 127.0.0.1 is in use by a process that this casebook did not start`));
    expect(run.text()).toMatch(/CASEBOOK_TEMPORAL_PORT=/);
    expect(await listening(port)).toBe(true); // untouched
  } finally {
    await new Promise((resolve) => foreign.close(resolve));
  }
});
