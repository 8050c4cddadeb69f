/**
 * `npm run bench` (second part) / `npm run bench:review`: the review page's server time, measured
 * with Fastify's inject (no network) against a dev server this script starts:
 * - the case page of a case whose draft is about 100 KB (30 QA findings, a previous revision to diff);
 * - the inbox with 1,000 cases waiting in review.
 * Both are measured cold (nothing cached in the app: history, drafts, rendered HTML) and warm.
 *
 *   npm run bench:review -- [--inbox 1000] [--kb 100] [--json]
 *
 * --json prints one JSON object instead of the table (progress lines go to stderr).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { requireBinary } from '../src/binaries';
import { reviewPageSize } from '../src/config';
import { progressQuery, uploadDraftUpdate } from '../src/messages';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS } from '../src/search-attributes';
import type { CaseActivities } from '../src/domain/activities';
import type { DraftInfo, Finding } from '../src/domain/types';
import { fakeActivities, testInput } from '../test/helpers/fakes';

function parseArgs(argv: string[]): { inbox: number; kb: number; json: boolean } {
  const options = { inbox: 1000, kb: 100, json: false };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--json') {
      options.json = true;
      i--;
    } else if ((argv[i] === '--inbox' || argv[i] === '--kb') && Number.isInteger(value) && value > 0) options[argv[i].slice(2) as 'inbox' | 'kb'] = value;
    else throw new Error(`Unknown or invalid argument ${argv[i]}. Usage: npm run bench:review -- [--inbox N] [--kb K] [--json]`);
  }
  return options;
}

/** A case document of about `kb` KB: sections with cited prose, tables, TypeScript and Mermaid blocks. */
function bigDraft(kb: number, variant: string): string {
  const parts = ['# Bench Corp — 大规模支付编排 (bench)', ''];
  for (let i = 1; Buffer.byteLength(parts.join('\n')) < kb * 1024; i++) {
    parts.push(`## ${i}. 第 ${i} 节`, '');
    for (let p = 0; p < 3; p++) {
      parts.push(`该系统在第 ${i}.${p} 段中处理支付授权、捕获与结算，每一步都是可重试的活动（activity），状态由工作流持久保存。The orchestration keeps every step idempotent and auditable; figures are cited to the collected source[^S1] ${variant}.`, '');
    }
    parts.push('| 指标 | 数值 | 来源 |', '|---|---|---|', `| 吞吐 | ${i * 10} | [^S1] |`, `| 延迟 | ${i} ms | 估算 |`, '');
    if (i % 4 === 0) parts.push('```ts', `export async function step${i}(input: { id: string }): Promise<string> {`, '  return input.id;', '}', '```', '');
    if (i % 8 === 0) parts.push('```mermaid', 'flowchart LR', `  A${i}[授权] --> B${i}[捕获] --> C${i}[结算]`, '```', '');
  }
  parts.push('## 参考来源', '', '[^S1]: Bench annual report, 2025.');
  return parts.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const home = mkdtempSync(path.join(os.tmpdir(), 'casebook-bench-review-'));
  process.env.CASEBOOK_HOME = home;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // Imported after CASEBOOK_HOME is set: the store writes under it.
  const { putArtifact, putJson, revisionOf } = await import('../activities/store');
  const { buildReviewApp } = await import('../src/review/server');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      dbFilename: path.join(home, 'bench.sqlite'),
      searchAttributes: CASEBOOK_SEARCH_ATTRIBUTE_KEYS,
      extraArgs: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'],
    },
  });
  try {
    const { activities: fakes } = fakeActivities();
    const store = async (markdown: string, author: string): Promise<DraftInfo> => ({
      revision: revisionOf(markdown),
      ref: await putArtifact(markdown, 'md'),
      bytes: Buffer.byteLength(markdown),
      author,
      figures: [{ text: '吞吐 10', basis: 'S1', source: { title: 'Bench annual report', date: '2025' }, line: 12 }],
    });
    const findings = (n: number): Finding[] =>
      Array.from({ length: n }, (_, i) => ({ rule: 'MD033', severity: 'warning' as const, line: 5 + i * 97, message: 'Inline HTML', fix: 'use Markdown' }));
    const activities: CaseActivities = {
      ...fakes,
      async collectSources(input) {
        const ref = await putJson({ caseId: input.caseId, sources: [{ id: 'S1', title: 'Bench annual report', location: 'file:x', status: 'ok', date: '2025' }], facts: [], notes: [] });
        return { ref, sources: [{ id: 'S1', title: 'Bench annual report', status: 'ok' }], factCount: 0 };
      },
      // The bench's dossier is its own (the real store), so the fake analysis is given the brief
      // the case was started with, which the fake would otherwise look up under its own dossier ref.
      analyzeCase: (input) => fakes.analyzeCase({ ...input, brief: input.brief ?? testInput(input.caseId).brief }),
      composeDraft: async (input) => store(input.caseId === 'big' ? bigDraft(options.kb, 'v1') : `# ${input.caseId}\n\n## 1. 概述\n\n短稿。\n`, input.author),
      applyDraftUpload: async (input) => store(input.markdown, input.author),
      checkDraft: async (input) => ({ revision: input.revision, errors: 0, warnings: input.caseId === 'big' ? 30 : 1, findings: input.caseId === 'big' ? findings(30) : findings(1), reportRef: 'none.json' }),
      notify: async () => ({ delivered: [] }),
    };
    const taskQueue = 'bench-review';
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('ERROR') });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, maxCachedWorkflows: 2000 });
    await worker.runUntil(async () => {
      const client = env.client;
      const start = (caseId: string) => client.workflow.start('caseWorkflow', { workflowId: `case-${caseId}`, taskQueue, args: [testInput(caseId)] });
      const t0 = Date.now();
      await start('big');
      for (let i = 0; i < options.inbox - 1; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, options.inbox - 1 - i) }, (_, j) => start(`inbox-${String(i + j).padStart(4, '0')}`)));
      }
      const inReview = `WorkflowType = "caseWorkflow" AND CasePhase = "review"`;
      while ((await client.workflow.count(inReview)).count < options.inbox) await new Promise((r) => setTimeout(r, 500));
      (options.json ? console.error : console.log)(`${options.inbox} cases in review after ${Math.round((Date.now() - t0) / 1000)} s`);

      // A second revision of the big draft, so the case page has a diff to show.
      const big = client.workflow.getHandle('case-big');
      const first = (await big.query(progressQuery)).revision;
      await big.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: bigDraft(options.kb, 'v2') }] });
      while ((await big.query(progressQuery)).revision === first || (await big.query(progressQuery)).phase !== 'review') await new Promise((r) => setTimeout(r, 200));
      while ((await client.workflow.count(inReview)).count < options.inbox) await new Promise((r) => setTimeout(r, 500));

      const time = async (app: Awaited<ReturnType<typeof buildReviewApp>>, url: string): Promise<number> => {
        const s = process.hrtime.bigint();
        const res = await app.inject({ method: 'GET', url, headers: { cookie: 'casebook_as=alice' } });
        const ms = Number(process.hrtime.bigint() - s) / 1e6;
        if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
        return ms;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      // gapMs: the inbox shares one visibility listing among requests within a second (open pages
      // poll); a gap longer than that makes each warm run list again, as a reviewer's next visit would.
      const measure = async (url: string, warmRuns: number, gapMs = 0) => {
        const app = await buildReviewApp({ client, auth: { mode: 'local' } });
        const cold = await time(app, url);
        const warm: number[] = [];
        for (let i = 0; i < warmRuns; i++) {
          if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
          warm.push(await time(app, url));
        }
        await app.close();
        return { cold, warm: median(warm), max: Math.max(...warm) };
      };
      const page = await measure('/cases/big', 20);
      const inbox = await measure('/', 10, 1100);
      const lastPage = Math.max(1, Math.ceil(options.inbox / reviewPageSize()));
      const deep = await measure(`/?page=${lastPage}`, 10, 1100);
      const state = await measure('/inbox/state?page=1', 10, 1100);
      const bytes = Buffer.byteLength(bigDraft(options.kb, 'v2'));
      if (options.json) {
        const ms = (x: number) => Math.round(x);
        console.log(
          JSON.stringify({
            draftKb: Math.round(bytes / 1024),
            casePageColdMs: ms(page.cold),
            casePageWarmMedianMs: ms(page.warm),
            casePageWarmMaxMs: ms(page.max),
            inbox: options.inbox,
            inboxColdMs: ms(inbox.cold),
            inboxWarmMedianMs: ms(inbox.warm),
            inboxWarmMaxMs: ms(inbox.max),
            inboxPageSize: reviewPageSize(),
            inboxLastPageColdMs: ms(deep.cold),
            inboxLastPageWarmMedianMs: ms(deep.warm),
            inboxStateWarmMedianMs: ms(state.warm),
          }),
        );
        return;
      }
      const table = new Table({ head: ['review page (server time, inject)', 'cold (ms)', 'warm median (ms)', 'warm max (ms)', 'target'] });
      table.push([`case page, ${Math.round(bytes / 1024)} KB draft, 30 findings, diff`, page.cold.toFixed(0), page.warm.toFixed(0), page.max.toFixed(0), '≤ 300 ms']);
      table.push([`inbox, ${options.inbox} cases in review, page 1 (${reviewPageSize()} rows)`, inbox.cold.toFixed(0), inbox.warm.toFixed(0), inbox.max.toFixed(0), '≤ 500 ms']);
      table.push([`inbox, page ${lastPage}`, deep.cold.toFixed(0), deep.warm.toFixed(0), deep.max.toFixed(0), '']);
      table.push(['inbox poll (/inbox/state)', state.cold.toFixed(0), state.warm.toFixed(0), state.max.toFixed(0), '']);
      console.log(table.toString());
      console.log('cold = a fresh app (the case page reads the case: queries, history, store, render; the inbox lists from visibility and reads the shown page\'s cases); warm = what it keeps (content-addressed drafts and HTML, per-revision inbox details), listing again each time.');
    });
  } finally {
    await env.teardown();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
