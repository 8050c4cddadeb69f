/**
 * Publishing as a saga, and the attention step that waits for the lead.
 *
 * Each step of the publish that has an undo registers it; when a later step fails, the undos run in
 * reverse order. An undo that fails is recorded, not thrown: the case then waits in `attention`
 * with what was and was not undone, and `resume` retries what is left before publishing again.
 */
import { CancellationScope, condition, workflowInfo } from '@temporalio/workflow';
import type { RollbackStep } from '../src/domain/case';
import { publishCase, unpublishCase, updateLibraryDocs } from './proxies';
import type { CaseRun } from './case-run';

/** Runs one rollback step (its activity); throws when it fails. */
function undo(run: CaseRun, step: RollbackStep): Promise<void> {
  return unpublishCase({ caseId: run.caseId, industry: run.brief.industry, revision: step.revision });
}

/** Runs the steps in order, each caught and recorded; runs even while the workflow is cancelled. */
async function rollBack(run: CaseRun, steps: RollbackStep[]): Promise<RollbackStep[]> {
  return CancellationScope.nonCancellable(async () => {
    const done: RollbackStep[] = [];
    for (const step of steps) {
      try {
        await undo(run, step);
        done.push({ step: step.step, revision: step.revision, undone: true });
      } catch (err) {
        done.push({ step: step.step, revision: step.revision, undone: false, error: reasonOf(err) });
      }
    }
    return done;
  });
}

/** The innermost message of a failure (an activity failure's cause says what went wrong). */
function reasonOf(err: unknown): string {
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** Parks the case after a failed publish, saying what the rollback did and did not undo. */
async function parkAfterRollback(run: CaseRun, reason: string, rollback: RollbackStep[]): Promise<void> {
  const { s, brief, caseId, policy } = run;
  const left = rollback.filter((r) => !r.undone);
  if (left.length === 0) {
    s.rollback = undefined;
    run.needAttention(`Publishing failed and was rolled back: ${reason}. Fix the cause, then \`casebook resume ${caseId}\`.`, 'publish');
  } else {
    s.rollback = rollback;
    const undone = rollback.filter((r) => r.undone).map((r) => r.step);
    run.needAttention(
      `Publishing failed (${reason}) and the rollback did not finish. ` +
        `Undone: ${undone.length ? undone.join('; ') : 'nothing'}. ` +
        `NOT undone: ${left.map((r) => `${r.step} (${r.error})`).join('; ')}. ` +
        `Fix the cause, then \`casebook resume ${caseId}\` retries the rollback before publishing again.`,
      'publish',
    );
  }
  await run.tell('attention', [policy.backup.name], `${brief.company} needs attention: ${s.attention}`);
}

/** Publishes the approved revision and regenerates the library documents. */
export async function publish(run: CaseRun): Promise<void> {
  const { s, brief, caseId, policy } = run;
  const draft = s.draft!;
  const compensations: RollbackStep[] = [];
  try {
    const published = await publishCase.executeWithOptions({ summary: `publish revision ${draft.revision}` }, [
      { caseId, industry: brief.industry, draftRef: draft.ref, revision: draft.revision },
    ]);
    compensations.unshift({ step: `unpublish revision ${draft.revision}`, revision: draft.revision, undone: false });
    await updateLibraryDocs.executeWithOptions({ summary: 'regenerate the library documents' }, [{ planFile: run.input.planFile }]);
    s.publishedPath = published.path;
    run.audit({ actor: 'casebook', action: 'published', revision: draft.revision, accepted: true, via: 'workflow', detail: published.path });
    run.enterPhase('published');
    await run.tell('published', [brief.author, ...policy.reviewers.map((r) => r.name)], `${brief.company}: revision ${draft.revision} published at ${published.path}.`);
  } catch (err) {
    const rollback = await rollBack(run, compensations);
    await parkAfterRollback(run, reasonOf(err), rollback);
  }
}

/** Waits for the lead's `resume`; a rollback left unfinished is retried first. */
export async function attention(run: CaseRun): Promise<void> {
  const { s } = run;
  await condition(() => run.resumeRequest !== undefined || s.phase !== 'attention' || workflowInfo().continueAsNewSuggested);
  if (!run.resumeRequest) return;
  const d = run.resumeRequest;
  run.resumeRequest = undefined;
  const left = (s.rollback ?? []).filter((r) => !r.undone);
  if (left.length) {
    const retried = await rollBack(run, left);
    const stillLeft = retried.filter((r) => !r.undone);
    run.audit({ actor: d.by, action: 'rollback retried', accepted: stillLeft.length === 0, via: 'workflow', detail: retried.map((r) => `${r.step}: ${r.undone ? 'undone' : r.error}`).join('; ') });
    if (stillLeft.length) {
      s.rollback = [...(s.rollback ?? []).filter((r) => r.undone), ...retried];
      s.attention = `The rollback is still not finished. NOT undone: ${stillLeft.map((r) => `${r.step} (${r.error})`).join('; ')}. Fix the cause, then \`casebook resume ${run.caseId}\` again.`;
      run.refreshVisibility();
      return;
    }
    s.rollback = undefined;
  }
  s.maxRevisions = Math.max(s.maxRevisions, s.revisionCount) + (d.extraRevisions ?? 3);
  s.attention = undefined;
  s.failedRevision = undefined;
  run.enterPhase(d.backTo ?? s.resumeTo ?? 'writing');
  s.resumeTo = undefined;
}
