/**
 * The case workflow: wiring and the main loop. The state and its transitions are in case-run.ts,
 * the message handlers in case-handlers.ts, the steps in case-steps.ts, case-review.ts and
 * case-publish.ts, and what the case shows outside its history in case-visibility.ts.
 */
import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { CaseInput, CaseResult } from '../src/domain/case';
import type { CasePhase } from '../src/domain/phases';
import { registerHandlers } from './case-handlers';
import { attention, publish } from './case-publish';
import { review } from './case-review';
import { CaseRun } from './case-run';
import { analysis, drafting, qa, research, writing } from './case-steps';

export type { CaseInput, CaseResult, CaseState } from '../src/domain/case';

/** What each phase does; a phase without a step (published, failed) ends the loop or the case. */
const STEPS: Partial<Record<CasePhase, (run: CaseRun) => Promise<void>>> = {
  research,
  analysis,
  writing,
  drafting,
  qa,
  review,
  publish,
  attention,
};

/**
 * One case study, from research to a published document.
 *
 * research → analysis → writing → qa → review → publish. Reviewers decide with the `approve` /
 * `requestChanges` signals or updates; QA failures and requested changes send the work back;
 * past the revision cap, or when publishing fails and is rolled back (or its rollback fails), the
 * case waits in `attention` for the lead's `resume`.
 */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const run = new CaseRun(input);
  registerHandlers(run);

  if (!input.state) {
    run.audit({ actor: 'casebook', action: 'case started', accepted: true, via: 'workflow', detail: `plan ${input.planVersion}` });
    run.enterPhase('research');
  } else {
    run.refreshVisibility();
  }

  while (run.s.phase !== 'published') {
    const step = STEPS[run.s.phase];
    if (!step) throw ApplicationFailure.nonRetryable(`Case ${run.caseId} is in an unknown phase "${run.s.phase}".`, 'InvalidState');
    await step(run);
    if (workflowInfo().continueAsNewSuggested) {
      // Let running update handlers (a draft upload) finish before the history is cut.
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ ...input, state: run.s });
    }
  }
  return run.result();
}
