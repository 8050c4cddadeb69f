/**
 * The review step: asks the reviewers, reminds and escalates on the plan's deadlines, and acts on
 * the decision (quorum → publish, changes requested → rework or attention past the revision cap).
 */
import { CancellationScope, condition, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import { describeQuorum, pendingReviewers, quorumMet } from '../src/domain/review';
import type { CaseRun } from './case-run';

const durationMs = (value: string) => msToNumber(value as Parameters<typeof msToNumber>[0]);

/**
 * `condition(until, ms)`, except that on the lean path a deadline timer is left running when the
 * quorum is met: the case then publishes and ends, and cancelling the timer would cost an event in
 * the task that schedules the publish. Any other early end (changes requested, an upload) cancels it,
 * since the case may wait again long enough for it to fire.
 */
async function untilOrDeadline(run: CaseRun, until: () => boolean, ms: number, summary: string): Promise<boolean> {
  if (!run.lean) return condition(until, ms, { summary });
  const deadline = new CancellationScope();
  let fired = false;
  deadline
    .run(() => sleep(ms, { summary }))
    .then(
      () => (fired = true),
      (err) => {
        if (!isCancellation(err)) throw err;
      },
    );
  await condition(() => until() || fired);
  if (fired && !until()) return false;
  if (!quorumMet(run.reviewContext())) deadline.cancel();
  return true;
}

/** Waits for a decision on the current revision, with a reminder, an escalation and backup reminders. */
async function awaitDecision(run: CaseRun, decided: () => boolean): Promise<'decided' | 'continue-as-new'> {
  const { s, brief, policy } = run;
  const round = s.review!;
  const revision = round.revision;
  const remindAfterMs = durationMs(policy.remindAfter);
  const escalateAfterMs = durationMs(policy.escalateAfter);
  while (!decided()) {
    if (workflowInfo().continueAsNewSuggested) return 'continue-as-new';
    const elapsed = Date.now() - round.requestedAt;
    const nextAt = !round.reminded ? remindAfterMs : !round.escalated ? escalateAfterMs : elapsed + remindAfterMs;
    const summary = !round.reminded ? 'review reminder' : !round.escalated ? 'review escalation' : 'backup reminder';
    // Wake up for a decision, a deadline, or a history that should be cut (continue-as-new).
    const woken = await untilOrDeadline(run, () => decided() || workflowInfo().continueAsNewSuggested, Math.max(nextAt - elapsed, 1), summary);
    if (decided()) break;
    if (woken) return 'continue-as-new'; // the main loop carries the review over
    if (!round.reminded) {
      round.reminded = true;
      run.audit({ actor: 'casebook', action: 'reminder sent', revision, accepted: true, via: 'workflow' });
      await run.tell('reminder', pendingReviewers(run.reviewContext()), `${brief.company}: revision ${revision} still waits for your review.`);
    } else if (!round.escalated) {
      round.escalated = true;
      run.audit({ actor: 'casebook', action: `escalated to ${policy.backup.name}`, revision, accepted: true, via: 'workflow' });
      run.refreshVisibility();
      await run.tell('escalation', [policy.backup.name], `${brief.company}: the review of revision ${revision} is overdue; ${policy.backup.name} may now decide.`);
    } else {
      await run.tell('reminder', pendingReviewers(run.reviewContext()), `${brief.company}: revision ${revision} is overdue for review.`);
    }
  }
  return 'decided';
}

/** Sends the work back where the reviewer asked, or to attention once the revision cap is reached. */
async function rework(run: CaseRun, revision: string): Promise<void> {
  const { s, brief, caseId, policy } = run;
  const backTo = run.changesRequested!.backTo ?? 'writing';
  run.changesRequested = undefined;
  s.reworkLoops += 1;
  await run.tell('changes-requested', [brief.author], `${brief.company}: changes requested on revision ${revision}; back to ${backTo}.`);
  if (s.revisionCount >= s.maxRevisions) {
    run.needAttention(`Revision cap reached (${s.revisionCount} of ${s.maxRevisions}) with changes still requested. The lead can allow more revisions with \`casebook resume ${caseId}\`.`, backTo);
    await run.tell('attention', [policy.backup.name], `${brief.company} needs attention: ${s.attention}`);
  } else {
    run.enterPhase(backTo);
  }
}

/** The review phase of the current revision. */
export async function review(run: CaseRun): Promise<void> {
  const { s, brief, policy } = run;
  const revision = s.draft!.revision;
  if (!s.review || s.review.revision !== revision) {
    s.review = { revision, requestedAt: Date.now(), reminded: false, escalated: false };
    if (!run.lean) run.refreshVisibility();
    await run.tell('review-requested', pendingReviewers(run.reviewContext()), `${brief.company}: revision ${revision} waits for review (${describeQuorum(policy)}).`);
  }
  const decided = () => quorumMet(run.reviewContext()) || run.changesRequested !== undefined || s.phase !== 'review';
  // Lean: the lists learn of the review in the task that follows the notification, together with
  // any decision that came meanwhile; a review decided by then is never listed at all.
  if (run.lean && !decided()) run.refreshVisibility();
  if ((await awaitDecision(run, decided)) === 'continue-as-new') return;
  if (s.phase !== 'review') return; // an upload moved the case on
  if (run.changesRequested) return rework(run, revision);
  if (quorumMet(run.reviewContext())) run.enterPhase('publish');
}
