/**
 * Determinism guard: histories recorded from real runs (scripts/record-histories.ts) are replayed
 * against the current workflow code. A change to workflows/ that would break a running case (a new,
 * removed or reordered activity, timer or child, without `patched()`) fails here.
 * See docs/determinism.md for when and how to re-record.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { projectRoot } from '../src/config';
import { bundle } from './helpers/env';
import { readHistoryFile } from './helpers/histories';

const HISTORY_DIR = path.join(__dirname, 'histories');
const files = readdirSync(HISTORY_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundle();
});

const SCENARIOS = ['happy-path', 'request-changes-to-analysis', 'invalid-signals', 'qa-failure-upload'];

test('the recorded histories cover the main paths of the case workflow, before and after the lean engine path', () => {
  // Unprefixed: recorded before the patch `lean-engine-path` (cases started then may still run); v2-: with it.
  expect(files).toEqual(expect.arrayContaining([...SCENARIOS.map((s) => `${s}.json`), ...SCENARIOS.map((s) => `v2-${s}.json`)]));
});

test('the v2 histories took the lean engine path and the old ones did not', () => {
  const patchedIn = (file: string) =>
    readHistoryFile(path.join(HISTORY_DIR, file)).events!.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
  for (const s of SCENARIOS) {
    expect(patchedIn(`v2-${s}.json`)).toBe(true);
    expect(patchedIn(`${s}.json`)).toBe(false);
  }
});

test.each(files)('%s replays against the current workflow code', async (file) => {
  const history = readHistoryFile(path.join(HISTORY_DIR, file));
  const types = new Set(history.events!.map((e) => e.eventType));
  // A history that ends before the workflow completes would prove little.
  expect(types.has(2 /* EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED */)).toBe(true);
  await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
});

test('all histories replay in one replay worker', async () => {
  const histories = files.map((file) => ({ workflowId: file, history: readHistoryFile(path.join(HISTORY_DIR, file)) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});

test('a history that does not match the code is reported as nondeterministic', async () => {
  // The happy path with its first activity (collectSources) renamed: the code schedules
  // collectSources where the history says something else was scheduled.
  const history = readHistoryFile(path.join(HISTORY_DIR, 'happy-path.json'));
  const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
  await expect(Worker.runReplayHistory({ workflowBundle }, history, 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
});

test('a workflow change that breaks determinism makes the recorded histories fail to replay', async () => {
  // A scratch copy of the workflows with one extra activity call before research, as a careless
  // edit would add it. It lives inside the project so its imports and node_modules resolve.
  const dir = mkdtempSync(path.join(projectRoot, 'workflows-scratch-'));
  try {
    cpSync(path.join(projectRoot, 'workflows'), dir, { recursive: true });
    const steps = path.join(dir, 'case-steps.ts');
    const anchor = 'export async function research(run: CaseRun): Promise<void> {';
    const source = readFileSync(steps, 'utf8');
    expect(source).toContain(anchor);
    writeFileSync(steps, source.replace(anchor, `${anchor}\n  await run.tell('reminder', [], 'extra');`));
    const brokenBundle = await bundleWorkflowCode({ workflowsPath: path.join(dir, 'index.ts'), logger: silent });
    const histories = files.map((file) => ({ workflowId: file, history: readHistoryFile(path.join(HISTORY_DIR, file)) }));
    const errors: unknown[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: brokenBundle }, histories)) errors.push(result.error);
    expect(errors).toHaveLength(files.length);
    for (const error of errors) expect(error).toBeInstanceOf(DeterminismViolationError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
