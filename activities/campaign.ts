/**
 * Activities of the campaign workflow: the summary document and reading cases it did not start.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { libraryDir, projectRoot } from '../src/config';
import type { PolledCase } from '../src/domain/activities';
import { type CampaignProgress, progressQuery } from '../src/messages';
import { loadPlan } from '../src/plan';
import { renderSummaryMarkdown } from '../src/report';
import { writeFileAtomic } from './store';
import { NonRetryable } from '../src/domain/failures';

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

async function industryLabels(planFile: string): Promise<Record<string, string>> {
  try {
    const plan = await loadPlan(path.resolve(projectRoot, planFile));
    return Object.fromEntries(plan.industries.map((i) => [i.id, i.label[plan.language]]));
  } catch {
    // Labels are cosmetic: a plan that no longer loads must not stop the summary (ids are shown).
    return {};
  }
}

/**
 * Writes the campaign summary (概述, 已完成工作, 当前进度, 实施阶段, 下一步工作) from the campaign's
 * live state into `<library>/campaigns/<version>.md`. Atomic and idempotent: the same state writes
 * the same file.
 */
export async function writeCampaignSummary(input: { planFile: string; progress: CampaignProgress }): Promise<{ path: string }> {
  const { version } = input.progress;
  if (!VERSION_PATTERN.test(version) || version.includes('..')) {
    throw ApplicationFailure.nonRetryable(`Campaign version ${JSON.stringify(version)} cannot name a file.`, NonRetryable.UnsafePath);
  }
  const generatedAt = input.progress.completedAt ?? input.progress.startedAt;
  const markdown = renderSummaryMarkdown(input.progress, await industryLabels(input.planFile), generatedAt);
  const file = path.join(libraryDir(), 'campaigns', `${version}.md`);
  await writeFileAtomic(file, markdown);
  return { path: path.relative(libraryDir(), file) };
}

/** Reads a case's latest run: its workflow status and, while it runs, its progress query. */
export async function readCaseProgress(input: { caseId: string; workflowId: string }): Promise<PolledCase> {
  const handle = Context.current().client.workflow.getHandle(input.workflowId);
  try {
    const described = await handle.describe();
    const status = described.status.name;
    if (status !== 'RUNNING') return { caseId: input.caseId, status };
    const p = await handle.query(progressQuery);
    return { caseId: input.caseId, status, phase: p.phase, percent: p.percent, revision: p.revision, reworkLoops: p.reworkLoops };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { caseId: input.caseId, status: 'NOT_FOUND' };
    throw err;
  }
}
