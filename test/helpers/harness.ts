/**
 * One harness for the workflow tests, in the spirit of the TypeScript SDK's helpers-integration.ts:
 * bundle the workflows once per test file, start a case by its id (the id rule of src/names.ts),
 * wait for a phase or any condition with a clear timeout message, and expect an update to be
 * rejected. The server and the workflows are real; the activities are the fakes of ./fakes.ts
 * unless a test passes its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CaseInput } from '../../src/domain/case';
import type { CaseBrief } from '../../src/domain/types';
import { type CaseProgress, progressQuery } from '../../src/messages';
import { caseWorkflowId } from '../../src/names';
import { caseStartSearchAttributes } from '../../src/search-attributes';
import { pollUntil } from '../../src/poll';
import type { caseWorkflow } from '../../workflows/case';
import { bundle, localEnv, startRealWorker, unique } from './env';
import { type FakeControls, fakeActivities, testBrief, testInput } from './fakes';

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;

let bundled: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The production workflow bundle, built once per test file (jest gives each file its own modules). */
export function bundleOnce(): Promise<WorkflowBundleWithSourceMap> {
  bundled ??= bundle();
  return bundled;
}

/** The file's Temporal server, readable inside tests once the file's beforeAll has run. */
export interface TestServer {
  readonly env: TestWorkflowEnvironment;
}

function serverOf(get: () => TestWorkflowEnvironment | undefined): TestServer {
  return {
    get env() {
      const env = get();
      if (!env) throw new Error('The test server is not running: the beforeAll that starts it failed (see its error above).');
      return env;
    },
  };
}

/**
 * Starts a server (the dev server by default, or e.g. `timeSkippingEnv`) and bundles the workflows
 * before the file's tests; tears the server down after them.
 */
export function useTestServer(start: () => Promise<TestWorkflowEnvironment> = localEnv): TestServer {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    [env] = await Promise.all([start(), bundleOnce()]);
  });
  afterAll(async () => {
    await env?.teardown();
  });
  return serverOf(() => env);
}

/** A dev server with a worker of the real activities, for a whole test file. */
export interface RealWorkerSuite extends TestServer {
  /** The task queue the worker polls. */
  readonly taskQueue: string;
  /** The file's temporary folder (holding CASEBOOK_HOME and the library); removed after the file. */
  readonly tmp: string;
}

/**
 * A dev server and a worker with the real activities (as `npm start` runs them) for the whole file,
 * with CASEBOOK_HOME and CASEBOOK_LIBRARY_DIR in a temporary folder: set in process.env, so the worker
 * and the CLI processes the file starts share them. Everything is stopped and removed after the file.
 */
export function useRealWorker(name: string, timeoutMs = 300_000): RealWorkerSuite {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `casebook-${name}-`));
  const taskQueue = unique(name);
  process.env.CASEBOOK_HOME = path.join(tmp, 'home');
  process.env.CASEBOOK_LIBRARY_DIR = path.join(tmp, 'library');
  let env: TestWorkflowEnvironment | undefined;
  let worker: { stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    const [started, workflowBundle] = await Promise.all([localEnv(), bundleOnce()]);
    env = started;
    worker = await startRealWorker(started, taskQueue, workflowBundle);
  }, timeoutMs); // bundling and a dev server on a shared, busy machine
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });
  return Object.assign(serverOf(() => env), { taskQueue, tmp });
}

/** Polls `check` every 100 ms until it holds; fails with `what` and the last value seen. */
export function waitUntil<T, U extends T>(what: string, read: () => Promise<T>, check: (value: T) => value is U, timeoutMs?: number): Promise<U>;
export function waitUntil<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs?: number): Promise<T>;
export async function waitUntil<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  let last: T | undefined;
  const found = await pollUntil(async () => {
    const value = (last = await read());
    return check(value) ? { value } : undefined;
  }, timeoutMs);
  if (!found) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 400)}`);
  return found.value;
}

/** A progress query that failed: a case answers none before its first workflow task, nor while no worker runs. */
export interface QueryFailed {
  queryError: string;
}

/** The case's progress, or why the query failed (for waits that outlast either). */
export function progressOf(handle: WorkflowHandle): Promise<CaseProgress | QueryFailed> {
  return handle.query(progressQuery).catch((err: unknown) => ({ queryError: String(err) }));
}

function isProgress(p: CaseProgress | QueryFailed): p is CaseProgress {
  return !('queryError' in p);
}

/** Waits until the case is in `phase` (and `extra` holds, when given); returns its progress. */
export function waitForPhase(handle: WorkflowHandle, phase: string, extra: (p: CaseProgress) => boolean = () => true, timeoutMs = 30_000): Promise<CaseProgress> {
  return waitUntil(`${handle.workflowId} to reach ${phase}`, () => progressOf(handle), (p): p is CaseProgress => isProgress(p) && p.phase === phase && extra(p), timeoutMs);
}

/**
 * Waits until the case's progress satisfies `ok`, for end-to-end runs with the real activities: a
 * case that needs attention instead fails the wait at once, with the reason.
 */
export async function waitForProgress(handle: WorkflowHandle, what: string, ok: (p: CaseProgress) => boolean, timeoutMs = 30_000): Promise<CaseProgress> {
  const progress = await waitUntil(
    `${handle.workflowId} to reach ${what}`,
    () => progressOf(handle),
    (p): p is CaseProgress => isProgress(p) && (ok(p) || p.phase === 'attention'),
    timeoutMs,
  );
  if (!ok(progress)) throw new Error(`${handle.workflowId} needs attention instead of reaching ${what}: ${progress.attention}`);
  return progress;
}

/** Whether the workflow has no activity and no workflow task in flight. */
export async function isIdle(handle: WorkflowHandle): Promise<boolean> {
  const { raw } = await handle.describe();
  return !raw.pendingActivities?.length && !raw.pendingWorkflowTask;
}

/**
 * Waits until the workflow has a timer running and no task in flight: the state in which skipping
 * time (time-skipping server) is sure to fire that timer. Reaching a phase is not enough: the
 * timer is started by a later workflow task.
 */
export function waitForPendingTimer(handle: WorkflowHandle, timeoutMs = 30_000): Promise<unknown> {
  return waitUntil(
    `${handle.workflowId} to wait on a timer`,
    async () => {
      const [idle, history] = await Promise.all([isIdle(handle), handle.fetchHistory()]);
      const events = history.events ?? [];
      const started = events.filter((e) => e.timerStartedEventAttributes).length;
      const ended = events.filter((e) => e.timerFiredEventAttributes || e.timerCanceledEventAttributes).length;
      return { timers: started - ended, idle };
    },
    (state) => state.timers > 0 && state.idle,
    timeoutMs,
  );
}

/** Expects the update to be rejected (by its validator or its handler); returns the reason. */
export async function expectUpdateRejected(update: Promise<unknown>, reason?: RegExp): Promise<string> {
  let message: string | undefined;
  try {
    await update;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    message = err.cause?.message ?? '';
  }
  if (message === undefined) throw new Error('The update was accepted; expected it to be rejected.');
  if (reason) expect(message).toMatch(reason);
  return message;
}

/** Expects an activity (or anything) to fail with an ApplicationFailure; returns it for more checks. */
export async function expectApplicationFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Starts a case workflow by case id, as the CLI does (workflow id from src/names.ts). */
export function startCase(client: Client, taskQueue: string, input: CaseInput): Promise<CaseHandle> {
  return client.workflow.start('caseWorkflow', {
    taskQueue,
    workflowId: caseWorkflowId(input.caseId),
    args: [input],
    // As `casebook start` does: what is known at start is set here, not by the first workflow task.
    typedSearchAttributes: caseStartSearchAttributes({ caseId: input.caseId, industry: input.brief.industry, campaign: input.campaign }),
  }) as Promise<CaseHandle>;
}

export interface CaseTestOptions {
  /** Brief fields to override (the id is always the case's). */
  brief?: Partial<CaseBrief>;
  /** Prefix of the unique case id; default `case`. */
  prefix?: string;
  /** Set the fakes up before the worker starts. */
  setup?: (controls: FakeControls) => void;
}

/**
 * Starts a worker with fresh fake activities on a unique task queue, runs `fn`, and shuts the
 * worker down. `setup` sets the fakes up before the worker starts.
 */
export async function withWorker(
  env: TestWorkflowEnvironment,
  fn: (taskQueue: string, controls: FakeControls) => Promise<void>,
  setup?: (controls: FakeControls) => void,
): Promise<void> {
  const taskQueue = unique('tq');
  const { activities, controls } = fakeActivities();
  setup?.(controls);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOnce(), activities });
  await worker.runUntil(() => fn(taskQueue, controls));
}

/** {@link withWorker}, with one case started on it (a unique id; the brief of ./fakes.ts). */
export function withCase(
  env: TestWorkflowEnvironment,
  fn: (handle: CaseHandle, controls: FakeControls) => Promise<void>,
  options: CaseTestOptions = {},
): Promise<void> {
  const caseId = unique(options.prefix ?? 'case');
  return withWorker(
    env,
    async (taskQueue, controls) => {
      const handle = await startCase(env.client, taskQueue, testInput(caseId, testBrief({ ...options.brief, id: caseId })));
      await fn(handle, controls);
    },
    options.setup,
  );
}
