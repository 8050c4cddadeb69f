/**
 * The bad-input matrix: every kind of wrong input gets a clear error (plan loader, CLI, source
 * collection) or an audited rejection (signals, updates), and a case that received it keeps running
 * and still publishes with nothing lost.
 */
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { collectSources } from '../activities/sources';
import { requireBinary } from '../src/binaries';
import { run } from '../src/cli/main';
import type { DossierSummary, SourceRef } from '../src/domain/types';
import {
  type AuditEntry,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  progressQuery,
  requestChangesUpdate,
  resumeUpdate,
  uploadDraftUpdate,
} from '../src/messages';
import { PlanError, loadPlan } from '../src/plan';
import { caseWorkflowId } from '../src/names';
import { localEnv, unique } from './helpers/env';
import { fakeActivities, testBrief, testInput } from './helpers/fakes';
import { type CaseHandle, bundleOnce, expectUpdateRejected, isIdle, startCase, waitForPhase, waitUntil } from './helpers/harness';

const execFileP = promisify(execFile);
const savedEnv = { ...process.env };
let tmp: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-bad-input-'));
});

afterAll(async () => {
  process.env = savedEnv;
  await fs.rm(tmp, { recursive: true, force: true });
});

// ---- plan files ----------------------------------------------------------------------------------

const MINIMAL_PLAN = readFileSync(path.join(__dirname, 'fixtures', 'plan', 'minimal-plan.yaml'), 'utf8');

interface PlanRow {
  name: string;
  edit: (text: string) => string;
  field: string;
  message: RegExp;
  fix: RegExp;
}

const PLAN_ROWS: PlanRow[] = [
  {
    name: 'a YAML syntax error',
    edit: (t) => t.replace('quorum: { count: 2 }\n    backup', 'quorum: { count: 2\n    backup'),
    field: '(yaml)',
    message: /YAML syntax error/,
    fix: /correct the YAML syntax/,
  },
  {
    name: 'tab indentation',
    edit: (t) => t.replace('version: v0.1', 'version:\tv0.1\n\tbad: ['),
    field: '(yaml)',
    message: /Tabs are not allowed/,
    fix: /indentation/,
  },
  { name: 'an empty file', edit: () => '', field: '(document)', message: /must be a YAML mapping/, fix: /version: v15.0/ },
  { name: 'a missing version', edit: (t) => t.replace('version: v0.1\n', ''), field: 'version', message: /is missing/, fix: /version:/ },
  {
    name: 'a duplicate case id',
    edit: (t) => t + t.slice(t.indexOf('  - id: demo')),
    field: 'cases[1].id',
    message: /"demo" is used by cases\[0\] too/,
    fix: /unique id/,
  },
  {
    name: 'a path-traversal case id',
    edit: (t) => t.replace('  - id: demo', '  - id: ../Demo'),
    field: 'cases[0].id',
    message: /lowercase letters, digits and dashes/,
    fix: /id: square/,
  },
  {
    name: 'a quorum larger than the roster',
    edit: (t) => t.replace('    review:\n      quorum: { count: 2 }', '    review:\n      quorum: { count: 9 }'),
    field: 'cases[0].review.quorum.count',
    message: /asks for 9 approvals .* 3 reviewers/,
    fix: /lower quorum.count to 3/,
  },
  {
    name: 'an undeclared industry',
    edit: (t) => t.replace('    industry: fintech\n    title', '    industry: space\n    title'),
    field: 'cases[0].industry',
    message: /"space" is not declared/,
    fix: /use one of: fintech/,
  },
  {
    name: 'a source path that leaves the plan folder',
    edit: (t) => t.replace('file:sources/demo/S1.md', 'file:../../etc/passwd'),
    field: 'cases[0].sources[0].location',
    message: /points outside the plan folder/,
    fix: /without ".."/,
  },
  {
    name: 'an ftp source',
    edit: (t) => t.replace('https://example.com/demo', 'ftp://example.com/demo'),
    field: 'cases[0].sources[1].location',
    message: /neither a file: path nor an http\(s\) URL/,
    fix: /https:\/\/ URL/,
  },
  {
    name: 'a review duration that is not a duration',
    edit: (t) => t.replace('remindAfter: 2 days', 'remindAfter: soonish'),
    field: 'defaults.review.remindAfter',
    message: /"soonish" is not a duration/,
    fix: /2 days/,
  },
  {
    name: 'an author who is also a reviewer',
    edit: (t) => t.replace('author: erin', 'author: alice'),
    field: 'defaults.author',
    message: /"alice" is also a reviewer/,
    fix: /may not approve their own draft/,
  },
];

describe('plan files', () => {
  test('the unedited minimal plan loads (the rows below fail because of their edit)', async () => {
    const file = await writePlan((t) => t);
    await expect(loadPlan(file)).resolves.toMatchObject({ version: 'v0.1' });
  });

  test.each(PLAN_ROWS)('$name is refused, naming the field and the fix', async (row) => {
    const file = await writePlan(row.edit);
    const err = await loadPlan(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlanError);
    const issue = (err as PlanError).issues.find((i) => i.field === row.field);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(row.message);
    expect(issue!.fix).toMatch(row.fix);
    expect((err as PlanError).message).toContain(`fix: ${issue!.fix}`);
  });
});

async function writePlan(edit: (text: string) => string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmp, 'plan-'));
  await fs.mkdir(path.join(dir, 'sources', 'demo'), { recursive: true });
  await fs.writeFile(path.join(dir, 'sources', 'demo', 'S1.md'), '# Demo notes\n');
  const file = path.join(dir, 'plan.yaml');
  await fs.writeFile(file, edit(MINIMAL_PLAN));
  return file;
}

// ---- sources ---------------------------------------------------------------------------------------

describe('sources', () => {
  const MAX_BYTES = 4096;
  let server: http.Server;
  let port: number;
  let planFile: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/plain' }).end('The queue drains 900 messages per second.');
      else if (req.url === '/huge') res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(MAX_BYTES * 4, 'a'));
      else if (req.url === '/binary') res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff]));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const dir = path.join(tmp, 'sources-plan');
    await fs.mkdir(path.join(dir, 'sources'), { recursive: true });
    await fs.writeFile(path.join(dir, 'sources', 'ok.md'), '# Notes\n\nPlain text.\n');
    await fs.writeFile(path.join(dir, 'sources', 'blob.md'), Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    await fs.writeFile(path.join(dir, 'sources', 'big.md'), Buffer.alloc(MAX_BYTES * 2, 'b'));
    await fs.writeFile(path.join(dir, 'sources', 'tool.exe'), 'MZ');
    planFile = path.join(dir, 'plan.yaml');
    await fs.writeFile(planFile, 'version: v0\n');
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    process.env = {
      ...savedEnv,
      CASEBOOK_HOME: path.join(tmp, 'home'),
      CASEBOOK_FETCH_TIMEOUT_MS: '2000',
      CASEBOOK_FETCH_MAX_BYTES: String(MAX_BYTES),
      CASEBOOK_FETCH_ATTEMPTS: '1',
    };
    delete process.env.CASEBOOK_SOURCE_ALLOW;
    delete process.env.CASEBOOK_SOURCE_HOSTS;
  });

  async function collect(location: string | (() => string), allow?: string) {
    if (allow) process.env.CASEBOOK_SOURCE_ALLOW = allow;
    const source: SourceRef = { id: 'S1', title: 'a source', location: typeof location === 'function' ? location() : location };
    const summary: DossierSummary = await new MockActivityEnvironment().run(collectSources, { caseId: 'bad-input', planFile, sources: [source], notes: [] });
    return summary.sources[0];
  }

  const REJECTED: [string, string | (() => string), RegExp, string?][] = [
    ['an ftp URL', 'ftp://example.com/report.txt', /scheme ftp: is not allowed/],
    ['a file:// URL', 'file:///etc/passwd', /scheme file: is not allowed/],
    ['a javascript: URL', 'javascript:alert(1)', /scheme javascript: is not allowed/],
    ['a data: URL', 'data:text/plain,hello', /scheme data: is not allowed/],
    ['a URL with credentials', 'https://user:secret@example.com/', /credentials are not allowed/],
    ['a loopback IPv4 target', () => `http://127.0.0.1:${port}/page`, /loopback, private or reserved/],
    ['localhost', () => `http://localhost:${port}/page`, /loopback, private or reserved/],
    ['a loopback IPv6 target', () => `http://[::1]:${port}/page`, /loopback, private or reserved/],
    ['a private 10/8 target', 'http://10.1.2.3/report', /loopback, private or reserved/],
    ['a private 192.168/16 target', 'http://192.168.0.1/admin', /loopback, private or reserved/],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /loopback, private or reserved/],
    ['the unspecified address', 'http://0.0.0.0/', /loopback, private or reserved/],
    ['a relative path that leaves the plan folder', 'file:../../../etc/passwd', /leaves the plan folder/],
    ['an absolute file path', 'file:/etc/passwd', /relative path inside the plan folder/],
    ['a local file that is not text', 'file:sources/tool.exe', /file type \.exe is not supported/],
    ['a local binary file', 'file:sources/blob.md', /binary/],
    ['an oversized local file', 'file:sources/big.md', /over the limit of 4096 bytes/],
    ['an oversized download', () => `http://127.0.0.1:${port}/huge`, /larger than the limit of 4096 bytes/, '127.0.0.1'],
    ['a binary download', () => `http://127.0.0.1:${port}/binary`, /binary/, '127.0.0.1'],
  ];

  // A rest parameter: jest would take a fourth named parameter for a `done` callback on 3-element rows.
  test.each(REJECTED)('%s is rejected with the reason, and the case goes on', async (...row) => {
    const [, location, reason, allow] = row;
    const collected = await collect(location, allow);
    expect(collected.status).toBe('rejected');
    expect(collected.error).toMatch(reason);
  });

  test('a loopback target is fetched once the host is allow-listed', async () => {
    expect(await collect(`http://127.0.0.1:${port}/page`, '127.0.0.1')).toMatchObject({ status: 'ok' });
  });

  test('a text file inside the plan folder is read', async () => {
    expect(await collect('file:sources/ok.md')).toMatchObject({ status: 'ok' });
  });
});

// ---- the CLI -------------------------------------------------------------------------------------

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  const out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await run(['node', 'casebook', ...argv]);
    return { code, stderr: lines.join('\n') };
  } finally {
    spy.mockRestore();
    out.mockRestore();
    write.mockRestore();
  }
}

describe('case ids given to `casebook start` are checked before anything talks to the server', () => {
  beforeEach(() => {
    // Nothing listens here: a command that reached for the server would fail with exit code 1.
    process.env = { ...savedEnv, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  });

  test.each([
    ['a path-traversal id', '../../etc/passwd', /"\.\.\/\.\.\/etc\/passwd" is not a case id/],
    ['an id with a slash', 'square/../paypal', /is not a case id/],
    ['an id with capitals', 'Square', /"Square" is not a case id/],
    ['an id with a space', 'epic games', /is not a case id/],
    ['an id that is not in the plan', 'nosuch', /the plan has no case "nosuch"/],
  ])('%s: exit code 2 and a clear message', async (_name, id, message) => {
    const { code, stderr } = await cli(['start', id]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/Cannot reach the Temporal server/);
  });
});

// ---- messages to a running case ----------------------------------------------------------------

describe('messages to a running case', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let workerRun: Promise<void>;
  let handle: CaseHandle;
  let openGate: () => void;
  let controls: ReturnType<typeof fakeActivities>['controls'];
  let revision: string;
  const caseId = unique('bad');
  const workflowId = caseWorkflowId(caseId);

  beforeAll(async () => {
    process.env = { ...savedEnv };
    const [e, workflowBundle] = await Promise.all([localEnv(), bundleOnce()]);
    env = e;
    const taskQueue = unique('tq');
    const fakes = fakeActivities();
    controls = fakes.controls;
    // Research waits for the gate, so the case is reliably outside review for the wrong-phase rows.
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const collect = fakes.activities.collectSources;
    fakes.activities.collectSources = async (input) => {
      await gate;
      return collect(input);
    };
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: fakes.activities });
    workerRun = worker.run();
    // carol writes the draft, so she is on the roster but may not approve it.
    handle = await startCase(env.client, taskQueue, testInput(caseId, testBrief({ id: caseId, author: 'carol' })));
  });

  afterAll(async () => {
    openGate?.();
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await env?.teardown();
  });

  /** History length once the case is idle: no activity or workflow task pending, and two reads agree. */
  async function settledHistoryLength(): Promise<number> {
    let length = -1;
    await waitUntil('an idle history', async () => {
      const idle = await isIdle(handle);
      const events = (await handle.fetchHistory()).events ?? [];
      const stable = idle && events.length === length;
      length = events.length;
      return stable;
    }, (ok) => ok, 20_000);
    return length;
  }

  async function audit(): Promise<AuditEntry[]> {
    return handle.query(auditTrailQuery);
  }

  test('a decision in the wrong phase is refused (update) or audited as rejected (signal)', async () => {
    await waitForPhase(handle, 'research', () => controls.calls.length === 0, 20_000);
    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] }))).toMatch(
      /phase "research", not in review/,
    );
    await handle.signal(approveSignal, { reviewer: 'alice' });
    await waitUntil('the rejected signal', async () => (await audit()).some((a) => a.action === 'approve rejected'), (ok) => ok, 20_000);
    expect((await audit()).find((a) => a.action === 'approve rejected')?.detail).toMatch(/not in review/);

    openGate();
    await waitForPhase(handle, 'review', undefined, 20_000);
    revision = (await handle.query(progressQuery)).revision!;
    expect((await handle.query(progressQuery)).reviewers.filter((r) => r.approved)).toEqual([]);
  });

  const SIGNALS: [string, string, RegExp][] = [
    ['approve', '{"reviewer": 5}', /names no reviewer/],
    ['approve', '{}', /names no reviewer/],
    ['approve', '[]', /names no reviewer/],
    ['approve', '"text"', /names no reviewer/],
    ['approve', 'null', /names no reviewer/],
    ['approve', '{"reviewer":"alice","revision":7}', /"revision" must be a string/],
    ['approve', '{"reviewer":"mallory"}', /Unknown reviewer "mallory"/],
    ['approve', '{"reviewer":"carol"}', /carol wrote revision .* cannot review it/],
    ['approve', '{"reviewer":"alice","revision":"deadbeef0000"}', /stale/],
    ['requestChanges', '{"reviewer":"alice"}', /needs a comment/],
    ['requestChanges', '{"reviewer":"alice","comment":"x","backTo":"publish"}', /"backTo" must be one of/],
    ['addNote', '{"text":"no author"}', /needs an author/],
    ['addNote', `{"author":"frank","text":"${'x'.repeat(20_001)}"}`, /20001 characters; keep notes under 20000/],
    ['addNote', '{"author":"frank","text":"see","url":"javascript:alert(1)"}', /"url" must be an http\(s\) URL/],
    ['resume', '{"by":"dave"}', /not waiting for attention/],
  ];

  test.each(SIGNALS)('`temporal workflow signal --name %s --input %s` is audited as rejected; the case stays in review', async (name, input, reason) => {
    expect(revision).toBeDefined();
    const before = (await audit()).length;
    await execFileP(requireBinary('cli'), [
      'workflow', 'signal', '--address', env.address, '--namespace', 'default', '--workflow-id', workflowId, '--name', name, '--input', input,
    ]);
    await waitUntil('the audit entry', async () => (await audit()).length > before, (ok) => ok, 20_000);
    const added = (await audit()).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ accepted: false, via: 'signal' });
    expect(added[0].action).toMatch(/rejected$/);
    expect(added[0].detail).toMatch(reason);
    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('review');
    expect(progress.revision).toBe(revision);
  });

  test('input that is not JSON is refused by the temporal CLI and never reaches the case', async () => {
    const before = await settledHistoryLength();
    const failure = await execFileP(requireBinary('cli'), [
      'workflow', 'signal', '--address', env.address, '--namespace', 'default', '--workflow-id', workflowId, '--name', 'approve', '--input', '{reviewer:',
    ]).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toMatch(/json|invalid/i);
    expect(await settledHistoryLength()).toBe(before);
  });

  const UPDATES: [string, (h: typeof handle) => Promise<unknown>, RegExp][] = [
    ['an unknown reviewer', (h) => h.executeUpdate(approveUpdate, { args: [{ reviewer: 'mallory' }] }), /Unknown reviewer "mallory"/],
    ['the backup before escalation', (h) => h.executeUpdate(approveUpdate, { args: [{ reviewer: 'dave' }] }), /backup reviewer/],
    ['the author approving', (h) => h.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol' }] }), /carol wrote revision .* cannot review it/],
    ['a stale revision', (h) => h.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: 'deadbeef0000' }] }), /Revision deadbeef0000 is stale/],
    [
      'an oversized approval comment',
      (h) => h.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', comment: 'y'.repeat(10_001) }] }),
      /under 10000 characters/,
    ],
    [
      'an oversized change request',
      (h) => h.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'alice', comment: 'z'.repeat(10_001) }] }),
      /10001 characters; keep it under 10000/,
    ],
    ['a change request without comment', (h) => h.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'alice', comment: ' ' }] }), /needs a comment/],
    ['a resume outside attention', (h) => h.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] }), /not waiting for attention/],
    ['an empty draft upload', (h) => h.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: '  ' }] }), /draft is empty/],
    ['an upload without author', (h) => h.executeUpdate(uploadDraftUpdate, { args: [{ markdown: '# x' } as never] }), /needs an author/],
  ];

  test.each(UPDATES)('an update with %s is rejected and leaves the history unchanged', async (_name, send, reason) => {
    const before = await settledHistoryLength();
    expect(await expectUpdateRejected(send(handle))).toMatch(reason);
    expect(await settledHistoryLength()).toBe(before);
  });

  test('a duplicate approval is rejected; the first one stands', async () => {
    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision }] });
    const before = await settledHistoryLength();
    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision }] }))).toMatch(/already approved/);
    expect(await settledHistoryLength()).toBe(before);
    const progress = await handle.query(progressQuery);
    expect(progress.reviewers.filter((r) => r.approved).map((r) => r.name)).toEqual(['alice']);
  });

  test('after all of that the case still publishes, once, with the audit trail intact', async () => {
    const result = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob', revision }] });
    expect(result.quorumMet).toBe(true);
    const done = await handle.result();
    expect(done).toMatchObject({ phase: 'published', revision });
    expect(done.approvals.sort()).toEqual(['alice', 'bob']);
    expect(controls.calls.filter((c) => c.name === 'publishCase')).toHaveLength(1);
    const trail = await audit();
    const rejected = trail.filter((a) => !a.accepted);
    // One for the wrong-phase signal and one per malformed signal; rejected updates leave no trace.
    expect(rejected).toHaveLength(1 + SIGNALS.length);
    expect(trail.filter((a) => a.accepted && a.action === 'approve').map((a) => a.actor)).toEqual(['alice', 'bob']);
  });
});
