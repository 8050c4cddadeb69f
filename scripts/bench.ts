/**
 * `npm run bench`: casebook's cost on top of the Temporal engine, on a dev server this script starts
 * (SQLite file with WAL and synchronous=off, free ports), with fast test activities and automatic
 * reviewers. The worker runs as its own process (scripts/bench-worker.ts), so its RSS is measured
 * alone. Prints a table (progress on stderr); the figures of a real run are kept in BENCHMARKS.md.
 * Then it runs the review page's bench (scripts/bench-review.ts) unless --no-review.
 *
 * The fake composer leaves no part to a writer, so cases go from writing straight to QA and review,
 * as the engine floor does: the bench measures the engine path, not a writer's pause in `drafting`.
 *
 *   npm run bench -- [--cases 200] [--light 20] [--parked 10000] [--cache 500] [--sample 20]
 *                    [--status-runs 3] [--no-inbox] [--inbox-timeout 180] [--inbox 1000] [--kb 100] [--no-review] [--json]
 *
 * --json prints one JSON object on stdout (issue 15's fields, the review page's figures under "review").
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Table from 'cli-table3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { binaryVersion, requireBinary } from '../src/binaries';
import { projectRoot, workerLimits } from '../src/config';
import { approveUpdate } from '../src/messages';
import { caseStartSearchAttributes } from '../src/search-attributes';
import { SHARED_WORKFLOW_MODULES } from '../src/workflow-modules';
import { benchApproveUpdate } from '../workflows/bench/floor';
import { testBrief, testInput } from '../test/helpers/fakes';
import { freePort, killAll, startDevServer, stopProcess } from '../test/helpers/processes';
import { historyCost } from './bench-history';
import type { BenchWorkerEvent } from './bench-worker';

const { buildState, build } = require('./build.js') as { buildState(): string; build(): number };

const USAGE =
  'Usage: npm run bench -- [--cases N] [--light L] [--parked K] [--cache C] [--sample S] [--status-runs R] [--no-inbox] [--inbox-timeout S] [--inbox I] [--kb B] [--no-review] [--json]';

interface Options {
  cases: number;
  /** Cases (and floor workflows) of the light run, whose approval p99 issue 15 asks for at N = 20. */
  light: number;
  parked: number;
  /** maxCachedWorkflows of the worker processes; default as src/worker.ts (CASEBOOK_MAX_CACHED_WORKFLOWS). */
  cache: number;
  /** Clean cases whose histories are read for the cost of search attributes and payloads. */
  sample: number;
  /** Timed runs of `casebook status` over the parked cases (after one untimed run). */
  statusRuns: number;
  /** Time the review inbox over the parked cases. */
  parkedInbox: boolean;
  /** Seconds after which the cold inbox over the parked cases is given up. */
  inboxTimeout: number;
  /** Passed to scripts/bench-review.ts (its defaults when absent). */
  inbox?: number;
  kb?: number;
  review: boolean;
  json: boolean;
}

const COUNT_FLAGS = { '--cases': 'cases', '--light': 'light', '--parked': 'parked', '--cache': 'cache', '--sample': 'sample', '--status-runs': 'statusRuns', '--inbox-timeout': 'inboxTimeout', '--inbox': 'inbox', '--kb': 'kb' } as const;
const AT_LEAST_ONE = ['--cases', '--inbox', '--kb', '--status-runs', '--inbox-timeout'];

export function parseArgs(argv: string[]): Options {
  const options: Options = { cases: 200, light: 20, parked: 10_000, cache: workerLimits().maxCachedWorkflows, sample: 20, statusRuns: 3, parkedInbox: true, inboxTimeout: 180, review: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--json') options.json = true;
    else if (flag === '--no-review') options.review = false;
    else if (flag === '--no-inbox') options.parkedInbox = false;
    else if (flag in COUNT_FLAGS && argv[i + 1] !== undefined && Number.isInteger(value) && value >= 0) {
      if (AT_LEAST_ONE.includes(flag) && value === 0) throw new Error(`${flag} must be at least 1. ${USAGE}`);
      options[COUNT_FLAGS[flag as keyof typeof COUNT_FLAGS]] = value;
      i++;
    } else {
      throw new Error(`Unknown or invalid argument ${flag}. ${USAGE}`);
    }
  }
  return options;
}

// ---- processes -------------------------------------------------------------------------------

/** Children this bench started that are still running: stopped on exit, Ctrl-C and SIGTERM. */
const children = new Set<ChildProcess>();
let tmpDir: string | undefined;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function cleanUp(): Promise<void> {
  await Promise.all([...children].map((child) => stopProcess(child, 'SIGTERM', 5_000)));
  await killAll();
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

let stopping = false;
function onSignal(signal: NodeJS.Signals): void {
  // Ctrl-C reaches this process twice (from the terminal and relayed by tsx): clean up once.
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\nbench: ${signal}, stopping the worker and the dev server\n`);
  void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

const started = Date.now();
/** A progress line on stderr (stdout carries only the table, or the JSON object). */
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc; undefined when it is gone. */
function procMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Peak RSS of one process (another one's from /proc, or this one's), sampled every 100 ms, by window. */
class RssSampler {
  peak = 0;
  last = 0;
  private timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
    this.sample();
  }
  private sample(): void {
    const rss = this.pid === process.pid ? process.memoryUsage().rss : procMemory(this.pid)?.rss;
    if (rss === undefined || !Number.isFinite(rss)) return;
    this.last = rss;
    this.peak = Math.max(this.peak, rss);
  }
  /** Starts a new window; returns the peak of the one that ends. */
  window(): number {
    this.sample();
    const peak = this.peak;
    this.peak = this.last;
    return peak;
  }
  /** The kernel's own peak (VmHWM) over the process's life. */
  highWater(): number {
    return (this.pid === process.pid ? undefined : procMemory(this.pid)?.hwm) ?? this.peak;
  }
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

interface BenchWorker {
  process: ChildProcess;
  pid: number;
  rss: RssSampler;
  /** Closes the IPC channel (the worker shuts down, letting running tasks finish) and waits for its exit code. */
  stop(): Promise<number | null>;
}

/** Starts scripts/bench-worker.ts against `address` and waits until it polls. */
async function startWorker(address: string, bundle: string, taskQueue: string, cache: number, home: string, onEvent: (e: BenchWorkerEvent) => void): Promise<BenchWorker> {
  const child = track(
    fork(path.join(__dirname, 'bench-worker.ts'), ['--bundle', bundle, '--task-queue', taskQueue], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx'],
      // MALLOC_ARENA_MAX=2 as the worker's Dockerfile and `npm run worker` set it (BENCHMARKS.md, worker memory).
      env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', CASEBOOK_HOME: home, CASEBOOK_MAX_CACHED_WORKFLOWS: String(cache) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output.push(chunk.toString());
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: BenchWorkerEvent) => (message.event === 'ready' ? resolve(message.pid) : onEvent(message)));
    void exited.then((code) => reject(new Error(`the bench worker exited (${code}) before polling: ${output.join('').slice(-2000)}`)));
  });
  const rss = new RssSampler(pid);
  return {
    process: child,
    pid,
    rss,
    async stop() {
      rss.stop();
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

// ---- measures --------------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A number for JSON, or null when there was nothing to measure (e.g. a percentile of no samples). */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

interface RunResult {
  seconds: number;
  perSecond: number;
  latencies: number[];
  historyEvents: number[];
  workflowIds: string[];
}

function latencySummary(run: RunResult | undefined): { p50: number | null; p99: number | null } {
  return { p50: run ? finite(percentile(run.latencies, 50)) : null, p99: run ? finite(percentile(run.latencies, 99)) : null };
}

/** Wall time of one run of a command, in ms; throws with its output if it fails. */
function timeCommand(command: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = track(spawn(command[0], command.slice(1), { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${command.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
    });
  });
}

/**
 * Runs a TypeScript script as a child process and returns the JSON object it prints. The dev
 * server that bench writes its banner to the inherited stdout: every other line goes to stderr.
 */
async function jsonOfChild(script: string, args: string[]): Promise<unknown> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { maxBuffer: 16 * 1024 * 1024 });
  track(child.child);
  child.child.stderr?.pipe(process.stderr);
  const lines = (await child).stdout.split('\n');
  const json = lines.filter((l) => l.startsWith('{')).pop();
  const rest = lines.filter((l) => l !== json && l.trim()).join('\n');
  if (rest) process.stderr.write(`${rest}\n`);
  if (!json) throw new Error(`${path.basename(script)} printed no JSON object`);
  return JSON.parse(json);
}

/** Runs scripts/bench-review.ts as its own process (its own dev server); with --json, returns its object. */
async function reviewBench(options: Options): Promise<unknown> {
  const script = path.join(__dirname, 'bench-review.ts');
  const args = [...(options.inbox ? ['--inbox', String(options.inbox)] : []), ...(options.kb ? ['--kb', String(options.kb)] : [])];
  if (options.json) return jsonOfChild(script, [...args, '--json']);
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { maxBuffer: 16 * 1024 * 1024 });
  track(child.child);
  child.child.stderr?.pipe(process.stderr);
  child.child.stdout?.pipe(process.stdout);
  await child;
  return undefined;
}

// ---- the bench -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'casebook-bench-'));
  const home = path.join(tmpDir, 'home');
  // The review app (timed over the parked cases) reads its store under CASEBOOK_HOME: a scratch one.
  process.env.CASEBOOK_HOME = home;
  const cli = requireBinary('cli');
  // `casebook status` is timed as a user runs it, from dist/ (a stale dist/ falls back to tsx, slowly).
  if (buildState() !== 'fresh') {
    progress(`dist/ is ${buildState()}: npm run build, so that \`casebook status\` runs compiled`);
    if (build() !== 0) throw new Error('npm run build failed (see above); the bench times the compiled CLI.');
  }

  const [port, uiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  progress(`starting the dev server on 127.0.0.1:${port} (HTTP API on ${httpPort})`);
  const server = await startDevServer(path.join(tmpDir, 'bench.sqlite'), port, uiPort, { httpPort, extraArgs: ['--sqlite-pragma', 'synchronous=off'] });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const driverRss = new RssSampler(process.pid);
  try {
    progress('bundling the workflows (casebook + engine floor)');
    const bundle = path.join(tmpDir, 'workflow-bundle.js');
    writeFileSync(bundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/bench'), preloadModules: SHARED_WORKFLOW_MODULES, logger: new DefaultLogger('ERROR') })).code);
    const taskQueue = 'bench';
    const decidedAt = new Map<string, number>();
    const publishedAt = new Map<string, number>();
    const parked = new Set<string>();
    const isParked = (id: string) => id.startsWith('case-parked-');

    // Automatic reviewers: as soon as a case asks for review, alice and bob approve by update.
    // decidedAt holds the send time of the decision that completes the quorum (the second one).
    const approve = async (workflowId: string) => {
      const handle = client.workflow.getHandle(workflowId);
      const decide = (reviewer: string) =>
        workflowId.startsWith('floor-') ? handle.executeUpdate(benchApproveUpdate, { args: [{ reviewer }] }) : handle.executeUpdate(approveUpdate, { args: [{ reviewer }] });
      await decide('alice');
      decidedAt.set(workflowId, Date.now());
      await decide('bob');
    };
    const onEvent = (e: BenchWorkerEvent) => {
      if (e.event === 'publish') publishedAt.set(e.id, e.at);
      else if (e.event === 'review' && isParked(e.id)) parked.add(e.id);
      else if (e.event === 'review') void approve(e.id).catch((err) => console.error(err));
    };
    const latency = (ids: string[]) => ids.map((id) => publishedAt.get(id)! - decidedAt.get(id)!).filter((ms) => Number.isFinite(ms));

    const startOne = (kind: 'case' | 'floor', id: string) =>
      kind === 'case'
        ? client.workflow.start('caseWorkflow', {
            taskQueue,
            workflowId: `case-${id}`,
            args: [testInput(id, testBrief({ id }))],
            // As `casebook start` does: what is known at start is set here, not by the first workflow task.
            typedSearchAttributes: caseStartSearchAttributes({ caseId: id, industry: testBrief().industry }),
          })
        : client.workflow.start('benchFloorWorkflow', { taskQueue, workflowId: `floor-${id}`, args: [`floor-${id}`] });
    const runBatch = async (kind: 'case' | 'floor', n: number, prefix: string): Promise<RunResult> => {
      const t0 = Date.now();
      const handles = await Promise.all(Array.from({ length: n }, (_, i) => startOne(kind, `bench-${prefix}${i}`)));
      await Promise.all(handles.map((h) => h.result()));
      const seconds = (Date.now() - t0) / 1000;
      const historyEvents = await Promise.all(handles.map(async (h) => (await h.describe()).historyLength));
      const workflowIds = handles.map((h) => h.workflowId);
      const latencies = latency(workflowIds);
      progress(
        `${n} ${kind === 'case' ? 'cases' : 'floor workflows'} (${prefix.replace(/-$/, '') || 'main'}) in ${seconds.toFixed(1)} s; approval p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
      );
      return { seconds, perSecond: n / seconds, latencies, historyEvents, workflowIds };
    };

    // 1. Throughput and approval latency, on a worker process of their own.
    progress(`starting a worker process (cache ${options.cache})`);
    const worker = await startWorker(server.address, bundle, taskQueue, options.cache, home, onEvent);
    // Warm both paths up (JIT, server caches) so neither pays for starting first.
    const warm = Math.min(50, options.cases);
    await runBatch('floor', warm, 'warm-');
    await runBatch('case', warm, 'warm-');
    const engine = await runBatch('floor', options.cases, '');
    const casebook = await runBatch('case', options.cases, '');
    // A light load: approval latency when the worker is not saturated (issue 15: N = 20).
    const lightFloor = options.light > 0 ? await runBatch('floor', options.light, 'light-') : undefined;
    const lightCase = options.light > 0 ? await runBatch('case', options.light, 'light-') : undefined;
    const workerRssThroughput = worker.rss.highWater();
    const firstExit = await worker.stop();
    if (firstExit !== 0) throw new Error(`the throughput worker exited with ${firstExit}`);

    // 2. What search attributes and payloads cost, from the histories of a sample of clean cases.
    const sampleIds = casebook.workflowIds.slice(0, options.sample);
    progress(`reading ${sampleIds.length} histories for the cost of search attributes and payloads`);
    const histories = [];
    for (const id of sampleIds) histories.push(await client.workflow.getHandle(id).fetchHistory());
    const cost = historyCost(histories);

    // 3. K cases parked in review, nobody deciding, on a fresh worker process: its RSS is the worker's alone.
    let parkedSeconds = NaN;
    let workerRssParked = NaN;
    let workerRssBeforeInbox = NaN;
    let workerRssEnd = NaN;
    let driverRssParked = NaN;
    let statusMs = NaN;
    const statusRunsMs: number[] = [];
    let statusRows = 0;
    let statusAllMs = NaN;
    let inbox: { coldMs: number; warmMs: number; rows: number } | undefined;
    let parkExit: number | null = null;
    if (options.parked > 0) {
      progress(`starting a fresh worker process (cache ${options.cache}) and parking ${options.parked} cases in review`);
      const parkWorker = await startWorker(server.address, bundle, taskQueue, options.cache, home, onEvent);
      driverRss.window();
      const t0 = Date.now();
      // As fast as the server takes them: at most 32 starts in flight, and at most `inFlight` cases
      // started but not yet in review. Starting all 10,000 at once would not park them sooner: the
      // cases would evict each other from the worker's cache and replay their histories.
      const inFlight = Math.max(32, Math.min(500, Math.floor(options.cache / 2)));
      let next = 0;
      const starter = async () => {
        while (next < options.parked) {
          if (next - parked.size >= inFlight) await sleep(20);
          else await startOne('case', `parked-${next++}`);
        }
      };
      const reporter = setInterval(() => progress(`  ${next} started, ${parked.size} in review`), 10_000);
      try {
        await Promise.all(Array.from({ length: Math.min(32, options.parked) }, starter));
        while (parked.size < options.parked) await sleep(200);
      } finally {
        clearInterval(reporter);
      }
      parkedSeconds = (Date.now() - t0) / 1000;
      progress(`${options.parked} cases in review after ${parkedSeconds.toFixed(0)} s; waiting for visibility`);
      const inReview = 'WorkflowType = "caseWorkflow" AND ExecutionStatus = "Running" AND CasePhase = "review"';
      while ((await client.workflow.count(inReview)).count < options.parked) await sleep(500);

      // `casebook status` as a user runs it after `npm start`: the real CLI, its own process, reading
      // over the server's HTTP API (as from the dev-server record). Over more than
      // CASEBOOK_STATUS_MAX_ROWS cases it prints the summary; `--all` lists every row (timed once).
      const env = {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        CASEBOOK_TEMPORAL_HTTP_URL: `http://127.0.0.1:${httpPort}`,
        CASEBOOK_HOME: home,
      };
      const status = [process.execPath, path.join(projectRoot, 'bin', 'casebook.js'), 'status'];
      progress(`timing \`casebook status\` over ${options.parked} parked cases (1 untimed --json --summary run that counts them, then ${options.statusRuns}, then 1 --all)`);
      statusRows = (JSON.parse((await timeCommand([...status, '--json', '--summary'], env)).stdout) as { total: number }).total;
      for (let i = 0; i < options.statusRuns; i++) statusRunsMs.push((await timeCommand(status, env)).ms);
      statusAllMs = (await timeCommand([...status, '--all'], env)).ms;
      statusMs = percentile(statusRunsMs, 50);
      workerRssBeforeInbox = parkWorker.rss.highWater();
      // Each figure is printed as soon as it is measured: a run stopped later still has them.
      progress(`  casebook status: ${statusRows} cases, ${statusRunsMs.map(Math.round).join(', ')} ms (median ${Math.round(statusMs)} ms); --all ${Math.round(statusAllMs)} ms`);
      progress(`  worker RSS ${mb(parkWorker.rss.last)} MB, peak ${mb(workerRssBeforeInbox)} MB; driver peak ${mb(driverRss.peak)} MB`);

      if (options.parkedInbox) {
        progress(`timing the review inbox over ${options.parked} parked cases (cold, then warm)`);
        const { buildReviewApp } = await import('../src/review/server');
        const app = await buildReviewApp({ client, auth: { mode: 'local' } });
        const get = async () => {
          const s = process.hrtime.bigint();
          const res = await app.inject({ method: 'GET', url: '/', headers: { cookie: 'casebook_as=alice' } });
          if (res.statusCode !== 200) throw new Error(`inbox: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
          return { ms: Number(process.hrtime.bigint() - s) / 1e6, rows: res.body.split('<tr').length - 2 };
        };
        // The inbox lists the parked cases from visibility and reads only its first page's cases in
        // full; it is still given up after --inbox-timeout (its reads are left to fail when the
        // worker stops), so a slow server cannot hold the bench.
        const coldRun = get();
        coldRun.catch(() => undefined);
        const cold = await Promise.race([coldRun, sleep(options.inboxTimeout * 1000).then(() => undefined)]);
        if (cold) progress(`  inbox cold: ${cold.rows} rows in ${Math.round(cold.ms)} ms`);
        else progress(`  inbox cold: not done after ${options.inboxTimeout} s, given up`);
        // A warm run after a cold one over a minute says little more and costs as much again.
        // After more than a second, so the warm run lists again (the app shares a listing within one).
        const warm2 = cold && cold.ms <= 60_000 ? await sleep(1100).then(get) : undefined;
        if (warm2) progress(`  inbox warm: ${Math.round(warm2.ms)} ms`);
        else progress('  inbox warm: skipped (the cold run took over 60 s)');
        if (cold) await app.close();
        inbox = { coldMs: cold?.ms ?? NaN, warmMs: warm2?.ms ?? NaN, rows: cold?.rows ?? NaN };
      }
      workerRssParked = parkWorker.rss.highWater();
      workerRssEnd = parkWorker.rss.last;
      driverRssParked = driverRss.window();
      progress('stopping the worker');
      parkExit = await parkWorker.stop();
      if (parkExit !== 0) throw new Error(`the parking worker exited with ${parkExit}`);
    }
    driverRss.stop();

    // ---- output ----
    const ratio = casebook.perSecond / engine.perSecond;
    const [cb, fl, lcb, lfl] = [latencySummary(casebook), latencySummary(engine), latencySummary(lightCase), latencySummary(lightFloor)];
    const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${mb(os.totalmem())} MB RAM; node ${process.version}; ${binaryVersion(cli).split('\n')[0]}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`;
    const parkedRun = options.parked > 0;
    const result = {
      cases: options.cases,
      ratio,
      casesPerSecond: casebook.perSecond,
      floorPerSecond: engine.perSecond,
      caseApprovalP50Ms: cb.p50,
      caseApprovalP99Ms: cb.p99,
      floorApprovalP50Ms: fl.p50,
      floorApprovalP99Ms: fl.p99,
      light: options.light,
      lightApprovalP50Ms: lcb.p50,
      lightApprovalP99Ms: lcb.p99,
      lightFloorApprovalP50Ms: lfl.p50,
      lightFloorApprovalP99Ms: lfl.p99,
      lightRatio: lightCase && lightFloor ? lightCase.perSecond / lightFloor.perSecond : null,
      historyEventsMedian: finite(percentile(casebook.historyEvents, 50)),
      floorHistoryEventsMedian: finite(percentile(engine.historyEvents, 50)),
      workerRssMbThroughput: mb(workerRssThroughput),
      parked: options.parked,
      cache: options.cache,
      parkSeconds: parkedRun ? finite(parkedSeconds) : null,
      workerRssMbParked: parkedRun ? mb(workerRssParked) : null,
      workerRssMbParkedBeforeInbox: parkedRun ? mb(workerRssBeforeInbox) : null,
      workerRssMbParkedEnd: parkedRun ? mb(workerRssEnd) : null,
      driverRssMbParked: parkedRun ? mb(driverRssParked) : null,
      statusMsParked: parkedRun ? Math.round(statusMs) : null,
      statusRunsMs: statusRunsMs.map(Math.round),
      statusRows: parkedRun ? statusRows : null,
      statusAllMsParked: parkedRun ? Math.round(statusAllMs) : null,
      inboxMsParkedCold: inbox ? finite(Math.round(inbox.coldMs)) : null,
      inboxGaveUpAfterMs: inbox && !Number.isFinite(inbox.coldMs) ? options.inboxTimeout * 1000 : null,
      inboxMsParkedWarm: inbox ? finite(Math.round(inbox.warmMs)) : null,
      historySample: cost.cases,
      upsertsPerCase: cost.upsertsPerCase,
      upsertBytesPerCase: cost.upsertBytesPerCase,
      payloadBytesByActivity: cost.payloadBytesByActivity,
      workflowInputBytes: cost.workflowInputBytes,
      seconds: Math.round((Date.now() - started) / 1000),
      machine,
    };
    if (!options.json) {
      const ms = (x: number | null) => (x === null ? '–' : `${x} ms`);
      const table = new Table({ head: ['measure', 'casebook', 'engine floor', 'target'], style: { head: [], border: [] } });
      table.push(
        [`cases completed (N=${options.cases})`, `${casebook.seconds.toFixed(1)} s`, `${engine.seconds.toFixed(1)} s`, ''],
        ['cases per second', casebook.perSecond.toFixed(1), engine.perSecond.toFixed(1), ''],
        ['ratio casebook / floor', ratio.toFixed(2), '1.00', '≥ 0.90'],
        [`approval → publish activity p50 (N=${options.cases})`, ms(cb.p50), ms(fl.p50), ''],
        [`approval → publish activity p99 (N=${options.cases})`, ms(cb.p99), ms(fl.p99), `≤ 1.25 × floor = ${fl.p99 === null ? '–' : Math.round(1.25 * fl.p99)} ms`],
      );
      if (lightCase && lightFloor) {
        table.push(
          [`approval → publish activity p50 (N=${options.light})`, ms(lcb.p50), ms(lfl.p50), ''],
          [`approval → publish activity p99 (N=${options.light})`, ms(lcb.p99), ms(lfl.p99), '≤ 100 ms'],
        );
      }
      table.push(
        ['history events per case (median)', percentile(casebook.historyEvents, 50), percentile(engine.historyEvents, 50), '≤ 65'],
        ['worker process peak RSS, throughput runs', `${mb(workerRssThroughput)} MB`, '(same process)', ''],
      );
      if (parkedRun) {
        table.push(
          [`${options.parked} cases parked in review: time to park`, `${parkedSeconds.toFixed(1)} s`, '', ''],
          [`worker process peak RSS, ${options.parked} parked (cache ${options.cache})`, `${mb(workerRssParked)} MB`, '', '≤ 600 MB'],
          ['  of which before the inbox was read / at the end', `${mb(workerRssBeforeInbox)} / ${mb(workerRssEnd)} MB`, '', ''],
          ['bench driver peak RSS meanwhile (client, review app)', `${mb(driverRssParked)} MB`, '', ''],
          [`casebook status over ${statusRows} cases (real CLI over HTTP, summary, median of ${statusRunsMs.length})`, `${Math.round(statusMs)} ms`, '', '≤ 2000 ms'],
          [`casebook status --all (every row, 1 run)`, `${Math.round(statusAllMs)} ms`, '', ''],
        );
        const msOrNot = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}` : '–');
        if (inbox && !Number.isFinite(inbox.coldMs)) table.push([`review inbox, ${options.parked} cases (cold)`, `> ${options.inboxTimeout} s (given up)`, '', '']);
        else if (inbox) table.push([`review inbox, first page (${inbox.rows} rows) of ${options.parked} (cold / warm)`, `${msOrNot(inbox.coldMs)} / ${msOrNot(inbox.warmMs)} ms`, '', '']);
      }
      console.log(table.toString());
      const sa = new Table({ head: [`search attribute (${cost.cases} clean cases)`, 'writes per case', 'bytes per case'], style: { head: [], border: [] } });
      sa.push(['UpsertWorkflowSearchAttributes events', cost.upsertsPerCase.events, '']);
      for (const [key, writes] of Object.entries(cost.upsertsPerCase.byKey)) sa.push([key, writes, cost.upsertBytesPerCase[key]]);
      console.log(sa.toString());
      const pay = new Table({ head: ['activity', 'calls per case', 'input bytes per call', 'result bytes per call'], style: { head: [], border: [] } });
      for (const [type, p] of Object.entries(cost.payloadBytesByActivity)) pay.push([type, p.callsPerCase, p.inputBytes, p.resultBytes]);
      pay.push(['(workflow input)', 1, cost.workflowInputBytes, '']);
      console.log(pay.toString());
      console.log(`machine: ${machine}`);
    }
    await connection.close();
    await stopProcess(server.process, 'SIGTERM', 10_000);
    progress(`done in ${result.seconds} s`);
    // The review bench runs after this dev server has stopped, so the two never share the machine.
    const review = options.review ? await reviewBench(options) : undefined;
    if (options.json) console.log(JSON.stringify({ ...result, ...(options.review ? { review } : {}) }));
  } finally {
    driverRss.stop();
    await connection.close().catch(() => undefined);
    await cleanUp();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      void cleanUp().finally(() => process.exit(1));
    },
  );
}
