/**
 * The review inbox in pages, against a real dev server and a worker with the fast test activities:
 * cases parked in review are listed from visibility, sorted by case id, a few per page
 * (CASEBOOK_REVIEW_PAGE_SIZE); only the shown page's cases are read in full, and the page's poll
 * (/inbox/state) reads none.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { approveUpdate, progressQuery } from '../src/messages';
import { caseWorkflowId } from '../src/names';
import { buildReviewApp } from '../src/review/server';
import { bundle, localEnv, unique } from './helpers/env';
import { fakeActivities, testInput } from './helpers/fakes';
import { waitForPhase, waitUntil } from './helpers/harness';

const taskQueue = unique('review-inbox');
const CASES = ['inbox-a', 'inbox-b', 'inbox-c', 'inbox-d', 'inbox-e'];

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let app: FastifyInstance;
/** The workflows the review app queried (a full read of a case queries it). */
const queried: string[] = [];

async function get(url: string, reviewer?: string): Promise<{ status: number; body: string }> {
  const res = await app.inject({ method: 'GET', url, headers: reviewer ? { cookie: `casebook_as=${reviewer}` } : {} });
  return { status: res.statusCode, body: res.body };
}

/** The case ids the inbox page links to, in order. */
const listedCases = (body: string) => [...body.matchAll(/<a href="\/cases\/([^"]+)">/g)].map((m) => m[1]);
const pagerLinks = (body: string) => [...body.matchAll(/<a href="\/\?page=(\d+)" rel="(prev|next)"/g)].map((m) => `${m[2]}:${m[1]}`);

beforeAll(async () => {
  process.env.CASEBOOK_REVIEW_PAGE_SIZE = '2';
  const [started, workflowBundle] = await Promise.all([localEnv(), bundle()]);
  env = started;
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: fakeActivities().activities });
  running = worker.run();
  // Visibility lists the newest first (e before a): sorting by case id is the app's doing.
  for (const caseId of CASES) {
    await env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseWorkflowId(caseId), args: [testInput(caseId)] });
  }
  for (const caseId of CASES) await waitForPhase(env.client.workflow.getHandle(caseWorkflowId(caseId)), 'review', undefined, 120_000);
  await waitUntil('all cases listed in review', () => env.client.workflow.count('CasePhase = "review"'), (c) => c.count === CASES.length, 60_000);
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace,
    interceptors: {
      workflow: [
        {
          query: (input, next) => {
            queried.push(input.workflowExecution.workflowId);
            return next(input);
          },
        },
      ],
    },
  });
  app = await buildReviewApp({ client, auth: { mode: 'local' } });
}, 300_000); // bundling and a dev server on a shared, busy machine

afterAll(async () => {
  delete process.env.CASEBOOK_REVIEW_PAGE_SIZE;
  await app?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

test('the first page lists the first cases by id, with their details, and reads only those cases', async () => {
  queried.length = 0;
  const { status, body } = await get('/');
  expect(status).toBe(200);
  expect(listedCases(body)).toEqual(['inbox-a', 'inbox-b']);
  expect(body).toContain('5 cases in review, 1–2 shown, sorted by case id.');
  expect(body).toContain('page 1 of 3');
  expect(pagerLinks(body)).toEqual(['next:2']);
  // The details come from reading the case: the QA counts of the fake QA.
  expect(body.match(/\d+ errors, \d+ warnings/g)).toHaveLength(2);
  expect([...new Set(queried)].sort()).toEqual(['case-inbox-a', 'case-inbox-b']);
  expect(body).toContain('data-state-url="/inbox/state?page=1"');
});

test('the middle and last pages link both ways, and a page past the end says how many there are', async () => {
  queried.length = 0;
  const second = await get('/?page=2');
  expect(listedCases(second.body)).toEqual(['inbox-c', 'inbox-d']);
  expect(pagerLinks(second.body)).toEqual(['prev:1', 'next:3']);
  const last = await get('/?page=3');
  expect(listedCases(last.body)).toEqual(['inbox-e']);
  expect(last.body).toContain('5 cases in review, 5–5 shown');
  expect(pagerLinks(last.body)).toEqual(['prev:2']);
  expect([...new Set(queried)].sort()).toEqual(['case-inbox-c', 'case-inbox-d', 'case-inbox-e']);

  const past = await get('/?page=7');
  expect(past.status).toBe(200);
  expect(listedCases(past.body)).toEqual([]);
  expect(past.body).toContain('There is no page 7: the inbox has 3 pages.');
  expect(past.body).toContain('<a href="/?page=3">Go to the last one</a>');
  expect(pagerLinks(past.body)).toEqual(['prev:3']);
});

test('a page that is not a whole number from 1 gets a clear error', async () => {
  for (const page of ['0', 'two', '-1', '1.5']) {
    const res = await get(`/?page=${page}`);
    expect(res.status).toBe(400);
    expect(res.body).toContain(`There is no page “${page}”: a page is a whole number from 1.`);
    const state = await app.inject({ method: 'GET', url: `/inbox/state?page=${page}` });
    expect(state.statusCode).toBe(400);
  }
});

test('a reviewer\'s inbox pages over the cases waiting for them; the poll reads no case and sees the change', async () => {
  const before = await get('/', 'alice');
  expect(listedCases(before.body)).toEqual(['inbox-a', 'inbox-b']);
  const stateBefore = before.body.match(/data-state="([^"]*)"/)![1];
  queried.length = 0;
  const polled = (await app.inject({ method: 'GET', url: '/inbox/state?page=1', headers: { cookie: 'casebook_as=alice' } })).json() as { key: string; total: number };
  expect(polled).toEqual({ key: stateBefore, total: 5 });
  expect(queried).toEqual([]);

  // alice approves inbox-a: it waits no longer for her, so her first page moves on by one case.
  const handle = env.client.workflow.getHandle(caseWorkflowId('inbox-a'));
  const { revision } = await handle.query(progressQuery);
  await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision }] });
  const changed = await waitUntil(
    'alice\'s inbox state to change',
    async () => (await app.inject({ method: 'GET', url: '/inbox/state?page=1', headers: { cookie: 'casebook_as=alice' } })).json() as { key: string; total: number },
    (s) => s.key !== stateBefore,
  );
  expect(changed.total).toBe(4);
  expect(queried).toEqual([]);
  const after = await get('/', 'alice');
  expect(listedCases(after.body)).toEqual(['inbox-b', 'inbox-c']);
  expect(after.body.match(/data-state="([^"]*)"/)![1]).toBe(changed.key);
  expect(after.body).toContain('4 cases in review, 1–2 shown');
  // Everyone's inbox still holds it: bob and carol have not decided.
  expect(listedCases((await get('/', 'bob')).body)).toEqual(['inbox-a', 'inbox-b']);
});
