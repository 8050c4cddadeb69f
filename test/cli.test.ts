/**
 * End to end through the CLI: a real dev server, a worker with the real activities, and the
 * `casebook` command run as a separate process, as a user would.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from '../src/binaries';
import { caseWorkflowId } from '../src/names';
import { useRealWorker, waitUntil } from './helpers/harness';
import { type CommandResult, runCasebook } from './helpers/processes';
import { uploadWrittenDraft } from './helpers/writer';

const run = promisify(execFile);
// The worker in this process and the CLI processes share CASEBOOK_HOME and the library.
const suite = useRealWorker('cli');
const { taskQueue, tmp } = suite;

function cliEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: suite.env.address,
    TEMPORAL_NAMESPACE: 'default',
    CASEBOOK_TASK_QUEUE: taskQueue,
  };
}

function casebook(...args: string[]): Promise<CommandResult> {
  return runCasebook(args, cliEnv());
}

function casebookWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<CommandResult> {
  return runCasebook(args, { ...cliEnv(), ...extraEnv });
}

/** `casebook status --json`, polled until `ok` holds (the status reads visibility, which lags a little). */
function statusUntil(what: string, ok: (rows: StatusRow[]) => boolean): Promise<StatusRow[]> {
  return waitUntil(what, async () => JSON.parse((await casebook('status', '--json')).stdout) as StatusRow[], ok, 120_000);
}

type StatusRow = { caseId: string; phase: string; percent: number };

test('start → review → approve → published, through the casebook CLI', async () => {
  const started = await casebook('start', 'square');
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toMatch(/square: started — workflow case-square/);

  // The composer stops the case in drafting; the writer uploads the hand-written draft.
  await uploadWrittenDraft(suite.env.client.workflow.getHandle(caseWorkflowId('square')), 'square');
  const status = await statusUntil('square in review', (rows) => rows[0]?.phase === 'review');
  expect(status).toEqual([expect.objectContaining({ caseId: 'square', phase: 'review', percent: 65 })]);

  // The Temporal CLI finds it by its search attribute, as the Web UI's filter does.
  const listed = await run(requireBinary('cli'), ['workflow', 'list', '--address', suite.env.address, '--query', 'CasePhase="review"', '-o', 'json']);
  expect(listed.stdout).toContain('case-square');

  const inbox = await casebook('inbox', '--reviewer', 'alice', '--json');
  expect(JSON.parse(inbox.stdout)).toEqual([expect.objectContaining({ caseId: 'square' })]);

  const show = await casebook('show', 'square', '--json');
  const shown = JSON.parse(show.stdout);
  expect(shown.progress.pendingReviewers).toEqual(['alice', 'bob', 'carol']);
  expect(shown.packet.qa.errors).toBe(0);

  const approved = await casebook('approve', 'square', '--reviewer', 'alice', '--comment', 'Sources check out');
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/quorum met, publishing/);

  const result = await suite.env.client.workflow.getHandle(caseWorkflowId('square')).result();
  expect(result.phase).toBe('published');
  const document = readFileSync(path.join(tmp, 'library', 'cases', 'fintech', 'square.md'), 'utf8');
  for (let n = 1; n <= 7; n++) expect(document).toMatch(new RegExp(`^## ${n}\\. `, 'm'));

  // `status` reads the visibility store, which the server updates shortly after the workflow closes.
  const after = await statusUntil('square published in the status', (rows) => rows[0]?.phase === 'published');
  expect(after).toEqual([expect.objectContaining({ caseId: 'square', phase: 'published', percent: 100 })]);

  const table = (await casebook('status')).stdout;
  expect(table).toMatch(/金融科技\s*│\s*Square\s*│\s*✅ 已发布\s*│\s*100%/);
  expect(table).not.toContain('\u001b['); // no colour codes in a pipe
}, 300_000); // bundling, QA of a written draft and CLI processes on a shared machine

test('an unknown case is a clear error with exit code 1', async () => {
  const r = await casebook('approve', 'nosuchcase', '--reviewer', 'alice');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/No case "nosuchcase" was found/);
  expect(r.stderr).toMatch(/casebook start nosuchcase/);
});

test('usage errors exit with 2 before anything reaches the server', async () => {
  const traversal = await casebook('approve', '../../etc', '--reviewer', 'alice');
  expect(traversal.code).toBe(2);
  expect(traversal.stderr).toMatch(/is not a case id/);

  const missing = await casebook('approve', 'square');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--reviewer/);

  // Checked before connecting: with no server at all, still a usage error.
  const noServer = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
  for (const args of [['show', '../x'], ['status', 'A B'], ['note', 'x/y', 'text', '--author', 'a'], ['request-changes', '..', '--reviewer', 'a', '--comment', 'c']]) {
    const r = await casebookWith(noServer, ...args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(/is not a case id/);
  }
  const both = await casebookWith(noServer, 'status', '--all', '--summary');
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/--all and --summary ask for different outputs[\s\S]*casebook status --all/);
  const badMax = await casebookWith({ ...noServer, CASEBOOK_STATUS_MAX_ROWS: 'many' }, 'status');
  expect(badMax.code).toBe(1);
  expect(badMax.stderr).toMatch(/CASEBOOK_STATUS_MAX_ROWS must be a whole number of at least 0; got "many"/);
  const down = await casebookWith(noServer, 'status');
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/Cannot reach the Temporal server at 127.0.0.1:1[\s\S]*npm start/);

  const notPlanned = await casebook('start', 'nosuchcase');
  expect(notPlanned.code).toBe(2);
  expect(notPlanned.stderr).toMatch(/nosuchcase/);
});
