/**
 * The worker of `npm run bench` (scripts/bench.ts), as its own process, so that the bench can sample
 * the RSS of the worker alone. It is src/worker.ts's `createWorker` (the same options: limits from
 * CASEBOOK_MAX_CACHED_WORKFLOWS and CASEBOOK_MAX_ACTIVITIES, shutdown grace), connected the way
 * src/worker.ts connects (TEMPORAL_ADDRESS etc.), with the bench's workflow bundle (casebook's
 * workflows plus the engine floor) and the fast test activities of test/helpers/fakes.ts.
 *
 * It reports to the bench over the IPC channel of `child_process.fork`, with its own clock (same
 * machine): `ready`, `review` (a review-requested notification runs) and `publish` (the publish
 * activity starts). The bench decides; this process never runs a client. It stops on SIGINT or
 * SIGTERM, and when the bench goes away (the IPC channel closes), so it never outlives the bench.
 *
 *   node --import tsx scripts/bench-worker.ts --bundle <workflow-bundle.js> --task-queue <queue>
 */
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectWorker, loadConnectionSettings } from '../src/connection';
import type { CaseActivities } from '../src/domain/activities';
import { createWorker } from '../src/worker';
import type { BenchFloorActivities } from '../workflows/bench/floor';
import { fakeActivities } from '../test/helpers/fakes';

/** What the worker process tells the bench; `at` is Date.now() in this process. */
export type BenchWorkerEvent = { event: 'ready'; pid: number } | { event: 'review' | 'publish'; id: string; at: number };

function argValue(argv: string[], flag: string): string {
  const i = argv.indexOf(flag);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (!value) throw new Error(`${flag} is missing. Usage: node --import tsx scripts/bench-worker.ts --bundle <file> --task-queue <queue> (scripts/bench.ts starts it)`);
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const bundle = argValue(argv, '--bundle');
  const taskQueue = argValue(argv, '--task-queue');
  if (!process.send) throw new Error('scripts/bench-worker.ts reports over an IPC channel: start it with child_process.fork (scripts/bench.ts does).');
  const tell = (message: BenchWorkerEvent) => {
    if (process.connected) process.send!(message);
  };
  // BENCH_HEAP_LOG=<file>: every 2 s, one JSON line of this process's V8 heap and memory (MB), to see
  // how much of the RSS is the JS heap (workflow contexts) and how much is native (SDK core, buffers).
  const heapLog = process.env.BENCH_HEAP_LOG;
  if (heapLog) {
    const mb = (n: number) => Math.round(n / 2 ** 20);
    setInterval(() => {
      const h = v8.getHeapStatistics();
      const m = process.memoryUsage();
      const line = { at: Date.now(), rss: mb(m.rss), heapUsed: mb(h.used_heap_size), heapTotal: mb(h.total_heap_size), heapLimit: mb(h.heap_size_limit), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
      appendFileSync(heapLog, `${JSON.stringify(line)}\n`);
    }, 2000).unref();
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const settings = loadConnectionSettings();
  const connection = await connectWorker(settings);
  const { activities: fakes, controls } = fakeActivities();
  // The fakes keep every call for tests to assert on; a worker holding 10,000 cases' calls would
  // measure that list, not the worker. Only the last second's calls are kept.
  setInterval(() => {
    controls.calls.length = 0;
    controls.notifications.length = 0;
    controls.published.clear();
  }, 1000).unref();
  const floor: BenchFloorActivities = {
    async benchStep({ id, kind }) {
      if (kind === 'review-requested') tell({ event: 'review', id, at: Date.now() });
      if (kind === 'publish') tell({ event: 'publish', id, at: Date.now() });
    },
  };
  const activities: CaseActivities & BenchFloorActivities = {
    ...fakes,
    async notify(input) {
      if (input.kind === 'review-requested' && input.workflowId) tell({ event: 'review', id: input.workflowId, at: Date.now() });
      return fakes.notify(input);
    },
    async publishCase(input) {
      tell({ event: 'publish', id: `case-${input.caseId}`, at: Date.now() });
      return fakes.publishCase(input);
    },
    ...floor,
  };
  try {
    const worker = await createWorker({ connection, namespace: settings.namespace, taskQueue, activities, workflowBundle: { codePath: bundle } });
    // The bench is gone (or closed the channel to stop this worker): stop polling, let tasks finish.
    process.once('disconnect', () => worker.shutdown());
    const running = worker.run();
    tell({ event: 'ready', pid: process.pid });
    await running;
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench worker stopped: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
