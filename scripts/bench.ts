/**
 * `npm run bench`: casebook's cost on top of the Temporal engine, on a dev server this script starts
 * (SQLite file with WAL and synchronous=off, free ports), with fast test activities and automatic
 * reviewers. Prints a table; the figures of a real run are kept in BENCHMARKS.md. Then it runs the
 * review page's bench (scripts/bench-review.ts) unless --no-review.
 *
 * The fake composer leaves no part to a writer, so cases go from writing straight to QA and review,
 * as the engine floor does: the bench measures the engine path, not a writer's pause in `drafting`.
 *
 *   npm run bench -- [--cases 200] [--parked 1000] [--light 20] [--cache 2000] [--inbox 1000] [--kb 100] [--no-review] [--json]
 *
 * --json prints one JSON object (issue 15's fields, the review page's figures under "review").
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Table from 'cli-table3';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { binaryVersion, requireBinary } from '../src/binaries';
import { listCases } from '../src/cli/commands/status';
import { approveUpdate } from '../src/messages';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS, caseStartSearchAttributes } from '../src/search-attributes';
import { workerLimits } from '../src/config';
import type { CaseActivities } from '../src/domain/activities';
import type { BenchFloorActivities } from '../workflows/bench/floor';
import { benchApproveUpdate } from '../workflows/bench/floor';
import { fakeActivities, testBrief, testInput } from '../test/helpers/fakes';

type NotifyInput = Parameters<CaseActivities['notify']>[0];

const USAGE = 'Usage: npm run bench -- [--cases N] [--parked K] [--light L] [--cache C] [--inbox I] [--kb B] [--no-review] [--json]';

interface Options {
  cases: number;
  parked: number;
  /** Cases (and floor workflows) of the light run, whose approval p99 issue 15 asks for at N = 20. */
  light: number;
  /** maxCachedWorkflows of the worker holding the parked cases; default as in src/worker.ts. */
  cache: number;
  /** Passed to scripts/bench-review.ts (its defaults when absent). */
  inbox?: number;
  kb?: number;
  review: boolean;
  json: boolean;
}

const COUNT_FLAGS = ['--cases', '--parked', '--light', '--cache', '--inbox', '--kb'] as const;

function parseArgs(argv: string[]): Options {
  const options: Options = { cases: 200, parked: 1000, light: 20, cache: workerLimits().maxCachedWorkflows, review: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--json') options.json = true;
    else if (flag === '--no-review') options.review = false;
    else if ((COUNT_FLAGS as readonly string[]).includes(flag) && Number.isInteger(value) && value >= 0) {
      if ((flag === '--cases' || flag === '--inbox' || flag === '--kb') && value === 0) throw new Error(`${flag} must be at least 1. ${USAGE}`);
      options[flag.slice(2) as 'cases' | 'parked' | 'light' | 'cache' | 'inbox' | 'kb'] = value;
      i++;
    } else {
      throw new Error(`Unknown or invalid argument ${flag}. ${USAGE}`);
    }
  }
  return options;
}

/**
 * Runs a TypeScript script as a child process and returns the JSON object it prints. The dev
 * server a bench starts writes its banner to the inherited stdout: every other line goes to stderr,
 * so that `--json` prints nothing but the object.
 */
async function jsonOfChild(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
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
  child.child.stderr?.pipe(process.stderr);
  child.child.stdout?.pipe(process.stdout);
  await child;
  return undefined;
}

/** Set in the child that `--json` runs, whose stdout the parent filters (see jsonOfChild). */
const JSON_CHILD = 'CASEBOOK_BENCH_JSON_CHILD';

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak RSS of this process (worker, client and bench driver together), sampled every 50 ms. */
class RssSampler {
  peak = 0;
  private timer = setInterval(() => this.sample(), 50);
  sample(): number {
    const rss = process.memoryUsage().rss;
    this.peak = Math.max(this.peak, rss);
    return rss;
  }
  reset(): void {
    this.peak = this.sample();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface RunResult {
  seconds: number;
  perSecond: number;
  latencies: number[];
  historyEvents: number[];
  peakRss: number;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.json && process.env[JSON_CHILD] !== '1') {
    console.log(JSON.stringify(await jsonOfChild(__filename, process.argv.slice(2), { ...process.env, [JSON_CHILD]: '1' })));
    return;
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = requireBinary('cli');
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'casebook-bench-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      dbFilename: path.join(dbDir, 'bench.sqlite'),
      searchAttributes: CASEBOOK_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'],
    },
  });
  const client: Client = env.client;
  const rss = new RssSampler();
  let result: Record<string, unknown> = {};
  try {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/bench'), logger: new DefaultLogger('ERROR') });
    const taskQueue = 'bench';
    const decidedAt = new Map<string, number>();
    const publishedAt = new Map<string, number>();
    const parked = new Set<string>();
    const { activities } = fakeActivities();
    const fakes = { ...activities };

    // Automatic reviewers: as soon as a case asks for review, alice and bob approve by update.
    const approveCase = async (workflowId: string) => {
      const handle = client.workflow.getHandle(workflowId);
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
      decidedAt.set(workflowId, Date.now());
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
    };
    const approveFloor = async (workflowId: string) => {
      const handle = client.workflow.getHandle(workflowId);
      await handle.executeUpdate(benchApproveUpdate, { args: [{ reviewer: 'alice' }] });
      decidedAt.set(workflowId, Date.now());
      await handle.executeUpdate(benchApproveUpdate, { args: [{ reviewer: 'bob' }] });
    };
    const floor: BenchFloorActivities = {
      async benchStep({ id, kind }) {
        if (kind === 'review-requested') void approveFloor(id).catch((err) => console.error(err));
        if (kind === 'publish') publishedAt.set(id, Date.now());
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: {
        ...fakes,
        async notify(input: NotifyInput) {
          if (input.kind === 'review-requested' && input.workflowId && !parked.has(input.workflowId)) {
            const id = input.workflowId;
            void approveCase(id).catch((err) => console.error(err));
          }
          return fakes.notify(input);
        },
        async publishCase(input: Parameters<CaseActivities['publishCase']>[0]) {
          publishedAt.set(`case-${input.caseId}`, Date.now());
          return fakes.publishCase(input);
        },
        ...floor,
      },
    });

    // decidedAt holds the send time of the decision that completes the quorum (the second one).
    const latency = (ids: string[]) => ids.map((id) => publishedAt.get(id)! - decidedAt.get(id)!).filter((ms) => Number.isFinite(ms));

    const runBatch = async (kind: 'case' | 'floor', n: number, prefix = ''): Promise<RunResult> => {
      rss.reset();
      const started = Date.now();
      const handles = await Promise.all(
        Array.from({ length: n }, (_, i) => {
          if (kind === 'case') {
            const caseId = `bench-${prefix}${i}`;
            return client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId, testBrief({ id: caseId }))], typedSearchAttributes: caseStartSearchAttributes({ caseId, industry: testBrief().industry }) });
          }
          const id = `floor-${prefix}${i}`;
          return client.workflow.start('benchFloorWorkflow', { taskQueue, workflowId: id, args: [id] });
        }),
      );
      await Promise.all(handles.map((h) => h.result()));
      const seconds = (Date.now() - started) / 1000;
      const historyEvents = await Promise.all(handles.map(async (h) => (await h.describe()).historyLength));
      return { seconds, perSecond: n / seconds, latencies: latency(handles.map((h) => h.workflowId)), historyEvents, peakRss: rss.peak };
    };

    const [casebook, engine, lightCase, lightFloor] = await worker.runUntil(async () => {
      // Warm both paths up (JIT, server caches) so neither pays for starting first.
      const warm = Math.min(50, options.cases);
      await runBatch('floor', warm, 'warm-');
      await runBatch('case', warm, 'warm-');
      const floorResult = await runBatch('floor', options.cases);
      const caseResult = await runBatch('case', options.cases);
      // A light load: approval latency when the worker is not saturated (issue 15: N = 20).
      const lightFloor = options.light > 0 ? await runBatch('floor', options.light, 'light-') : undefined;
      const lightCase = options.light > 0 ? await runBatch('case', options.light, 'light-') : undefined;
      return [caseResult, floorResult, lightCase, lightFloor] as const;
    });

    // Parked cases: K cases wait in review, nobody decides.
    let parkedRss = NaN;
    let parkedSeconds = NaN;
    let statusMs = NaN;
    let statusRows = 0;
    if (options.parked > 0) {
      const parkWorker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle,
        maxCachedWorkflows: options.cache,
        activities: {
          ...fakes,
          async notify(input: NotifyInput) {
            if (input.workflowId) parked.add(input.workflowId);
            return fakes.notify(input);
          },
        },
      });
      await parkWorker.runUntil(async () => {
        const started = Date.now();
        rss.reset();
        for (let i = 0; i < options.parked; i += 200) {
          await Promise.all(
            Array.from({ length: Math.min(200, options.parked - i) }, (_, j) => {
              const caseId = `parked-${i + j}`;
              return client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId, testBrief({ id: caseId }))], typedSearchAttributes: caseStartSearchAttributes({ caseId, industry: testBrief().industry }) });
            }),
          );
        }
        while (parked.size < options.parked) await sleep(200);
        parkedSeconds = (Date.now() - started) / 1000;
        // Let visibility catch up with the last phase change before timing status.
        while ((await client.workflow.count('WorkflowType = "caseWorkflow" AND CasePhase = "review"')).count < options.parked) await sleep(200);
        parkedRss = rss.peak;
        const t0 = Date.now();
        statusRows = (await listCases(client)).length;
        statusMs = Date.now() - t0;
      });
    }
    rss.stop();

    const table = new Table({ head: ['measure', 'casebook', 'engine floor', 'target'], style: { head: [], border: [] } });
    const ratio = casebook.perSecond / engine.perSecond;
    table.push(
      [`cases completed (N=${options.cases})`, `${casebook.seconds.toFixed(1)} s`, `${engine.seconds.toFixed(1)} s`, ''],
      ['cases per second', casebook.perSecond.toFixed(1), engine.perSecond.toFixed(1), ''],
      ['ratio casebook / floor', ratio.toFixed(2), '1.00', '≥ 0.80'],
      ['approval → next activity p50', `${percentile(casebook.latencies, 50)} ms`, `${percentile(engine.latencies, 50)} ms`, ''],
      ['approval → next activity p99', `${percentile(casebook.latencies, 99)} ms`, `${percentile(engine.latencies, 99)} ms`, '≤ 250 ms'],
      ['history events per case (median)', percentile(casebook.historyEvents, 50), percentile(engine.historyEvents, 50), ''],
      ['peak RSS of the bench process', `${mb(casebook.peakRss)} MB`, `${mb(engine.peakRss)} MB`, ''],
    );
    if (options.parked > 0) {
      table.push(
        [`${options.parked} cases parked in review: time to park`, `${parkedSeconds.toFixed(1)} s`, '', ''],
        [`peak RSS with ${options.parked} parked (cache ${options.cache})`, `${mb(parkedRss)} MB`, '', '≤ 600 MB'],
        [`casebook status (listCases, ${statusRows} rows)`, `${statusMs} ms`, '', '≤ 2000 ms'],
      );
    }
    if (lightCase && lightFloor) {
      table.push([
        `approval → next activity p99, light (N=${options.light})`,
        `${percentile(lightCase.latencies, 99)} ms`,
        `${percentile(lightFloor.latencies, 99)} ms`,
        '≤ 100 ms',
      ]);
    }
    const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${mb(os.totalmem())} MB RAM; node ${process.version}; ${binaryVersion(cli).split('\n')[0]}`;
    const parkedRun = options.parked > 0;
    result = {
      cases: options.cases,
      ratio,
      casesPerSecond: casebook.perSecond,
      floorPerSecond: engine.perSecond,
      caseApprovalP50Ms: finite(percentile(casebook.latencies, 50)),
      caseApprovalP99Ms: finite(percentile(casebook.latencies, 99)),
      floorApprovalP50Ms: finite(percentile(engine.latencies, 50)),
      floorApprovalP99Ms: finite(percentile(engine.latencies, 99)),
      light: options.light,
      lightApprovalP99Ms: lightCase ? finite(percentile(lightCase.latencies, 99)) : null,
      lightFloorApprovalP99Ms: lightFloor ? finite(percentile(lightFloor.latencies, 99)) : null,
      parked: options.parked,
      // Not measurable yet: the worker runs inside this process, with the client and the driver.
      workerRssMbParked: null,
      benchProcessRssMbParked: parkedRun ? mb(parkedRss) : null,
      statusMsParked: parkedRun ? statusMs : null,
      historyEventsMedian: finite(percentile(casebook.historyEvents, 50)),
      floorHistoryEventsMedian: finite(percentile(engine.historyEvents, 50)),
      notes: {
        workerRssMbParked: 'null: the worker runs in the bench process; benchProcessRssMbParked is that whole process (worker, client and driver)',
      },
      machine,
    };
    if (!options.json) {
      console.log(table.toString());
      console.log(`machine: ${machine}`);
    }
  } finally {
    rss.stop();
    await env.teardown();
    rmSync(dbDir, { recursive: true, force: true });
  }
  // The review bench runs after this dev server has stopped, so the two never share the machine.
  const review = options.review ? await reviewBench(options) : undefined;
  if (options.json) console.log(JSON.stringify({ ...result, ...(options.review ? { review } : {}) }));
}

/** A number for JSON, or null when there was nothing to measure (e.g. a percentile of no samples). */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
