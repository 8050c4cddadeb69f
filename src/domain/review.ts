/**
 * Review rules: who may decide, when the quorum is met, who is still pending. Pure functions,
 * shared by the workflow (validators and signal handlers) and the unit tests.
 */
import type { CasePhase, Reviewer, ReviewPolicy } from './types';

export interface Approval {
  revision: string;
  at: string;
  comment?: string;
}

export interface ReviewContext {
  phase: CasePhase;
  policy: ReviewPolicy;
  escalated: boolean;
  /** The current draft's revision and author. */
  revision?: string;
  draftAuthor?: string;
  /** Approvals by reviewer name (any revision; only the current one counts). */
  approvals: Record<string, Approval>;
}

/** The roster, plus the backup reviewer once the deadline has escalated to them. */
export function eligibleReviewers(policy: ReviewPolicy, escalated: boolean): Reviewer[] {
  return escalated ? [...policy.reviewers, policy.backup] : policy.reviewers;
}

function currentApprovers(ctx: ReviewContext): string[] {
  return Object.entries(ctx.approvals)
    .filter(([, a]) => a.revision === ctx.revision)
    .map(([name]) => name);
}

/** Whether the approvals given for the current revision satisfy the plan's quorum. */
export function quorumMet(ctx: ReviewContext): boolean {
  const approvers = new Set(currentApprovers(ctx));
  const eligible = eligibleReviewers(ctx.policy, ctx.escalated).filter((r) => approvers.has(r.name));
  const quorum = ctx.policy.quorum;
  if ('count' in quorum) return eligible.length >= quorum.count;
  const missing = quorum.roles.filter((role) => !eligible.some((r) => r.role === role && r.name !== ctx.policy.backup.name));
  // After escalation the backup reviewer may stand in for one missing role.
  const backupStandsIn = ctx.escalated && approvers.has(ctx.policy.backup.name) ? 1 : 0;
  return missing.length <= backupStandsIn;
}

/** Reviewers who could still move the case forward (empty once the quorum is met). */
export function pendingReviewers(ctx: ReviewContext): string[] {
  if (ctx.phase !== 'review' || quorumMet(ctx)) return [];
  const approvers = new Set(currentApprovers(ctx));
  return eligibleReviewers(ctx.policy, ctx.escalated)
    .map((r) => r.name)
    .filter((name) => !approvers.has(name));
}

export function describeQuorum(policy: ReviewPolicy): string {
  return 'count' in policy.quorum
    ? `${policy.quorum.count} of ${policy.reviewers.map((r) => r.name).join(', ')}`
    : `one approval for each role: ${policy.quorum.roles.join(', ')}`;
}

/**
 * Checks a reviewer's decision. Returns `undefined` when it may be applied, or a message that says
 * what is wrong and what to do instead.
 */
export function checkDecision(
  ctx: ReviewContext,
  input: { reviewer?: unknown; revision?: unknown },
  kind: 'approve' | 'requestChanges',
): string | undefined {
  if (typeof input.reviewer !== 'string' || input.reviewer.trim() === '') {
    return 'The decision names no reviewer. Send {"reviewer": "<name>", ...}.';
  }
  const reviewer = input.reviewer;
  if (input.revision !== undefined && typeof input.revision !== 'string') {
    return '"revision" must be a string (the revision id shown by `casebook show`).';
  }
  const roster = eligibleReviewers(ctx.policy, ctx.escalated);
  if (!roster.some((r) => r.name === reviewer)) {
    const backupNote =
      reviewer === ctx.policy.backup.name
        ? ` ${reviewer} is the backup reviewer and may decide only after the review deadline escalates to them.`
        : '';
    return `Unknown reviewer "${reviewer}".${backupNote} Reviewers of this case: ${roster.map((r) => r.name).join(', ')}.`;
  }
  if (ctx.phase !== 'review') {
    return `The case is in phase "${ctx.phase}", not in review; decisions are taken only in review. Check with \`casebook show\`.`;
  }
  if (ctx.draftAuthor && reviewer === ctx.draftAuthor) {
    return `${reviewer} wrote revision ${ctx.revision} and cannot review it; ask another reviewer.`;
  }
  if (input.revision !== undefined && input.revision !== ctx.revision) {
    return `Revision ${String(input.revision)} is stale: the current revision is ${ctx.revision}. Review the current draft (\`casebook show\`) and decide on it.`;
  }
  const previous = ctx.approvals[reviewer];
  if (kind === 'approve' && previous && previous.revision === ctx.revision) {
    return `${reviewer} already approved revision ${ctx.revision}; nothing to do.`;
  }
  return undefined;
}
