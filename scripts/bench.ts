/**
 * `npm run bench`: casebook's cost on top of the Temporal engine, on a dev server this script starts
 * (SQLite file with WAL and synchronous=off, free ports), with fast test activities and automatic
 * reviewers. Prints a table; the figures of a real run are kept in BENCHMARKS.md.
 *
 *   npm run bench -- --cases 200 --parked 1000 [--cache 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { binaryVersion, requireBinary } from '../src/binaries';
import { listCases } from '../src/cli/commands/status';
import { approveUpdate } from '../src/messages';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS } from '../src/search-attributes';
import { workerLimits } from '../src/config';
import type { CaseActivities } from '../src/domain/activities';
import type { BenchFloorActivities } from '../workflows/bench/floor';
import { benchApproveUpdate } from '../workflows/bench/floor';
import { fakeActivities, testBrief, testInput } from '../test/helpers/fakes';

type NotifyInput = Parameters<CaseActivities['notify']>[0];

interface Options {
  cases: number;
  parked: number;
  /** maxCachedWorkflows of the worker holding the parked cases; default as in src/worker.ts. */
  cache: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { cases: 200, parked: 1000, cache: workerLimits().maxCachedWorkflows };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if ((flag === '--cases' || flag === '--parked' || flag === '--cache') && Number.isInteger(value) && value >= 0) {
      options[flag.slice(2) as keyof Options] = value;
      i++;
    } else {
      throw new Error(`Unknown or invalid argument ${flag}. Usage: npm run bench -- [--cases N] [--parked K] [--cache C]`);
    }
  }
  return options;
}

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
            return client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId, testBrief({ id: caseId }))] });
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

    const [casebook, engine] = await worker.runUntil(async () => {
      // Warm both paths up (JIT, server caches) so neither pays for starting first.
      const warm = Math.min(50, options.cases);
      await runBatch('floor', warm, 'warm-');
      await runBatch('case', warm, 'warm-');
      const floorResult = await runBatch('floor', options.cases);
      const caseResult = await runBatch('case', options.cases);
      return [caseResult, floorResult] as const;
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
              return client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId, testBrief({ id: caseId }))] });
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
    console.log(table.toString());
    console.log(
      `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${mb(os.totalmem())} MB RAM; node ${process.version}; ${binaryVersion(cli).split('\n')[0]}`,
    );
  } finally {
    rss.stop();
    await env.teardown();
    rmSync(dbDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
