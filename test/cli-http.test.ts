/**
 * The read-only commands over the Temporal server's HTTP API: a real dev server with its HTTP API on
 * a known port, a worker with the fast test activities, cases parked in review, and `casebook` run
 * as a separate process. What they print over HTTP (CASEBOOK_TEMPORAL_HTTP_URL, or the dev server
 * record `npm start` writes) must be what they print over the SDK client, byte for byte.
 *
 * A few more cases are parked without a worker (started with their search attributes only, as
 * scripts/bench.ts parks thousands) in attention, writing and terminated, so that `status` over more
 * than CASEBOOK_STATUS_MAX_ROWS cases has every kind of count to get right.
 *
 * One more case is held in analysis by its fake activity: visibility still lists it in research (the
 * lean path writes no unattended phase), so `status` shows its live phase only when a worker answers.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { requireBinary } from '../src/binaries';
import { projectRoot } from '../src/config';
import { approveUpdate, progressQuery } from '../src/messages';
import { renderStatusSummary, summarizeCases } from '../src/cli/commands/status';
import { httpReader, sdkReader } from '../src/cli/read';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS, CaseIdKey, CaseIndustryKey, CasePhaseKey, CaseProgressKey } from '../src/search-attributes';
import { bundle, unique } from './helpers/env';
import { fakeActivities, testInput } from './helpers/fakes';
import { freePort, waitFor } from './helpers/processes';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-cli-http-'));
const taskQueue = unique('cli-http');
const [caseA, caseB] = [unique('http-a'), unique('http-b')];
/** Parked without a worker: [case id, CasePhase, CaseProgress]; the last one is terminated. */
const parked: [string, string, number][] = [
  [unique('park-att1'), 'attention', 20],
  [unique('park-att2'), 'attention', 35],
  [unique('park-writing'), 'writing', 35],
  [unique('park-gone'), 'review', 65],
];
const terminated = parked[3][0];
/** The task queue of the parked cases, which no worker polls. */
const nobody = unique('no-worker');
/** Held in analysis (its analyzeCase waits for `release`) while visibility lists it in research. */
const held = unique('http-held');
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (release = resolve));

let env: TestWorkflowEnvironment;
let httpUrl: string;
let worker: Worker;
let running: Promise<void>;

/** `casebook ...args` in its own process; TEMPORAL_* and CASEBOOK_TEMPORAL_HTTP_URL only as given. */
async function casebook(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, CASEBOOK_HOME: path.join(tmp, 'home'), CASEBOOK_UI_URL: 'http://ui.example:8233' };
  for (const key of Object.keys(base)) if (key.startsWith('TEMPORAL_') || key === 'CASEBOOK_TEMPORAL_HTTP_URL') delete base[key];
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(projectRoot, 'bin', 'casebook.js'), ...args], { env: { ...base, ...extraEnv }, cwd: projectRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const overGrpc = () => ({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' });
const overHttp = () => ({ ...overGrpc(), CASEBOOK_TEMPORAL_HTTP_URL: httpUrl });

beforeAll(async () => {
  const httpPort = await freePort();
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      searchAttributes: CASEBOOK_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: ['--http-port', String(httpPort)],
    },
  });
  httpUrl = `http://127.0.0.1:${httpPort}`;
  const fakes = fakeActivities().activities;
  const activities: typeof fakes = {
    ...fakes,
    async analyzeCase(input) {
      if (input.caseId === held) await gate;
      return fakes.analyzeCase(input);
    },
  };
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundle(), activities });
  running = worker.run();
  for (const caseId of [caseA, caseB]) {
    const handle = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId)] });
    await waitFor(`${caseId} in review`, async () => (await handle.query(progressQuery)).phase === 'review', 60_000);
  }
  // One decision, so the audit trail and the approvals differ between the cases.
  const progress = await env.client.workflow.getHandle(`case-${caseA}`).query(progressQuery);
  await env.client.workflow.getHandle(`case-${caseA}`).executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: progress.revision }] });
  await waitFor('both cases listed in review', async () => (await env.client.workflow.count(`CasePhase = "review" AND TaskQueue = "${taskQueue}"`)).count === 2);
  const heldHandle = await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${held}`, args: [testInput(held)] });
  await waitFor(`${held} in analysis`, async () => (await heldHandle.query(progressQuery)).phase === 'analysis', 60_000);
  await waitFor(`${held} listed in research`, async () => (await env.client.workflow.count(`CaseId = "${held}" AND CasePhase = "research"`)).count === 1);
  for (const [caseId, phase, progress] of parked) {
    await env.client.workflow.start('caseWorkflow', {
      taskQueue: nobody,
      workflowId: `case-${caseId}`,
      args: [],
      typedSearchAttributes: [
        { key: CaseIdKey, value: caseId },
        { key: CaseIndustryKey, value: 'parked' },
        { key: CasePhaseKey, value: phase },
        { key: CaseProgressKey, value: progress },
      ],
    });
  }
  await env.client.workflow.getHandle(`case-${terminated}`).terminate('parked for the status summary test');
  await waitFor('the parked cases listed, one terminated', async () => {
    const [all, gone] = await Promise.all([
      env.client.workflow.count(`WorkflowType = "caseWorkflow" AND TaskQueue = "${nobody}"`),
      env.client.workflow.count(`WorkflowType = "caseWorkflow" AND ExecutionStatus = "Terminated"`),
    ]);
    return all.count === parked.length && gone.count === 1;
  });
}, 180_000);

afterAll(async () => {
  release();
  worker?.shutdown();
  await running;
  await env?.teardown();
  rmSync(tmp, { recursive: true, force: true });
});

/** Two rows at most: the seven cases are a summary. */
const overTwo = { CASEBOOK_STATUS_MAX_ROWS: '2' };

const commands: [string, string[], NodeJS.ProcessEnv?][] = [
  ['status --json', ['status', '--json']],
  ['status (table)', ['status']],
  ['status over CASEBOOK_STATUS_MAX_ROWS (summary)', ['status'], overTwo],
  ['status --all over CASEBOOK_STATUS_MAX_ROWS (table)', ['status', '--all'], overTwo],
  ['status --json --summary', ['status', '--json', '--summary']],
  ['status --json over CASEBOOK_STATUS_MAX_ROWS (every row)', ['status', '--json'], overTwo],
  ['status <case> --json', ['status', caseA, '--json']],
  ['show --json --audit', ['show', caseA, '--json', '--audit']],
  ['show (text)', ['show', caseB]],
  ['inbox --json', ['inbox', '--reviewer', 'bob', '--json']],
  ['inbox (text)', ['inbox', '--reviewer', 'alice']],
];

test.each(commands)('`casebook %s` prints the same over the HTTP API as over the SDK client', async (_name, args, extra = {}) => {
  const [grpc, http] = [await casebook({ ...overGrpc(), ...extra }, ...args), await casebook({ ...overHttp(), ...extra }, ...args)];
  expect(grpc.stderr).toBe('');
  expect(grpc.code).toBe(0);
  expect(http).toEqual(grpc);
  expect(http.stdout.length).toBeGreaterThan(0);
});

test('the HTTP API gives the payloads whole: empty lists stay lists, values keep their types', async () => {
  const shown = JSON.parse((await casebook(overHttp(), 'show', caseB, '--json')).stdout);
  expect(shown.progress.caseId).toBe(caseB);
  expect(shown.progress.responseTimes).toEqual([]); // the HTTP API's shorthand form would give null
  expect(shown.packet.feedback).toEqual([]);
  expect(typeof shown.progress.percent).toBe('number');
  const rows = JSON.parse((await casebook(overHttp(), 'status', '--json')).stdout) as { caseId: string; percent: number; pendingReviewers: string[]; workflowStatus: string }[];
  const a = rows.find((r) => r.caseId === caseA);
  expect(a).toEqual(expect.objectContaining({ percent: 65, workflowStatus: 'RUNNING' }));
  expect(a?.pendingReviewers).toEqual(['bob', 'carol']);
});

test('status shows the live phase of a case in unattended work when a worker polls its task queue, and marks it as last listed when none does', async () => {
  type Row = { caseId: string; phase: string; percent: number; asListed?: true };
  const table = await casebook(overHttp(), 'status');
  expect(table.code).toBe(0);
  const line = (caseId: string) => table.stdout.split('\n').find((l) => l.includes(caseId)) ?? '';
  // Visibility lists the held case in research (5%); its worker answers: analysis.
  expect(line(held)).toMatch(/│ 🔄 analysis\s+│ 20%\s+│/);
  // Parked on a task queue no worker polls: not queried, shown as listed and marked, with the note under the table.
  expect(line(parked[2][0])).toMatch(/│ 🔄 writing \(as last listed\)\s+│ 35%\s+│/);
  expect(line(caseA)).toMatch(/│ 🔄 评审中\s+│ 65%\s+│/);
  expect(line(parked[0][0])).toMatch(/│ ⚠️ 需关注\s+│ 20%\s+│/);
  expect(table.stdout.trimEnd().split('\n').at(-1)).toBe(
    `No worker polls task queue "${nobody}", so its cases between research and QA (or publishing) show the phase as last listed, which may be behind. Start one with \`npm start\` (or \`npm run worker\`) for their live phase.`,
  );
  const rows = JSON.parse((await casebook(overHttp(), 'status', '--json')).stdout) as Row[];
  const row = (caseId: string) => rows.find((r) => r.caseId === caseId);
  expect(row(held)).toEqual(expect.objectContaining({ phase: 'analysis', percent: 20 }));
  expect(row(held)?.asListed).toBeUndefined();
  expect(row(parked[2][0])).toEqual(expect.objectContaining({ phase: 'writing', percent: 35, asListed: true }));
  expect(row(caseA)?.asListed).toBeUndefined();
  // Over CASEBOOK_STATUS_MAX_ROWS, --all lists without queries: the held case as listed, unmarked.
  const all = await casebook({ ...overHttp(), ...overTwo }, 'status', '--all');
  expect(all.stdout.split('\n').find((l) => l.includes(held))).toMatch(/│ 🔄 research\s+│ 5%\s+│/);
});

test('over CASEBOOK_STATUS_MAX_ROWS, status counts the cases per phase and lists those that need the lead; --all and --json list every case', async () => {
  const summary = await casebook({ ...overHttp(), ...overTwo }, 'status');
  expect(summary.code).toBe(0);
  const [headline] = summary.stdout.split('\n');
  expect(headline).toBe('7 cases, more than CASEBOOK_STATUS_MAX_ROWS (2): the summary per phase. `casebook status --all` lists every case (slower).');
  expect(summary.stdout).toMatch(/│ 🔄 评审 \(review\)\s+│ 2\s+│/);
  expect(summary.stdout).toMatch(/│ 🔄 需关注 \(attention\)\s+│ 2\s+│/);
  expect(summary.stdout).toMatch(/│ ❌ terminated\s+│ 1\s+│/);
  expect(summary.stdout).toMatch(/│ 平均完成度\s+│ 41%\s+│/);
  expect(summary.stdout).toContain('Needs the lead (3):');
  for (const [caseId] of parked.filter(([, phase]) => phase === 'attention')) expect(summary.stdout).toContain(caseId);
  expect(summary.stdout).toContain(terminated);
  expect(summary.stdout).not.toContain(caseA);

  const all = await casebook({ ...overHttp(), ...overTwo }, 'status', '--all');
  for (const caseId of [caseA, caseB, held, ...parked.map(([id]) => id)]) expect(all.stdout).toContain(caseId);
  expect(all.stdout).toMatch(/│ 总计\s+│ 7个\s+│/);
  const rows = JSON.parse((await casebook({ ...overHttp(), ...overTwo }, 'status', '--json')).stdout) as unknown[];
  expect(rows).toHaveLength(7);
  // The summary's average is the table's 完成度 总计 (both as listed), computed from counts instead of rows.
  expect(all.stdout).toMatch(/│ 41%\s+│/);
});

test('the summary object: counts per phase and closing status, the average, and the first cases that need the lead, the same over both readers', async () => {
  const overHttpReader = await summarizeCases(httpReader({ address: env.address, namespace: 'default', connectOptions: {}, httpUrl }), {}, 2);
  const overSdkReader = await summarizeCases(sdkReader(env.client), {}, 2);
  expect(overSdkReader).toEqual(overHttpReader);
  const { needsLead, ...counts } = overHttpReader;
  expect(counts).toEqual({
    total: 7,
    running: 6,
    phases: { research: 1, analysis: 0, writing: 1, qa: 0, review: 2, publish: 0, published: 0, attention: 2, drafting: 0, failed: 0, none: 0 },
    closed: { published: 0, failed: 0, terminated: 1, timedOut: 0, canceled: 0, continuedAsNew: 0 },
    averagePercent: 41, // (65 + 65 + 5 + 20 + 35 + 35 + 65) / 7 = 41.4: the held case as listed (research, 5)
  });
  expect(needsLead.total).toBe(3);
  expect(needsLead.shown).toHaveLength(2);
  const leadIds = [...parked.filter(([, phase]) => phase === 'attention').map(([id]) => id), terminated];
  for (const row of needsLead.shown) expect(leadIds).toContain(row.caseId);
  expect(renderStatusSummary(overHttpReader)).toContain('… and 1 more (`casebook status --all` lists them).');
  const campaign = await summarizeCases(sdkReader(env.client), { campaign: 'no-such-campaign' });
  expect(campaign).toEqual(expect.objectContaining({ total: 0, running: 0, averagePercent: null, needsLead: { total: 0, shown: [] } }));
});

test('without TEMPORAL_* the CLI reads over the HTTP API the dev server record names (as `npm start` writes it)', async () => {
  const home = path.join(tmp, 'recorded');
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, 'dev-server.json'), JSON.stringify({ address: env.address, uiUrl: 'http://ui.example:8233', httpUrl, namespace: 'default', pid: process.pid }));
  const modules = path.join(tmp, 'modules.txt');
  const recorded = await casebook(
    { CASEBOOK_HOME: home, LOADED_MODULES_FILE: modules, NODE_OPTIONS: `--require ${path.join(__dirname, 'helpers', 'loaded-modules.js')}` },
    'show',
    caseA,
    '--json',
  );
  expect(recorded.stderr).toBe('');
  expect(recorded).toEqual(await casebook(overGrpc(), 'show', caseA, '--json'));
  const loaded = readFileSync(modules, 'utf8');
  expect(loaded).toContain(path.join('dist', 'src', 'temporal-http.js'));
  expect(loaded).not.toContain(path.join('node_modules', '@temporalio', 'client'));
});

test('an unknown case over the HTTP API is the same clear error as over the SDK client', async () => {
  const [grpc, http] = [await casebook(overGrpc(), 'show', 'no-such-case'), await casebook(overHttp(), 'show', 'no-such-case')];
  expect(http.code).toBe(1);
  expect(http.stderr).toMatch(/No case "no-such-case" was found on the server/);
  expect(http).toEqual(grpc);
});

test('an HTTP API that does not answer: what is wrong and what to do, exit code 1', async () => {
  const closed = await freePort();
  const result = await casebook({ ...overGrpc(), CASEBOOK_TEMPORAL_HTTP_URL: `http://127.0.0.1:${closed}` }, 'status');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`Cannot reach the Temporal server's HTTP API at http://127.0.0.1:${closed} (namespace default).`);
  expect(result.stderr).toMatch(/npm start/);
  const bad = await casebook({ ...overGrpc(), CASEBOOK_TEMPORAL_HTTP_URL: 'temporal:7243' }, 'status');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/CASEBOOK_TEMPORAL_HTTP_URL=temporal:7243 is not an http\(s\) URL/);
});
