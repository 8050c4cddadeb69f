/**
 * The child processes of `npm start` (the Temporal dev server, and whatever else gets added to the
 * list) run under a small watchdog process, so that they never outlive `npm start`:
 *
 * - The watchdog runs in its own process group (a signal to `npm start`'s group does not reach it,
 *   so the worker drains before the server goes) and holds a pipe from `npm start`. When that pipe
 *   closes (a clean stop, or `npm start`'s process SIGKILLed or OOM-killed: the kernel closes it
 *   either way), it stops its children: SIGTERM, then SIGKILL after a grace period.
 * - It reports each child's pid and exit on a second pipe.
 *
 * This file is both the parent side ({@link startSupervisor}) and the watchdog (run as a script). It
 * imports only Node built-ins, so the watchdog starts fast.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** One supervised child process. */
export interface ChildSpec {
  /** Short name used in messages (`temporal`, `review`). */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** What the watchdog reports, one JSON object per line. */
type Report = { event: 'started'; name: string; pid: number } | { event: 'exited'; name: string; code: number | null; signal: string | null };

interface WatchdogSpec {
  children: ChildSpec[];
  /** Seconds between SIGTERM and SIGKILL. */
  graceSeconds: number;
  /** Files to delete once every child has exited (the record of this run's processes). */
  cleanup: string[];
}

/** The parent's handle on the watchdog and its children. */
export interface Supervisor {
  /** The watchdog's pid (also its process group id). */
  pid: number;
  /** Resolves with the child's pid once it has been spawned. */
  started(name: string): Promise<number>;
  /** Called when a child exits before {@link stop} was asked for. */
  onUnexpectedExit(listener: (name: string, code: number | null, signal: string | null) => void): void;
  /** Stops every child (SIGTERM, SIGKILL after the grace period) and waits for the watchdog. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the watchdog with `children`. `cleanup` files are deleted by the watchdog once the children
 * have exited, so a record of live processes never outlives them.
 */
export function startSupervisor(children: ChildSpec[], options: { graceSeconds?: number; cleanup?: string[] } = {}): Supervisor {
  const spec: WatchdogSpec = { children, graceSeconds: options.graceSeconds ?? 8, cleanup: options.cleanup ?? [] };
  // process.execArgv carries `--import tsx` when running from the TypeScript sources.
  const watchdog = spawn(process.execPath, [...process.execArgv, __filename, JSON.stringify(spec)], {
    detached: true,
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
  });
  const pids = new Map<string, number>();
  const waiting = new Map<string, ((pid: number) => void)[]>();
  const listeners: ((name: string, code: number | null, signal: string | null) => void)[] = [];
  let stopping = false;
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));

  readLines(watchdog.stdio[3] as Readable, (line) => {
    const report = JSON.parse(line) as Report;
    if (report.event === 'started') {
      pids.set(report.name, report.pid);
      for (const resolve of waiting.get(report.name) ?? []) resolve(report.pid);
      waiting.delete(report.name);
    } else if (!stopping) {
      for (const listener of listeners) listener(report.name, report.code, report.signal);
    }
  });
  // Nothing to write yet: the pipe is held open, and its closing is the stop request.
  const control = watchdog.stdin as Writable;
  control.on('error', () => undefined);

  return {
    pid: watchdog.pid!,
    started: (name) =>
      new Promise((resolve, reject) => {
        const pid = pids.get(name);
        if (pid !== undefined) return resolve(pid);
        waiting.set(name, [...(waiting.get(name) ?? []), resolve]);
        void exited.then(() => reject(new Error(`the process supervisor exited before starting ${name}`)));
      }),
    onUnexpectedExit: (listener) => listeners.push(listener),
    stop: async () => {
      stopping = true;
      control.end();
      // The watchdog gives its children graceSeconds; past that (it cannot be stuck, but be sure) kill its group.
      const timer = setTimeout(() => killGroup(watchdog, 'SIGKILL'), (spec.graceSeconds + 2) * 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onLine(line);
    }
  });
}

/** The watchdog: starts the children, stops them when its stdin closes or it is asked to by a signal. */
function watchdogMain(spec: WatchdogSpec): void {
  // fd 3 is the report pipe to the parent.
  const reports = createWriteStream('', { fd: 3 });
  reports.on('error', () => undefined); // the parent may be gone
  const report = (r: Report) => reports.write(`${JSON.stringify(r)}\n`);
  const running = new Set<ChildProcess>();

  for (const child of spec.children) {
    const process_ = spawn(child.command, child.args, { stdio: ['ignore', 'inherit', 'inherit'], env: child.env ?? process.env });
    running.add(process_);
    process_.once('error', (err) => process.stderr.write(`[casebook] could not start ${child.name}: ${err.message}\n`));
    process_.once('exit', (code, signal) => {
      running.delete(process_);
      report({ event: 'exited', name: child.name, code, signal });
    });
    if (process_.pid) report({ event: 'started', name: child.name, pid: process_.pid });
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const child of running) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const child of running) child.kill('SIGKILL');
    }, spec.graceSeconds * 1000);
    const finish = () => {
      if (running.size > 0) return;
      clearTimeout(timer);
      for (const file of spec.cleanup) rmSync(file, { force: true });
      reports.end();
      process.exit(0);
    };
    for (const child of running) child.once('exit', finish);
    finish();
  };
  // The parent closing the pipe (on purpose, or because it died) is the stop request.
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  // Writing to a terminal that has gone away must not kill the watchdog before its children.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
}

if (require.main === module) watchdogMain(JSON.parse(process.argv[2]) as WatchdogSpec);
