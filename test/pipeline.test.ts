/**
 * The whole pipeline with the real activities: every planned case of v15.0 runs from research to a
 * published document on a real dev server, approved partly by updates and partly by signals sent
 * with the Temporal CLI (as a reviewer without casebook's CLI would).
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { requireBinary } from '../src/binaries';
import { caseInput } from '../src/cases';
import { defaultPlanFile, templateFile } from '../src/config';
import { approveUpdate, progressQuery, reviewPacketQuery, uploadDraftUpdate } from '../src/messages';
import { loadPlan } from '../src/plan';
import { runQa } from '../src/qa';
import { unique } from './helpers/env';
import { type CaseHandle, startCase, useRealWorker, waitForPhase, waitForProgress } from './helpers/harness';
import { uploadDraftFile, uploadWrittenDraft } from './helpers/writer';

const run = promisify(execFile);
const suite = useRealWorker('pipeline');
const { taskQueue, tmp } = suite;

/** The revision in review; a case that needs attention instead fails the test with the reason. */
async function inReview(handle: CaseHandle): Promise<string> {
  return (await waitForProgress(handle, 'review', (p) => p.phase === 'review', 180_000)).revision!;
}

test('all six planned cases publish, approved by updates and by `temporal workflow signal`', async () => {
  const plan = await loadPlan(defaultPlanFile());
  expect(plan.cases.map((c) => c.id)).toEqual(['square', 'paypal', 'blizzard', 'epic-games', 'tesla', 'siemens']);
  const files = { planFile: defaultPlanFile(), templateFile: templateFile() };
  const handles = await Promise.all(
    plan.cases.map((brief) => startCase(suite.env.client, taskQueue, caseInput(plan, brief, files))),
  );
  // The composer stops each case in drafting; the writer uploads the hand-written draft.
  await Promise.all(handles.map((handle, index) => uploadWrittenDraft(handle, plan.cases[index].id)));

  for (const [index, handle] of handles.entries()) {
    const brief = plan.cases[index];
    const revision = await inReview(handle);
    const packet = await handle.query(reviewPacketQuery);
    expect(packet.qa?.errors).toBe(0);
    // Every cited figure names the source a reader can check.
    for (const figure of packet.figures.filter((f) => f.basis !== 'target' && f.basis !== 'estimate')) {
      expect(figure.source?.title).toBeTruthy();
    }
    const quorum = brief.review.quorum;
    const approvers =
      'count' in quorum
        ? brief.review.reviewers.slice(0, quorum.count).map((r) => r.name)
        : quorum.roles.map((role) => brief.review.reviewers.find((r) => r.role === role)!.name);
    for (const [i, reviewer] of approvers.entries()) {
      if ((index + i) % 2 === 0) {
        await handle.executeUpdate(approveUpdate, { args: [{ reviewer, revision }] });
      } else {
        await run(requireBinary('cli'), [
          'workflow', 'signal', '--address', suite.env.address, '--workflow-id', handle.workflowId,
          '--name', 'approve', '--input', JSON.stringify({ reviewer, revision, comment: 'checked the sources' }),
        ]);
      }
    }
  }

  for (const [index, handle] of handles.entries()) {
    const brief = plan.cases[index];
    const result = await handle.result();
    expect(result.phase).toBe('published');
    const document = readFileSync(path.join(tmp, 'library', 'cases', brief.industry, `${brief.id}.md`), 'utf8');
    for (let n = 1; n <= 7; n++) expect(document).toMatch(new RegExp(`^## ${n}\\. `, 'm'));
    // The published document passes QA on its own: structure, figures cited or labelled, code compiles.
    const report = await runQa(document, { file: `${brief.id}.md` });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  }
}, 600_000); // six cases with QA of six written drafts on a shared machine

test('a seventh case added to the plan (new industry, new company) runs end to end with no code change', async () => {
  const dir = path.join(tmp, 'plan7');
  const doc = parseDocument(readFileSync(defaultPlanFile(), 'utf8'));
  const extra = parseDocument(readFileSync(path.join(__dirname, 'fixtures', 'plan', 'northwind-case.yaml'), 'utf8'));
  (doc.get('cases') as { add(v: unknown): void }).add(extra.contents);
  (doc.get('industries') as { add(v: unknown): void }).add(doc.createNode({ id: 'logistics', label: { zh: '物流', en: 'Logistics' } }));
  cpSync(path.join(path.dirname(defaultPlanFile()), 'sources'), path.join(dir, 'sources'), { recursive: true });
  cpSync(path.join(__dirname, 'fixtures', 'plan', 'northwind'), path.join(dir, 'sources', 'northwind'), { recursive: true });
  const planFile = path.join(dir, 'v15.0.yaml');
  writeFileSync(planFile, doc.toString());

  const plan = await loadPlan(planFile);
  const brief = plan.cases.find((c) => c.id === 'northwind')!;
  const handle = (await suite.env.client.workflow.start('caseWorkflow', {
    taskQueue,
    workflowId: unique('case-northwind'),
    args: [caseInput(plan, brief, { planFile, templateFile: templateFile() })],
  })) as CaseHandle;
  // The writer's part for the new case: a written draft kept beside the fixture plan.
  await uploadDraftFile(handle, path.join(__dirname, 'fixtures', 'plan', 'northwind.md'));
  const revision = await inReview(handle);
  await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision }] });
  expect((await handle.result()).phase).toBe('published');

  const document = readFileSync(path.join(tmp, 'library', 'cases', 'logistics', 'northwind.md'), 'utf8');
  expect(document).toMatch(/^# Northwind Traders - 订单履约工作流$/m);
  // The library index regenerated from this plan lists the new industry and case.
  const index = readFileSync(path.join(tmp, 'library', 'enterprise-cases.md'), 'utf8');
  expect(index).toContain('物流');
  expect(index).toContain('Northwind Traders');
}, 300_000);

test('an uploaded draft whose code calls a Temporal API wrongly is stopped in QA with the compiler message', async () => {
  const plan = await loadPlan(defaultPlanFile());
  const brief = plan.cases.find((c) => c.id === 'square')!;
  const handle = (await suite.env.client.workflow.start('caseWorkflow', {
    taskQueue,
    workflowId: unique('case-square-upload'),
    args: [caseInput(plan, brief, { planFile: defaultPlanFile(), templateFile: templateFile() })],
  })) as CaseHandle;
  await uploadWrittenDraft(handle, 'square');
  const composed = await inReview(handle);

  const wrongSection = [
    '## 4. 技术实现深度分析',
    '',
    '### 4.1 Workflow设计',
    '',
    '```ts',
    "import { proxyActivities } from '@temporalio/workflow';",
    'interface Acts { charge(id: string): Promise<void> }',
    "const { charge } = proxyActivities<Acts>({ startToCloseTimeout: '1 minute', staticSummary: 'charge' });",
    'export async function pay(id: string): Promise<void> {',
    '  await charge(id);',
    '}',
    '```',
    '',
    '### 4.2 Activity实现',
    '',
    '见上。',
    '',
    '### 4.3 错误处理',
    '',
    '见上。',
    '',
    '### 4.4 补偿机制',
    '',
    '见上。',
  ].join('\n');
  const uploaded = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: wrongSection, section: '4' }] });
  expect(uploaded.revision).not.toBe(composed);

  await waitForPhase(handle, 'attention', undefined, 60_000);
  const progress = await handle.query(progressQuery);
  expect(progress.phase).toBe('attention');
  expect(progress.attention).toMatch(new RegExp(`QA blocks revision ${uploaded.revision} uploaded by frank`));
  const packet = await handle.query(reviewPacketQuery);
  const typeErrors = packet.qa!.findings.filter((f) => f.rule === 'tech/typecheck');
  expect(typeErrors.length).toBeGreaterThan(0);
  expect(typeErrors[0].message).toMatch(/staticSummary/);
  // Approvals cannot reach a blocked draft: the case is not in review.
  await expect(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: uploaded.revision }] })).rejects.toThrow();
  await handle.terminate('test done');
}, 300_000);
