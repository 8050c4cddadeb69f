/**
 * The writer's path on a real dev server with the real activities: the deterministic composer alone
 * stops in `drafting` (awaiting writer) instead of publishing a skeleton; `casebook draft scaffold`
 * writes the writer's skeleton; a per-section upload tells the writer at once what still blocks and
 * keeps the case waiting; a whole draft then carries the case on to QA.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from '../src/binaries';
import { caseInput } from '../src/cases';
import { defaultPlanFile, templateFile } from '../src/config';
import { progressQuery } from '../src/messages';
import { loadPlan } from '../src/plan';
import { type CaseHandle, startCase, useRealWorker, waitForProgress } from './helpers/harness';
import { type CommandResult, runCasebook } from './helpers/processes';

const run = promisify(execFile);
const suite = useRealWorker('drafting');
const { taskQueue, tmp } = suite;

function casebook(...args: string[]): Promise<CommandResult> {
  return runCasebook(args, { ...process.env, TEMPORAL_ADDRESS: suite.env.address, TEMPORAL_NAMESPACE: 'default', CASEBOOK_TASK_QUEUE: taskQueue });
}

/** Waits until the case's phase is one `wanted` accepts (a case that needs attention fails the wait). */
async function phaseIs(handle: CaseHandle, what: string, wanted: (phase: string) => boolean): Promise<string> {
  return (await waitForProgress(handle, what, (p) => wanted(p.phase), 120_000)).phase;
}

test('the composer alone waits for a writer; scaffold, a section upload, then a whole draft carry it on', async () => {
  const plan = await loadPlan(defaultPlanFile());
  const brief = plan.cases.find((c) => c.id === 'blizzard')!;
  const handle = await startCase(suite.env.client, taskQueue, caseInput(plan, brief, { planFile: defaultPlanFile(), templateFile: templateFile() }));

  // The composer's skeleton is never put to QA, let alone review: the case waits for a writer.
  await phaseIs(handle, 'a phase after writing', (p) => p !== 'research' && p !== 'analysis' && p !== 'writing');
  const waiting = await handle.query(progressQuery);
  expect(waiting).toMatchObject({ phase: 'drafting', percent: 35 });
  expect(waiting.qa).toBeUndefined();
  // Visible where people look: the search attribute (Web UI filter) and `casebook status`.
  const listed = await run(requireBinary('cli'), ['workflow', 'list', '--address', suite.env.address, '--query', 'CasePhase="drafting"', '-o', 'json']);
  expect(listed.stdout).toContain('case-blizzard');
  const status = await casebook('status');
  expect(status.stdout).toContain('✍️ 待撰写');

  // The scaffold: facts with footnotes, the challenges to answer, the gates, the footnotes ready to cite.
  const file = path.join(tmp, 'blizzard.md');
  const scaffolded = await casebook('draft', 'scaffold', 'blizzard', '--out', file);
  expect(scaffolded.stderr).toBe('');
  expect(scaffolded.code).toBe(0);
  const scaffold = readFileSync(file, 'utf8');
  expect(scaffold).toContain('| 挑战 | 决策 | 代码 |');
  for (const [i, p] of brief.painPoints.entries()) expect(scaffold).toContain(`| 挑战 ${i + 1}：${p.zh} |`);
  expect(scaffold).toContain('相似度：与库中任何其他案例共享的正文不超过 40%');
  expect(scaffold).toContain('https://docs.temporal.io/workflow-execution/limits');
  for (const s of brief.sources) expect(scaffold).toContain(`[^${s.id}]: ${s.title}`);
  expect(scaffold).toMatch(/\| .* \| \[\^S1\] \|/); // the dossier's facts, cited

  // One section written: the CLI says at once what still blocks, and the case keeps waiting.
  const section = path.join(tmp, 'section-2.md');
  writeFileSync(section, '### 2.1 架构设计\n\n发布日的扩容由每个区域一个 Workflow 编排。\n\n### 2.2 关键技术决策\n\n见下文。\n\n### 2.3 组件说明\n\n区域扩容 Workflow 与分配服务器的 Activity。\n');
  const partial = await casebook('draft', 'upload', 'blizzard', section, '--author', 'wendy', '--section', '2');
  expect(partial.code).toBe(0);
  expect(partial.stdout).toMatch(/Still waiting for the writer \(the case stays in drafting\): .*implementation\.workflows/);
  expect(partial.stdout).toMatch(/error\(s\) block publishing:/);
  expect(partial.stdout).toContain('gates/challenges');
  const afterSection = await handle.query(progressQuery);
  expect(afterSection.phase).toBe('drafting');
  expect(afterSection.revision).not.toBe(waiting.revision);

  // A whole draft with no gap left: the case leaves drafting and QA judges the writer's revision.
  const whole = path.join(tmp, 'whole.md');
  writeFileSync(whole, scaffold.replace(/> ✍️ 待撰写（[a-z.]+）：.*$/gm, '本节由作者按本案例撰写。').replace(/✍️ 待撰写（[a-z.]+）/g, '由作者填写'));
  const uploaded = await casebook('draft', 'upload', 'blizzard', whole, '--author', 'wendy', '--json');
  expect(uploaded.code).toBe(0);
  const info = JSON.parse(uploaded.stdout) as { revision: string; feedback: { awaitingWriter: string[] } };
  expect(info.feedback.awaitingWriter).toEqual([]);
  await phaseIs(handle, 'a phase after QA', (p) => p !== 'drafting' && p !== 'qa');
  const judged = await handle.query(progressQuery);
  expect(judged.qa?.revision).toBe(info.revision);
  // This filler fails the gates (no code answers a challenge), so the writer is told, not the reader.
  expect(judged.phase).toBe('attention');
  expect(judged.attention).toContain('uploaded by wendy');
}, 600_000);
