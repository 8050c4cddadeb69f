/**
 * One harness for the workflow tests, in the spirit of the TypeScript SDK's helpers-integration.ts:
 * bundle the workflows once per test file, start a case by its id (the id rule of src/names.ts),
 * wait for a phase or any condition with a clear timeout message, and expect an update to be
 * rejected. The server and the workflows are real; the activities are the fakes of ./fakes.ts
 * unless a test passes its own.
 */
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
import { bundle, unique } from './env';
import { type FakeControls, fakeActivities, testBrief, testInput } from './fakes';

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;

let bundled: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The production workflow bundle, built once per test file (jest gives each file its own modules). */
export function bundleOnce(): Promise<WorkflowBundleWithSourceMap> {
  bundled ??= bundle();
  return bundled;
}

/** Polls `check` every 100 ms until it holds; fails with `what` and the last value seen. */
export async function waitUntil<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  let last: T | undefined;
  const found = await pollUntil(async () => {
    const value = (last = await read());
    return check(value) ? { value } : undefined;
  }, timeoutMs);
  if (!found) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 400)}`);
  return found.value;
}

/** Waits until the case is in `phase` (and `extra` holds, when given); returns its progress. */
export function waitForPhase(handle: CaseHandle, phase: string, extra: (p: CaseProgress) => boolean = () => true, timeoutMs = 30_000): Promise<CaseProgress> {
  return waitUntil(
    `${handle.workflowId} to reach ${phase}`,
    () => handle.query(progressQuery),
    (p) => p.phase === phase && extra(p),
    timeoutMs,
  );
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
      const [described, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
      const events = history.events ?? [];
      const started = events.filter((e) => e.timerStartedEventAttributes).length;
      const ended = events.filter((e) => e.timerFiredEventAttributes || e.timerCanceledEventAttributes).length;
      const idle = !described.raw.pendingActivities?.length && !described.raw.pendingWorkflowTask;
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
 * Starts a worker with fresh fake activities on a unique task queue, starts one case on it, runs
 * `fn`, and shuts the worker down.
 */
export async function withCase(
  env: TestWorkflowEnvironment,
  fn: (handle: CaseHandle, controls: FakeControls) => Promise<void>,
  options: CaseTestOptions = {},
): Promise<void> {
  const taskQueue = unique('tq');
  const caseId = unique(options.prefix ?? 'case');
  const { activities, controls } = fakeActivities();
  options.setup?.(controls);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOnce(), activities });
  await worker.runUntil(async () => {
    const handle = await startCase(env.client, taskQueue, testInput(caseId, testBrief({ ...options.brief, id: caseId })));
    await fn(handle, controls);
  });
}
