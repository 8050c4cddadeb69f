/**
 * Fault tests with real processes: the Temporal dev server runs on a SQLite file (spawned here, so
 * it can be stopped and started again), and the worker runs as its own Node process
 * (test/helpers/fault-worker.ts: the real publishing activity, file-writing stand-ins for the
 * other phases) so that it can be SIGKILLed.
 *
 * Design of the worker-kill test. A SIGKILLed worker never reports its activity; the server finds
 * out only when the attempt times out, and the timeouts of the phases' activities are a minute or
 * more (the named profiles in workflows/proxies.ts). Those stay as they are:
 * there are no test hooks in the workflow or the worker. The time-skipping test server cannot help:
 * it does not skip time while an activity attempt is running, and the dead worker's attempt runs
 * for as long as the server believes in it. So each case stalls in one phase's activity *after* the
 * activity has done its work (the worst moment: side effects on disk, completion never reported),
 * the worker is SIGKILLed, a new worker process starts, and the test then does what an operator
 * would do instead of waiting minutes: it gives the orphaned activity a 2-second heartbeat timeout
 * with `temporal activity update-options`. The server then times the dead attempt out by itself
 * and retries it on the new worker under the workflow's own retry policy. The five cases (one per
 * phase) run side by side on one worker, so one kill interrupts all five phases.
 */
import { execFile } from 'node:child_process';
import { promises as fs, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { readPublishManifest } from '../activities/publishing';
import { revisionOf } from '../activities/store';
import { requireBinary } from '../src/binaries';
import { approveSignal, approveUpdate, progressQuery } from '../src/messages';
import type { caseWorkflow } from '../workflows/case';
import { bundle, unique } from './helpers/env';
import { testInput } from './helpers/fakes';
import { type CaseHandle, isIdle, startCase as startCaseOn, waitForPhase } from './helpers/harness';
import {
  type DevServer,
  type WorkerProcess,
  freePort,
  killAll,
  startDevServer,
  startWorkerProcess,
  stopProcess,
  waitFor,
} from './helpers/processes';

const execFileP = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-faults-'));
const bundleFile = path.join(tmp, 'workflow-bundle.js');
const savedLibrary = process.env.CASEBOOK_LIBRARY_DIR;

/** The activity of each phase, in the order the workflow runs them. */
const PHASE_ACTIVITIES = [
  ['research', 'collectSources'],
  ['analysis', 'analyzeCase'],
  ['writing', 'composeDraft'],
  ['qa', 'checkDraft'],
  ['publish', 'publishCase'],
] as const;

let server: DevServer;
let port: number;
let uiPort: number;
const dbFile = path.join(tmp, 't.db');
let connection: Connection | undefined;
let client: Client;

async function connect(): Promise<void> {
  await connection?.close();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: 'default' });
}

beforeAll(async () => {
  [port, uiPort] = [await freePort(), await freePort()];
  // Settled, not Promise.all: a failed start must not leave webpack bundling after this file ends.
  const [bundled, serverStarted] = await Promise.allSettled([bundle(), startDevServer(dbFile, port, uiPort)]);
  if (bundled.status === 'rejected') throw bundled.reason;
  if (serverStarted.status === 'rejected') throw serverStarted.reason;
  const [{ code }, started] = [bundled.value, serverStarted.value];
  writeFileSync(bundleFile, code);
  server = started;
  await connect();
});

afterAll(async () => {
  await connection?.close();
  await killAll();
  if (savedLibrary === undefined) delete process.env.CASEBOOK_LIBRARY_DIR;
  else process.env.CASEBOOK_LIBRARY_DIR = savedLibrary;
  rmSync(tmp, { recursive: true, force: true });
});

/** Folders and environment of one group of workers. */
function workspace(name: string, address: string) {
  const root = path.join(tmp, name);
  const library = path.join(root, 'library');
  const markers = path.join(root, 'markers');
  const env = {
    FAULT_ADDRESS: address,
    FAULT_TASK_QUEUE: unique(name),
    FAULT_BUNDLE: bundleFile,
    FAULT_DIR: markers,
    CASEBOOK_HOME: path.join(root, 'home'),
    CASEBOOK_LIBRARY_DIR: library,
  };
  return { root, library, markers, env };
}

/** Every file below `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Attempts recorded by the fault worker: `{ activity, attempt, pid }` for one case, in file order. */
function attempts(markers: string, caseId: string): { activity: string; attempt: number; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(path.join(markers, 'calls'));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${caseId}.`))
    .map((n) => {
      const [activity, attempt, pid] = n.slice(caseId.length + 1).split('.');
      return { activity, attempt: Number(attempt), pid: Number(pid) };
    });
}

/** `temporal <args>` against the test's dev server. */
async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await execFileP(requireBinary('cli'), [...args, '--address', server.address, '--namespace', 'default']);
  return stdout;
}

function startCase(taskQueue: string, caseId: string): Promise<CaseHandle> {
  return startCaseOn(client, taskQueue, testInput(caseId));
}

/** The library holds exactly these cases: one document and one manifest entry each, nothing else. */
async function expectPublished(library: string, results: { caseId: string; revision?: string }[]): Promise<void> {
  const ids = results.map((r) => r.caseId).sort();
  expect(await filesUnder(library)).toEqual(
    [...ids.map((id) => path.join('cases', '.published', `${id}.json`)), ...ids.map((id) => path.join('cases', 'fintech', `${id}.md`))].sort(),
  );
  process.env.CASEBOOK_LIBRARY_DIR = library;
  const manifest = await readPublishManifest();
  expect(Object.keys(manifest).sort()).toEqual(ids);
  for (const { caseId, revision } of results) {
    expect(revision).toMatch(/^[0-9a-f]{12}$/);
    expect(manifest[caseId]).toMatchObject({ revision, path: `cases/fintech/${caseId}.md` });
    const document = await fs.readFile(path.join(library, 'cases', 'fintech', `${caseId}.md`), 'utf8');
    expect(revisionOf(document)).toBe(revision);
  }
}

describe('the worker is SIGKILLed during each phase’s activity', () => {
  test('a new worker retries the killed activity; every case publishes exactly one document and one manifest entry', async () => {
    const ws = workspace('kill', server.address);
    const cases = PHASE_ACTIVITIES.map(([phase, activity]) => ({ phase, activity, caseId: unique(`kill-${phase}`) }));
    const first = await startWorkerProcess({ ...ws.env, FAULT_STALL: cases.map((c) => `${c.caseId}:${c.activity}`).join(',') });
    let second: WorkerProcess | undefined;
    try {
      const handles = new Map<string, CaseHandle>();
      for (const { caseId } of cases) handles.set(caseId, await startCase(ws.env.FAULT_TASK_QUEUE, caseId));
      // The publish case needs its quorum before it reaches the publish activity.
      const publishCase = cases[cases.length - 1];
      const publishHandle = handles.get(publishCase.caseId)!;
      await waitForPhase(publishHandle, 'review', undefined, 60_000);
      for (const reviewer of ['alice', 'bob']) await publishHandle.executeUpdate(approveUpdate, { args: [{ reviewer }] });

      for (const { caseId, activity } of cases) {
        await waitFor(`${caseId} to stall in ${activity}`, () => readdirSync(path.join(ws.markers, 'stalled')).includes(`${caseId}.${activity}`), 60_000);
      }
      // The publish case's document is on disk already, written by the attempt that is about to die.
      expect(await filesUnder(ws.library)).toContain(path.join('cases', 'fintech', `${publishCase.caseId}.md`));

      await stopProcess(first.process, 'SIGKILL');
      expect(first.process.signalCode).toBe('SIGKILL');
      second = await startWorkerProcess(ws.env);

      for (const { caseId, phase, activity } of cases) {
        const handle = handles.get(caseId)!;
        const description = await handle.describe();
        expect(description.status.name).toBe('RUNNING');
        const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === activity);
        // The server still believes in the dead worker's attempt.
        expect({ phase, state: pending?.state, attempt: pending?.attempt }).toEqual({
          phase,
          state: proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          attempt: 1,
        });
        await temporal('activity', 'update-options', '--workflow-id', handle.workflowId, '--activity-id', pending!.activityId!, '--heartbeat-timeout', '2s');
      }

      for (const { caseId } of cases.slice(0, -1)) {
        const handle = handles.get(caseId)!;
        await waitForPhase(handle, 'review', undefined, 60_000);
        expect((await handle.query(progressQuery)).reviewers.filter((r) => r.approved)).toEqual([]);
        for (const reviewer of ['alice', 'bob']) await handle.signal(approveSignal, { reviewer });
      }
      const results = [];
      for (const { caseId } of cases) {
        const result = await handles.get(caseId)!.result();
        expect(result).toMatchObject({ caseId, phase: 'published' });
        expect(result.approvals.sort()).toEqual(['alice', 'bob']);
        results.push(result);
      }

      await expectPublished(ws.library, results);

      const firstPid = first.process.pid!;
      const secondPid = second.process.pid!;
      const order = (a: { activity: string; attempt: number }) => PHASE_ACTIVITIES.findIndex(([, x]) => x === a.activity) * 10 + a.attempt;
      for (const { caseId, phase, activity } of cases) {
        const killedAt = PHASE_ACTIVITIES.findIndex(([, a]) => a === activity);
        const ran = attempts(ws.markers, caseId)
          .filter((a) => a.activity !== 'notify')
          .sort((a, b) => order(a) - order(b));
        // Activities finished before the kill are not run again; the killed one is retried once, by the new worker.
        const expected = PHASE_ACTIVITIES.flatMap(([, a], i) =>
          i < killedAt
            ? [{ activity: a, attempt: 1, pid: firstPid }]
            : i === killedAt
              ? [
                  { activity: a, attempt: 1, pid: firstPid },
                  { activity: a, attempt: 2, pid: secondPid },
                ]
              : [{ activity: a, attempt: 1, pid: secondPid }],
        );
        expect({ phase, ran }).toEqual({ phase, ran: expected });
      }
    } finally {
      await stopProcess(first.process, 'SIGKILL');
      if (second) await stopProcess(second.process, 'SIGKILL');
    }
  });
});

describe('the dev server (SQLite file) and the worker stop and come back', () => {
  let worker: WorkerProcess | undefined;
  let shared: ReturnType<typeof workspace>;

  beforeAll(async () => {
    shared = workspace('dev', server.address);
    worker = await startWorkerProcess(shared.env);
  });

  afterAll(async () => {
    if (worker) await stopProcess(worker.process, 'SIGKILL');
  });

  test('a restart of the dev server keeps cases in review with their approvals; a second approval publishes them', async () => {
    const handles = [await startCase(shared.env.FAULT_TASK_QUEUE, unique('restart')), await startCase(shared.env.FAULT_TASK_QUEUE, unique('restart'))];
    const before = [];
    for (const handle of handles) {
      await waitForPhase(handle, 'review', undefined, 60_000);
      const decision = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', comment: 'first look ok' }] });
      expect(decision).toMatchObject({ approvals: ['alice'], quorumMet: false });
      before.push(await handle.query(progressQuery));
    }

    await stopProcess(worker!.process, 'SIGTERM');
    await connection?.close();
    connection = undefined;
    await stopProcess(server.process, 'SIGTERM');
    expect(server.process.signalCode ?? server.process.exitCode).not.toBeNull();
    await expect(Connection.connect({ address: server.address, connectTimeout: 500 }).then((c) => c.close())).rejects.toThrow();

    server = await startDevServer(dbFile, port, uiPort);
    await connect();
    worker = await startWorkerProcess(shared.env);

    for (const [i, old] of handles.entries()) {
      const handle = client.workflow.getHandle(old.workflowId) as CaseHandle;
      const progress = await handle.query(progressQuery);
      expect(progress).toMatchObject({ phase: 'review', revision: before[i].revision, pendingReviewers: before[i].pendingReviewers });
      expect(progress.reviewers.filter((r) => r.approved).map((r) => r.name)).toEqual(['alice']);
      const decision = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
      expect(decision.quorumMet).toBe(true);
    }
    const results = [];
    for (const old of handles) {
      const result = await client.workflow.getHandle<typeof caseWorkflow>(old.workflowId).result();
      expect(result.phase).toBe('published');
      expect(result.approvals.sort()).toEqual(['alice', 'bob']);
      results.push(result);
    }
    await expectPublished(shared.library, results);
  });

  test('approvals signalled with the Temporal CLI while no worker runs take effect when a worker returns', async () => {
    const handle = await startCase(shared.env.FAULT_TASK_QUEUE, unique('offline'));
    await waitForPhase(handle, 'review', undefined, 60_000);
    // Kill it idle: no activity (the review-requested notification delivered) and no workflow task
    // in flight, so nothing waits for a timeout.
    await waitFor('the case to be idle (no pending activity or workflow task)', () => isIdle(handle));
    await stopProcess(worker!.process, 'SIGKILL');
    worker = undefined;

    for (const reviewer of ['alice', 'bob']) {
      await temporal(
        'workflow',
        'signal',
        '--workflow-id',
        handle.workflowId,
        '--name',
        approveSignal.name,
        '--input',
        JSON.stringify({ reviewer, comment: `approved by ${reviewer} while the worker was down` }),
      );
    }
    // Accepted and recorded by the server, not yet seen by any workflow code. A signal that arrives
    // while a workflow task is in flight is buffered until that task completes or times out (10 s),
    // so wait for the history to show both rather than reading it once.
    const signalled = await waitFor(
      'both approve signals in history (buffered signals appear once the in-flight workflow task completes or times out)',
      async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        const approvals = events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === approveSignal.name);
        return approvals.length >= 2 && approvals;
      },
      30_000,
    );
    expect(signalled).toHaveLength(2);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    worker = await startWorkerProcess(shared.env);
    const result = await handle.result();
    expect(result.phase).toBe('published');
    expect(result.approvals.sort()).toEqual(['alice', 'bob']);
    process.env.CASEBOOK_LIBRARY_DIR = shared.library;
    expect((await readPublishManifest())[result.caseId]).toMatchObject({ revision: result.revision });
  });
});
