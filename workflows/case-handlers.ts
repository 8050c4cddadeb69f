/**
 * The case's message handlers. Each decision (approve, request changes, resume) is one validator
 * and one apply function, served both as a signal (fire and forget: a rejection goes to the audit
 * trail) and as an update (the caller gets the rejection or the result).
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { log, setHandler } from '@temporalio/workflow';
import { type CasePhase, REWORK_PHASES } from '../src/domain/phases';
import { checkDecision, pendingReviewers, quorumMet } from '../src/domain/review';
import {
  type ApproveInput,
  type DecisionResult,
  type NoteInput,
  type RequestChangesInput,
  type ResumeInput,
  type ReviewPacket,
  type UploadDraftInput,
  addNoteSignal,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  progressQuery,
  requestChangesSignal,
  requestChangesUpdate,
  resumeSignal,
  resumeUpdate,
  reviewPacketQuery,
  uploadDraftUpdate,
} from '../src/messages';
import { applyDraftUpload } from './proxies';
import type { CaseRun } from './case-run';

type Via = 'signal' | 'update';

/** A decision a person sends: why it cannot be accepted now (or undefined), and what it does. */
interface Decision<I, R> {
  name: string;
  signal: SignalDefinition<[I]>;
  update: UpdateDefinition<R, [I]>;
  /** The field that names the sender, for the audit trail of a rejected signal. */
  actorField: keyof I & string;
  validate(d: I): string | undefined;
  apply(d: I, via: Via): R;
}

/** Serves one decision as a signal and as an update, from the same validator and apply function. */
function defineDecision<I, R>(run: CaseRun, decision: Decision<I, R>): void {
  setHandler(decision.signal, (d) => {
    const problem = decision.validate(d);
    if (!problem) {
      decision.apply(d, 'signal');
      return;
    }
    const actor = (d as Record<string, unknown> | undefined)?.[decision.actorField];
    run.audit({
      actor: typeof actor === 'string' ? actor : 'unknown',
      action: `${decision.name} rejected`,
      revision: run.s.draft?.revision,
      accepted: false,
      detail: problem,
      via: 'signal',
    });
    log.warn(`Rejected ${decision.name} signal`, { problem });
  });
  setHandler(decision.update, (d) => decision.apply(d, 'update'), {
    validator: (d) => {
      const problem = decision.validate(d);
      if (problem) throw new Error(problem);
    },
  });
}

function approve(run: CaseRun): Decision<ApproveInput, DecisionResult> {
  return {
    name: 'approve',
    signal: approveSignal,
    update: approveUpdate,
    actorField: 'reviewer',
    validate: (d) => {
      const problem = checkDecision(run.reviewContext(), d ?? {}, 'approve');
      if (problem) return problem;
      if (d.comment !== undefined && (typeof d.comment !== 'string' || d.comment.length > 10_000)) {
        return '"comment" must be a string under 10000 characters.';
      }
      return undefined;
    },
    apply: (d, via) => {
      const s = run.s;
      const revision = s.draft!.revision;
      s.approvals[d.reviewer] = { revision, at: run.now(), comment: d.comment };
      if (s.review) s.responseTimes.push({ reviewer: d.reviewer, ms: Date.now() - s.review.requestedAt });
      run.audit({ actor: d.reviewer, action: 'approve', revision, accepted: true, detail: d.comment, via });
      const ctx = run.reviewContext();
      const met = quorumMet(ctx);
      // Lean: the approval that completes the quorum moves the case to publish in this same task;
      // its lists change once, when the case is published (or parked), not here.
      if (!run.lean || !met) run.refreshVisibility();
      return { revision, approvals: run.currentApprovers(), pending: pendingReviewers(ctx), quorumMet: met };
    },
  };
}

function requestChanges(run: CaseRun): Decision<RequestChangesInput, DecisionResult> {
  return {
    name: 'requestChanges',
    signal: requestChangesSignal,
    update: requestChangesUpdate,
    actorField: 'reviewer',
    validate: (d) => {
      const problem = checkDecision(run.reviewContext(), d ?? {}, 'requestChanges');
      if (problem) return problem;
      if (typeof d.comment !== 'string' || d.comment.trim() === '') {
        return 'A change request needs a comment that says what to change: {"reviewer": "...", "comment": "..."}.';
      }
      if (d.comment.length > 10_000) return `The comment has ${d.comment.length} characters; keep it under 10000.`;
      if (d.backTo !== undefined && !(REWORK_PHASES as readonly string[]).includes(d.backTo)) {
        return `"backTo" must be one of ${REWORK_PHASES.join(', ')}; got ${JSON.stringify(d.backTo)}.`;
      }
      return undefined;
    },
    apply: (d, via) => {
      const s = run.s;
      const revision = s.draft!.revision;
      const backTo = d.backTo ?? 'writing';
      s.feedback.push({ reviewer: d.reviewer, comment: d.comment, revision, backTo });
      if (s.review) s.responseTimes.push({ reviewer: d.reviewer, ms: Date.now() - s.review.requestedAt });
      run.changesRequested = { ...d, backTo };
      run.audit({ actor: d.reviewer, action: `request changes (back to ${backTo})`, revision, accepted: true, detail: d.comment, via });
      return { revision, approvals: [], pending: [], quorumMet: false };
    },
  };
}

function resume(run: CaseRun): Decision<ResumeInput, { phase: CasePhase }> {
  return {
    name: 'resume',
    signal: resumeSignal,
    update: resumeUpdate,
    actorField: 'by',
    validate: (d) => {
      if (typeof d?.by !== 'string' || !d.by.trim()) return 'Resume needs {"by": "<name>"}.';
      if (run.s.phase !== 'attention') return `The case is in "${run.s.phase}", not waiting for attention; nothing to resume.`;
      if (d.extraRevisions !== undefined && (!Number.isInteger(d.extraRevisions) || d.extraRevisions < 1 || d.extraRevisions > 50)) {
        return '"extraRevisions" must be a whole number from 1 to 50.';
      }
      if (d.backTo !== undefined && !(REWORK_PHASES as readonly string[]).includes(d.backTo)) {
        return `"backTo" must be one of ${REWORK_PHASES.join(', ')}.`;
      }
      return undefined;
    },
    apply: (d, via) => {
      run.resumeRequest = d;
      run.audit({ actor: d.by, action: 'resume', accepted: true, via, detail: d.backTo });
      return { phase: run.s.phase };
    },
  };
}

/** Why a research note cannot be added, or undefined. */
function noteProblem(d: NoteInput): string | undefined {
  if (typeof d?.author !== 'string' || !d.author.trim()) return 'A note needs an author: {"author": "<name>", "text": "..."}.';
  if (typeof d.text !== 'string' || !d.text.trim()) return 'A note needs text: {"author": "<name>", "text": "..."}.';
  if (d.text.length > 20_000) return `The note has ${d.text.length} characters; keep notes under 20000.`;
  if (d.url !== undefined && (typeof d.url !== 'string' || !/^https?:\/\//.test(d.url))) return '"url" must be an http(s) URL.';
  return undefined;
}

/** Why a draft cannot be uploaded now, or undefined. */
function uploadProblem(run: CaseRun, d: UploadDraftInput): string | undefined {
  const s = run.s;
  if (typeof d?.author !== 'string' || !d.author.trim()) return 'An upload needs an author.';
  if (typeof d.markdown !== 'string' || !d.markdown.trim()) return 'The uploaded draft is empty.';
  if (d.markdown.length > 1_000_000) return 'The uploaded draft is over 1 MB; split it into sections.';
  if (!s.draft || !s.dossier) return 'There is no draft yet to replace; wait until the case reaches writing.';
  if (s.rollback?.some((r) => !r.undone)) {
    return `The last publish is not fully rolled back; fix the cause and \`casebook resume ${run.caseId}\` first, then upload.`;
  }
  if (!['drafting', 'review', 'attention'].includes(s.phase) || run.uploading) {
    return `Drafts can be uploaded while the case waits in drafting, review or attention; it is in "${s.phase}". Try again when it waits for people (\`casebook show\`).`;
  }
  return undefined;
}

/** Stores a writer's draft; a new revision goes to QA at once. */
async function uploadDraft(run: CaseRun, d: UploadDraftInput) {
  const s = run.s;
  run.uploading = true;
  try {
    const draft = await applyDraftUpload.executeWithOptions({ summary: `upload by ${d.author}` }, [
      { caseId: run.caseId, baseRef: s.draft!.ref, markdown: d.markdown, section: d.section, author: d.author, dossierRef: s.dossier!.ref, templateFile: run.input.templateFile },
    ]);
    if (draft.revision !== s.draft?.revision) {
      run.adoptDraft(draft, d.author, 'update');
      s.uploadedBy = d.author;
      s.failedRevision = undefined;
      s.attention = undefined;
      // A draft that still leaves parts to a writer waits for the rest instead of failing QA.
      run.enterPhase(draft.awaitingWriter?.length ? 'drafting' : 'qa');
    }
    return draft;
  } finally {
    run.uploading = false;
  }
}

/** Registers every signal, update and query of the case, before the first step runs. */
export function registerHandlers(run: CaseRun): void {
  defineDecision(run, approve(run));
  defineDecision(run, requestChanges(run));
  setHandler(addNoteSignal, (d: NoteInput) => {
    const problem = noteProblem(d);
    if (problem) {
      run.audit({ actor: typeof d?.author === 'string' ? d.author : 'unknown', action: 'note rejected', accepted: false, detail: problem, via: 'signal' });
      return;
    }
    run.s.notes.push({ author: d.author, text: d.text, url: d.url, at: run.now() });
    run.audit({ actor: d.author, action: 'add note', accepted: true, detail: d.url, via: 'signal' });
  });
  setHandler(uploadDraftUpdate, (d) => uploadDraft(run, d), {
    validator: (d) => {
      const problem = uploadProblem(run, d);
      if (problem) throw new Error(problem);
    },
  });
  defineDecision(run, resume(run));

  setHandler(progressQuery, () => run.progress());
  setHandler(auditTrailQuery, () => run.s.audit);
  setHandler(reviewPacketQuery, (): ReviewPacket => {
    const s = run.s;
    return {
      caseId: run.caseId,
      revision: s.draft?.revision,
      draft: s.draft,
      qa: s.qa && { errors: s.qa.errors, warnings: s.qa.warnings, findings: s.qa.findings, reportRef: s.qa.reportRef },
      figures: s.draft?.figures ?? [],
      sources: s.dossier?.sources ?? [],
      feedback: s.feedback,
    };
  });
}
