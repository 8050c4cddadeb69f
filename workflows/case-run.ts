/**
 * A running case: its state and the transitions every step and handler goes through (enter a
 * phase, adopt a draft, wait for attention, report progress). Steps and handlers change the case
 * only through this class, so each transition keeps the audit trail, the timings, the campaign
 * and the visibility in step.
 */
import { getExternalWorkflowHandle, patched, workflowInfo } from '@temporalio/workflow';
import type { NotificationKind } from '../src/domain/activities';
import type { AuditEntry, CaseInput, CaseResult, CaseState } from '../src/domain/case';
import { type CasePhase, type HoldPhase, type WorkPhase, HOLD_WORK, isWorkPhase, phasePercent } from '../src/domain/phases';
import { type ReviewContext, describeQuorum, eligibleReviewers, pendingReviewers } from '../src/domain/review';
import type { CaseBrief, DraftInfo, Lang, ReviewPolicy } from '../src/domain/types';
import { type CaseProgress, type RequestChangesInput, type ResumeInput, caseProgressSignal } from '../src/messages';
import { notify } from './proxies';
import { Visibility } from './case-visibility';

/** The patch id of {@link CaseRun.lean}. */
export const LEAN_ENGINE_PATCH = 'lean-engine-path';

function initialState(input: CaseInput): CaseState {
  return {
    phase: 'research',
    notes: [],
    feedback: [],
    revisionCount: 0,
    maxRevisions: input.brief.review.maxRevisions,
    reworkLoops: 0,
    approvals: {},
    audit: [],
    timings: [],
    responseTimes: [],
  };
}

export class CaseRun {
  readonly caseId: string;
  readonly brief: CaseBrief;
  readonly language: Lang;
  readonly policy: ReviewPolicy;
  /** The state carried across continue-as-new. */
  readonly s: CaseState;
  /** A change request accepted by a handler, for the review step to act on. */
  changesRequested?: RequestChangesInput;
  /** A resume accepted by a handler, for the attention step to act on. */
  resumeRequest?: ResumeInput;
  /** A draft upload is running (its activity has not returned yet). */
  uploading = false;
  /**
   * The lean engine path (issue 15): the brief travels once (in the dossier), search attributes are
   * written only when the lists change, and a review deadline timer is not cancelled on the way to
   * publish. One patch for all three: histories recorded before it replay the old commands, and
   * each patch costs its own marker and search-attribute events.
   */
  readonly lean: boolean = patched(LEAN_ENGINE_PATCH);
  private readonly visibility = new Visibility(() => this.visible(), this.lean);

  constructor(readonly input: CaseInput) {
    this.caseId = input.caseId;
    this.brief = input.brief;
    this.language = input.language ?? input.brief.language;
    this.policy = input.brief.review;
    this.s = input.state ?? initialState(input);
  }

  now(): string {
    return new Date().toISOString();
  }

  audit(entry: Omit<AuditEntry, 'at'>): void {
    this.s.audit.push({ at: this.now(), ...entry });
  }

  reviewContext(): ReviewContext {
    const s = this.s;
    return {
      phase: s.phase,
      policy: this.policy,
      escalated: s.review?.escalated ?? false,
      revision: s.draft?.revision,
      draftAuthor: s.draft?.author,
      approvals: s.approvals,
    };
  }

  percent(): number {
    return phasePercent(this.s.phase, this.s.resumeTo);
  }

  /** Reviewers whose approval counts for the current revision. */
  currentApprovers(): string[] {
    return Object.keys(this.s.approvals).filter((n) => this.s.approvals[n].revision === this.s.draft?.revision);
  }

  progress(): CaseProgress {
    const s = this.s;
    const ctx = this.reviewContext();
    const approvers = new Set(this.currentApprovers());
    return {
      caseId: this.caseId,
      company: this.brief.company,
      industry: this.brief.industry,
      title: this.brief.title[this.language],
      campaign: this.input.campaign,
      phase: s.phase,
      percent: this.percent(),
      revision: s.draft?.revision,
      revisionCount: s.revisionCount,
      reviewers: eligibleReviewers(this.policy, ctx.escalated).map((r) => ({ ...r, approved: approvers.has(r.name) })),
      pendingReviewers: pendingReviewers(ctx),
      escalated: ctx.escalated,
      qa: s.qa && { revision: s.qa.revision, errors: s.qa.errors, warnings: s.qa.warnings },
      attention: s.attention,
      rollback: s.rollback,
      publishedPath: s.publishedPath,
      reworkLoops: s.reworkLoops,
      timings: s.timings,
      responseTimes: s.responseTimes,
    };
  }

  result(): CaseResult {
    const s = this.s;
    return { caseId: this.caseId, phase: s.phase, revision: s.draft?.revision, publishedPath: s.publishedPath, approvals: this.currentApprovers() };
  }

  /** Writes the search attributes and details at the end of this workflow task. */
  refreshVisibility(): void {
    this.visibility.refresh();
  }

  private visible() {
    const s = this.s;
    return {
      caseId: this.caseId,
      industry: this.brief.industry,
      campaign: this.input.campaign,
      title: this.brief.title[this.language],
      phase: s.phase,
      percent: this.percent(),
      revision: s.draft?.revision,
      revisionCount: s.revisionCount,
      maxRevisions: s.maxRevisions,
      quorum: describeQuorum(this.policy),
      pendingReviewers: pendingReviewers(this.reviewContext()),
      timings: s.timings,
      qa: s.qa,
      attention: s.attention,
      awaitingWriter: s.phase === 'drafting' ? (s.draft?.awaitingWriter ?? []) : undefined,
    };
  }

  enterPhase(phase: CasePhase): void {
    const at = this.now();
    const open = this.s.timings.find((t) => !t.endedAt);
    if (open) open.endedAt = at;
    const timed = isWorkPhase(phase) ? phase : HOLD_WORK[phase as HoldPhase];
    if (timed) this.s.timings.push({ phase: timed, startedAt: at });
    this.s.phase = phase;
    // Lean: the review step writes a review's lists itself, once the reviewers have been told.
    if (!(this.lean && phase === 'review')) this.refreshVisibility();
    const parent = workflowInfo().parent;
    if (parent) {
      const change = { caseId: this.caseId, phase, percent: this.percent(), revision: this.s.draft?.revision, reworkLoops: this.s.reworkLoops, at };
      // Fire and forget: a campaign that has closed must not hold the case up.
      void getExternalWorkflowHandle(parent.workflowId).signal(caseProgressSignal, change).catch(() => undefined);
    }
  }

  /** Parks the case in `attention` until the lead resumes it (or a writer uploads a draft). */
  needAttention(reason: string, resumeTo: WorkPhase): void {
    this.s.attention = reason;
    this.s.resumeTo = resumeTo;
    this.audit({ actor: 'casebook', action: 'needs attention', accepted: true, detail: reason, via: 'workflow', revision: this.s.draft?.revision });
    this.enterPhase('attention');
  }

  /** Records a new revision; every approval given for an older one is void from now on. */
  adoptDraft(draft: DraftInfo, actor: string, via: AuditEntry['via']): void {
    const s = this.s;
    const voided = Object.entries(s.approvals).filter(([, a]) => a.revision !== draft.revision);
    s.draft = draft;
    s.revisionCount += 1;
    s.review = undefined;
    this.audit({ actor, action: 'new revision', revision: draft.revision, accepted: true, via, detail: `${draft.bytes} bytes` });
    if (voided.length) {
      this.audit({
        actor: 'casebook',
        action: 'approvals voided',
        revision: draft.revision,
        accepted: true,
        via: 'workflow',
        detail: voided.map(([name, a]) => `${name}@${a.revision}`).join(', '),
      });
    }
  }

  /** Notifies people; a lost notification is recorded for the lead and never stops the case. */
  async tell(kind: NotificationKind, to: string[], message: string): Promise<void> {
    try {
      await notify.executeWithOptions({ summary: `notify ${kind}` }, [
        { caseId: this.caseId, kind, to, message, workflowId: workflowInfo().workflowId },
      ]);
    } catch (err) {
      this.audit({ actor: 'casebook', action: `notify ${kind} failed`, accepted: false, detail: String(err), via: 'workflow' });
    }
  }
}
