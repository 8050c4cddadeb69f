/**
 * The review page in a real browser (Debian's Chromium driven by playwright-core), against a real
 * dev server and a worker with the real activities: reviewers read the rendered draft, its QA
 * findings and cited sources, and decide through the workflow's updates.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Browser, type Page, chromium } from 'playwright-core';
import { caseInput, startCase } from '../src/cases';
import { defaultPlanFile, projectRoot, templateFile } from '../src/config';
import { progressQuery, uploadDraftUpdate, type CaseProgress } from '../src/messages';
import { caseWorkflowId } from '../src/names';
import { loadPlan } from '../src/plan';
import { parseTokens } from '../src/review/auth';
import { CaseReader } from '../src/review/case-data';
import { workerStore } from '../src/review/drafts';
import { type RunningReviewServer, startReviewServer } from '../src/review/server';
import { bundle, localEnv, startRealWorker, unique } from './helpers/env';
import { waitForProgress } from './helpers/harness';
import { type CommandResult, runCasebook } from './helpers/processes';
import { uploadWrittenDraft } from './helpers/writer';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-review-'));
const taskQueue = unique('review');
process.env.CASEBOOK_HOME = path.join(tmp, 'home');
process.env.CASEBOOK_LIBRARY_DIR = path.join(tmp, 'library');
process.env.CASEBOOK_TASK_QUEUE = taskQueue;
const ARTIFACTS = path.join(projectRoot, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let env: TestWorkflowEnvironment;
let worker: { stop: () => Promise<void> } | undefined;
let server: RunningReviewServer;
let browser: Browser;

/** The casebook CLI as a separate process (output piped, so no colour). */
function casebook(...args: string[]): Promise<CommandResult> {
  return runCasebook(args, { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', CASEBOOK_REVIEW_URL: server.url });
}

/** The writer who uploads the hand-written drafts. */
const WRITER = 'frank';

const handleOf = (caseId: string) => env.client.workflow.getHandle(caseWorkflowId(caseId));

async function progressOf(caseId: string): Promise<CaseProgress> {
  return handleOf(caseId).query(progressQuery);
}

/** Waits until the case is in review at a revision other than `not`. */
function inReview(caseId: string, not?: string): Promise<CaseProgress> {
  return waitForProgress(handleOf(caseId), 'review at a new revision', (p) => p.phase === 'review' && !!p.revision && p.revision !== not, 150_000);
}

async function currentMarkdown(caseId: string): Promise<string> {
  const reader = new CaseReader(env.client, workerStore);
  return (await reader.markdown(await reader.snapshot(caseId))).markdown;
}

/** The document with one more paragraph at the end of its first section. */
function withParagraph(markdown: string, paragraph: string): string {
  const at = markdown.indexOf('\n## ', markdown.indexOf('\n## ') + 1);
  return `${markdown.slice(0, at)}\n${paragraph}\n${markdown.slice(at)}`;
}

/** A writer's upload: the current draft with one more paragraph in its first section. */
async function uploadWith(caseId: string, paragraph: string): Promise<string> {
  const changed = withParagraph(await currentMarkdown(caseId), paragraph);
  const info = await handleOf(caseId).executeUpdate(uploadDraftUpdate, { args: [{ author: WRITER, markdown: changed }] });
  return info.revision;
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  return context.newPage();
}

async function pickName(page: Page, name: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.fill('input[name=reviewer]', name);
  await page.click('form.pick button');
  await page.waitForURL(`${server.url}/`);
}

/** A new page on the case as `reviewer`, the decision form filled with `comment`; and the revision shown. */
async function decisionForm(reviewer: string, caseId: string, comment: string): Promise<{ page: Page; revision: string }> {
  const page = await newPage();
  await pickName(page, reviewer);
  await page.goto(`${server.url}/cases/${caseId}`);
  const revision = await page.locator('#revision').innerText();
  await page.selectOption('select[name=reviewer]', reviewer);
  await page.fill('textarea[name=comment]', comment);
  return { page, revision };
}

beforeAll(async () => {
  const [testEnv, workflowBundle] = await Promise.all([localEnv(), bundle()]);
  env = testEnv;
  worker = await startRealWorker(env, taskQueue, workflowBundle);
  const plan = await loadPlan(defaultPlanFile());
  for (const id of ['square', 'blizzard']) {
    const brief = plan.cases.find((c) => c.id === id)!;
    await startCase(env.client, caseInput(plan, brief, { planFile: defaultPlanFile(), templateFile: templateFile() }));
  }
  server = await startReviewServer({ client: env.client, host: '127.0.0.1', port: 0, auth: { mode: 'local' }, pollMs: 500 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // The composer leaves the prose to a writer: each case waits in drafting for the written draft.
  await Promise.all(['square', 'blizzard'].map((id) => uploadWrittenDraft(handleOf(id), id, 'v15.0', WRITER)));
  const first = await inReview('square');
  await inReview('blizzard');
  // A writer adds a paragraph with a script and an event handler to square's draft: QA warns
  // about the inline HTML (a finding for the reviewers), and the page must render it inert.
  await uploadWith('square', 'Inline markup test: <script>window.__xss = "script"</script><img src="x" onerror="window.__xss = \'onerror\'"> done.');
  await inReview('square', first.revision);
}, 600_000); // the real pipeline for two cases and an upload, on a busy machine

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await worker?.stop();
  await env?.teardown();
  rmSync(tmp, { recursive: true, force: true });
});

test('a draft containing <script> and onerror= renders inert', async () => {
  const page = await newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${server.url}/cases/square`);
  await page.waitForSelector('#draft h2');
  await expect(page.locator('#draft')).toBeDefined();
  expect(await page.locator('#draft').innerText()).toContain('Inline markup test:');
  expect(await page.locator('#draft script').count()).toBe(0);
  expect(await page.locator('#draft [onerror]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  // The markup is shown as the text it is, so the reviewer sees what the writer put in.
  expect(await page.locator('#draft').innerText()).toContain('<script>window.__xss = "script"</script>');
  const html = await page.locator('#draft').innerHTML();
  expect(html).not.toMatch(/<script|<img[^>]*onerror/i);
  expect(dialogs).toEqual([]);
  await page.context().close();
});

test('alice opens her inbox, opens a case, reads the draft, a QA finding and a source, and approves', async () => {
  const page = await newPage();
  await pickName(page, 'alice');
  const row = page.locator('#inbox tr', { hasText: 'Square' });
  await row.waitFor();
  expect(await row.innerText()).toMatch(/warnings/);
  await row.locator('a').click();
  await page.waitForURL(`${server.url}/cases/square`);

  // The rendered draft: the company, the template's sections, a table, a highlighted code block, a drawn diagram.
  expect(await page.locator('h1').first().innerText()).toContain('Square');
  expect(await page.locator('#draft h2').count()).toBeGreaterThanOrEqual(7);
  expect(await page.locator('#draft table').count()).toBeGreaterThan(0);
  expect(await page.locator('#draft code.hljs').count()).toBeGreaterThan(0);
  await page.locator('#draft pre.mermaid svg').first().waitFor({ timeout: 30_000 });

  // A QA finding beside its line: the inline HTML the writer added.
  const finding = page.locator('#draft aside.finding', { hasText: 'MD033' }).first();
  await finding.waitFor();
  expect(await finding.innerText()).toMatch(/line \d+/);

  // A cited figure linked to its source, with the source's title, date and the backing sentence.
  const figure = page.locator('#figures li.figure', { has: page.locator('.source') }).first();
  await figure.waitFor();
  expect(await figure.locator('.source').innerText()).not.toBe('');
  expect(await figure.locator('blockquote.excerpt').count()).toBe(1);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'review-case-page.png'), fullPage: false });

  const revision = await page.locator('#revision').innerText();
  await page.selectOption('select[name=reviewer]', 'alice');
  await page.fill('textarea[name=comment]', 'Sources check out');
  await page.click('button[value=approve]');
  await page.locator('#message').waitFor();
  expect(await page.locator('#message').innerText()).toContain(`Approval of revision ${revision} recorded`);
  const result = await handleOf('square').result();
  expect(result).toEqual(expect.objectContaining({ phase: 'published', revision, approvals: ['alice'] }));
  await page.context().close();
}, 300_000);

test('bob requests changes back to writing, and the new revision shows the diff without a reload', async () => {
  const { page, revision: before } = await decisionForm('bob', 'blizzard', 'Cite the concurrent-player figure');
  await page.selectOption('select[name=backTo]', 'writing');
  await page.click('button[value=requestChanges]');
  await page.locator('#message').waitFor();
  expect(await page.locator('#message').innerText()).toContain(`Change request on revision ${before} recorded`);

  // The composer's new skeleton waits in drafting for the writer, who answers the change request
  // through the CLI (which runs QA on the upload for the writer).
  await waitForProgress(handleOf('blizzard'), 'drafting after the change request', (p) => p.phase === 'drafting', 300_000);
  const answer = path.join(tmp, 'blizzard-answer.md');
  const written = readFileSync(path.join(projectRoot, 'drafts', 'v15.0', 'blizzard.md'), 'utf8');
  writeFileSync(answer, withParagraph(written, 'Answering bob ("Cite the concurrent-player figure"): the figure now carries its source.'));
  const uploaded = await casebook('draft', 'upload', 'blizzard', answer, '--author', WRITER);
  expect({ code: uploaded.code, stderr: uploaded.stderr }).toEqual({ code: 0, stderr: '' });
  expect(uploaded.stdout).toMatch(/Uploaded: blizzard is now at revision/);

  // The page follows the case by itself until the next revision is in review.
  await page.waitForFunction((old) => {
    const rev = document.querySelector('#revision')?.textContent;
    return rev && rev !== old && document.querySelector('#decide form');
  }, before, { timeout: 240_000, polling: 500 });
  const diff = page.locator('#diff');
  expect(await diff.locator('h2').innerText()).toContain("since bob's last decision");
  expect(await diff.locator('tr.add').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('Cite the concurrent-player figure')]));
  await page.context().close();
}, 300_000);

test('the CLI prints the draft, the diff since bob\'s decision, and the review page link', async () => {
  const markdown = await currentMarkdown('blizzard');
  const shown = await casebook('show', 'blizzard', '--json');
  expect(shown.code).toBe(0);
  const reviewUrl = JSON.parse(shown.stdout).reviewUrl as string;
  expect(reviewUrl).toBe(`${server.url}/cases/blizzard`);
  // The Temporal Web UI shows the link in the case workflow's details.
  const details = await (await handleOf('blizzard').describe()).staticDetails();
  expect(details).toMatch(/Review page: \[http:\/\/[^\]]+\/cases\/blizzard\]/);
  const page = await fetch(reviewUrl);
  expect(await page.text()).toMatch(/Blizzard[\s\S]*<h2[^>]*>1\. [\s\S]*name="decision" value="approve"/);

  const text = await casebook('draft', 'show', 'blizzard');
  expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
  expect(text.stdout).toBe(`${markdown.replace(/\n$/, '')}\n`);
  const json = JSON.parse((await casebook('draft', 'show', 'blizzard', '--json')).stdout);
  expect(json).toEqual(expect.objectContaining({ caseId: 'blizzard', revision: (await progressOf('blizzard')).revision, author: WRITER, markdown, current: true }));
  expect(json.qa).toEqual(expect.objectContaining({ errors: 0 }));

  const diff = await casebook('diff', 'blizzard', '--reviewer', 'bob');
  expect(diff.code).toBe(0);
  expect(diff.stdout).toMatch(/^\+.*Cite the concurrent-player figure/m);
  expect(diff.stdout).not.toContain('\u001b[');

  const missing = await casebook('draft', 'show', 'blizzard', '--revision', '0123456789ab');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/blizzard has no revision "0123456789ab"[\s\S]*Its revisions: /);
}, 300_000);

test('a decision on a stale revision shows the validator\'s message', async () => {
  const { page, revision: shown } = await decisionForm('alice', 'blizzard', 'Reads well');
  const next = await uploadWith('blizzard', 'A writer adds one more paragraph while alice reads.');
  await inReview('blizzard', shown);
  await page.locator('#stale-banner').waitFor({ state: 'visible', timeout: 30_000 });
  await page.click('button[value=approve]');
  const message = page.locator('#message');
  await message.waitFor();
  expect(await message.innerText()).toContain(`Revision ${shown} is stale: the current revision is ${next}`);
  expect((await progressOf('blizzard')).reviewers.find((r) => r.name === 'alice')?.approved).toBe(false);
  await page.context().close();
}, 300_000);

test('with tokens configured, a request without a valid token gets 401 and no draft text', async () => {
  const secured = await startReviewServer({
    client: env.client,
    host: '127.0.0.1',
    port: 0,
    auth: { mode: 'tokens', tokens: parseTokens('alice=alice-token-0123456789,bob=bob-token-0123456789', 'test') },
  });
  try {
    const draftLine = (await currentMarkdown('blizzard')).split('\n').find((l) => l.startsWith('## '))!;
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { accept: 'text/html' }];
    for (const headers of attempts) {
      const res = await fetch(`${secured.url}/cases/blizzard`, { headers });
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(body).not.toContain(draftLine.slice(3));
      expect(body).not.toContain('Blizzard');
    }
    expect((await fetch(`${secured.url}/`)).status).toBe(401);
    expect((await fetch(`${secured.url}/cases/blizzard/state`)).status).toBe(401);
    const ok = await fetch(`${secured.url}/cases/blizzard`, { headers: { authorization: 'Bearer bob-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(draftLine.slice(3));

    // A form posted without its CSRF token changes nothing.
    const forged = await fetch(`${secured.url}/cases/blizzard/decision`, {
      method: 'POST',
      headers: { authorization: 'Bearer bob-token-0123456789', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(forged.status).toBe(403);
    expect((await progressOf('blizzard')).reviewers.find((r) => r.name === 'bob')?.approved).toBe(false);
  } finally {
    await secured.close();
  }
});

test('behind an SSO proxy, the trusted header names the reviewer and nothing is served without it', async () => {
  const proxied = await startReviewServer({ client: env.client, host: '127.0.0.1', port: 0, auth: { mode: 'header', header: 'x-forwarded-user' } });
  try {
    const denied = await fetch(`${proxied.url}/cases/blizzard`);
    expect(denied.status).toBe(401);
    expect(await denied.text()).not.toContain('Blizzard');
    const page = await fetch(`${proxied.url}/cases/blizzard`, { headers: { 'x-forwarded-user': 'carol' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Deciding as <strong>carol</strong>');
  } finally {
    await proxied.close();
  }
});
