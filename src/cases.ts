import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { CaseInput } from './domain/case';
import type { CaseBrief, Lang, Plan } from './domain/types';
import { taskQueue } from './config';
import { caseWorkflowId } from './names';
import { reviewUrl } from './review/links';
import { caseStartSearchAttributes } from './search-attributes';

export type StartOutcome = 'started' | 'running' | 'published';

/** What starting a case did. */
export interface StartResult {
  caseId: string;
  workflowId: string;
  runId?: string;
  outcome: StartOutcome;
}

/** Builds the workflow input for one case of a plan. */
export function caseInput(
  plan: Plan,
  brief: CaseBrief,
  files: { planFile: string; templateFile: string },
  options: { language?: Lang; campaign?: string } = {},
): CaseInput {
  return {
    caseId: brief.id,
    planVersion: plan.version,
    planFile: files.planFile,
    templateFile: files.templateFile,
    brief,
    language: options.language ?? brief.language ?? plan.language,
    campaign: options.campaign,
  };
}

/**
 * Starts a case's workflow unless a run is going or has published. A failed or terminated run may
 * be started again; `again` also restarts a published case.
 */
export async function startCase(client: Client, input: CaseInput, options: { again?: boolean } = {}): Promise<StartResult> {
  const workflowId = caseWorkflowId(input.caseId);
  try {
    const existing = await client.workflow.getHandle(workflowId).describe();
    if (existing.status.name === 'RUNNING') return { caseId: input.caseId, workflowId, runId: existing.runId, outcome: 'running' };
    if (existing.status.name === 'COMPLETED' && !options.again) {
      return { caseId: input.caseId, workflowId, runId: existing.runId, outcome: 'published' };
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  try {
    const handle = await client.workflow.start('caseWorkflow', {
      workflowId,
      taskQueue: taskQueue(),
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: caseStartSearchAttributes({ caseId: input.caseId, industry: input.brief.industry, campaign: input.campaign }),
      staticSummary: `${input.brief.company}: ${input.brief.title.en}`.slice(0, 190),
      staticDetails: [
        `**${input.brief.title.zh}**`,
        '',
        `Plan ${input.planVersion}, industry \`${input.brief.industry}\`, language \`${input.language}\`.`,
        `Reviewers: ${input.brief.review.reviewers.map((r) => `${r.name} (${r.role})`).join(', ')}; backup ${input.brief.review.backup.name}.`,
        `Sources: ${input.brief.sources.length}.`,
        '',
        `Review page: [${reviewUrl(input.caseId)}](${reviewUrl(input.caseId)})`,
      ].join('\n'),
    });
    return { caseId: input.caseId, workflowId, runId: handle.firstExecutionRunId, outcome: 'started' };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { caseId: input.caseId, workflowId, outcome: 'running' };
    throw err;
  }
}
