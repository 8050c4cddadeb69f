import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { CaseActivities, NotificationKind } from '../src/domain/activities';
import {
  type Approval,
  checkDecision,
  describeQuorum,
  eligibleReviewers,
  pendingReviewers,
  quorumMet,
  type ReviewContext,
} from '../src/domain/review';
import type {
  CaseBrief,
  CasePhase,
  DossierSummary,
  DraftInfo,
  Lang,
  OutlineSummary,
  QaSummary,
  ResearchNote,
  ReworkPhase,
  WorkPhase,
} from '../src/domain/types';
import { REWORK_PHASES } from '../src/domain/types';
import {
  type ApproveInput,
  type AuditEntry,
  type CaseProgress,
  type DecisionResult,
  type NoteInput,
  type PhaseTiming,
  type RequestChangesInput,
  type ResumeInput,
  type ReviewPacket,
  type UploadDraftInput,
  addNoteSignal,
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  caseProgressSignal,
  progressQuery,
  requestChangesSignal,
  requestChangesUpdate,
  resumeSignal,
  resumeUpdate,
  reviewPacketQuery,
  uploadDraftUpdate,
} from '../src/messages';
import {
  CampaignKey,
  CaseIdKey,
  CaseIndustryKey,
  CasePhaseKey,
  CaseProgressKey,
  CaseReviewersKey,
  CaseRevisionKey,
} from '../src/search-attributes';

/** Input of {@link caseWorkflow}. `state` is set only when the workflow continues as new. */
export interface CaseInput {
  caseId: string;
  planVersion: string;
  /** Plan and template files, as the worker sees them (relative to the project root or absolute). */
  planFile: string;
  templateFile: string;
  brief: CaseBrief;
  language?: Lang;
  campaign?: string;
  state?: CaseState;
}

export interface CaseResult {
  caseId: string;
  phase: CasePhase;
  revision?: string;
  publishedPath?: string;
  approvals: string[];
}

interface ReviewRound {
  revision: string;
  requestedAt: number;
  reminded: boolean;
  escalated: boolean;
}

/** Everything the workflow knows; carried across continue-as-new. */
export interface CaseState {
  phase: CasePhase;
  /** Where the case goes when it leaves `attention`. */
  resumeTo?: WorkPhase;
  attention?: string;
  notes: ResearchNote[];
  feedback: { reviewer: string; comment: string; revision?: string; backTo?: ReworkPhase }[];
  dossier?: DossierSummary;
  outline?: OutlineSummary;
  draft?: DraftInfo;
  /** The markdown of an uploaded draft is not kept; `draft.ref` points at it. */
  qa?: QaSummary;
  /** Revision whose QA failed; a composer that reproduces it waits for a writer instead of looping. */
  failedRevision?: string;
  /** Who uploaded the current draft; the composer must not overwrite a writer's work. */
  uploadedBy?: string;
  revisionCount: number;
  maxRevisions: number;
  reworkLoops: number;
  approvals: Record<string, Approval>;
  review?: ReviewRound;
  publishedPath?: string;
  audit: AuditEntry[];
  timings: PhaseTiming[];
  responseTimes: { reviewer: string; ms: number }[];
}

const PROGRESS: Record<CasePhase, number> = {
  research: 5,
  analysis: 20,
  writing: 35,
  drafting: 35,
  qa: 50,
  review: 65,
  publish: 90,
  published: 100,
  attention: -1,
  failed: -1,
};

// Timeouts are also how a crashed worker is noticed: an attempt on a dead worker is retried on
// another once its heartbeat or start-to-close timeout passes, so keep them close to real durations.
const { collectSources } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5, initialInterval: '2 seconds' },
});

const { analyzeCase, composeDraft, applyDraftUpload, checkDraft } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, initialInterval: '2 seconds', nonRetryableErrorTypes: ['InvalidDraft'] },
});

const { publishCase, unpublishCase, updateLibraryDocs } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', nonRetryableErrorTypes: ['RevisionMismatch', 'UnsafePath'] },
});

const { notify } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

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

/**
 * One case study, from research to a published document.
 *
 * research → analysis → writing → qa → review → publish. Reviewers decide with the `approve` /
 * `requestChanges` signals or updates; QA failures and requested changes send the work back;
 * past the revision cap, or when publishing fails and is rolled back, the case waits in
 * `attention` for the lead's `resume`.
 */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const { brief, caseId } = input;
  const language: Lang = input.language ?? brief.language;
  const policy = brief.review;
  const s: CaseState = input.state ?? initialState(input);
  const now = () => new Date().toISOString();

  const audit = (entry: Omit<AuditEntry, 'at'>) => {
    s.audit.push({ at: now(), ...entry });
  };

  const reviewContext = (): ReviewContext => ({
    phase: s.phase,
    policy,
    escalated: s.review?.escalated ?? false,
    revision: s.draft?.revision,
    draftAuthor: s.draft?.author,
    approvals: s.approvals,
  });

  const percent = (): number => {
    const base = PROGRESS[s.phase];
    if (base >= 0) return base;
    return s.resumeTo ? PROGRESS[s.resumeTo] : 0;
  };

  const progress = (): CaseProgress => {
    const ctx = reviewContext();
    const approvers = new Set(
      Object.entries(s.approvals)
        .filter(([, a]) => a.revision === s.draft?.revision)
        .map(([name]) => name),
    );
    return {
      caseId,
      company: brief.company,
      industry: brief.industry,
      title: brief.title[language],
      campaign: input.campaign,
      phase: s.phase,
      percent: percent(),
      revision: s.draft?.revision,
      revisionCount: s.revisionCount,
      reviewers: eligibleReviewers(policy, ctx.escalated).map((r) => ({ ...r, approved: approvers.has(r.name) })),
      pendingReviewers: pendingReviewers(ctx),
      escalated: ctx.escalated,
      qa: s.qa && { revision: s.qa.revision, errors: s.qa.errors, warnings: s.qa.warnings },
      attention: s.attention,
      publishedPath: s.publishedPath,
      reworkLoops: s.reworkLoops,
      timings: s.timings,
      responseTimes: s.responseTimes,
    };
  };

  // Search attributes as last written (seeded from the start options or the previous run), so each
  // workflow task writes only what changed, once: every upsert is a visibility write on the server.
  const visible = new Map<string, string>(
    workflowInfo().typedSearchAttributes.getAll().map((pair) => [pair.key.name, JSON.stringify(pair.value)]),
  );
  let visibilityQueued = false;

  /** Marks the visible state dirty; it is written once, at the end of the current workflow task. */
  const refreshVisibility = () => {
    if (visibilityQueued) return;
    visibilityQueued = true;
    // A microtask runs before the activation completes, after every state change of this task.
    void Promise.resolve().then(flushVisibility);
  };

  const flushVisibility = () => {
    visibilityQueued = false;
    const pending = pendingReviewers(reviewContext());
    const wanted: SearchAttributeUpdatePair[] = [
      { key: CaseIdKey, value: caseId },
      { key: CaseIndustryKey, value: brief.industry },
      ...(input.campaign ? [{ key: CampaignKey, value: input.campaign }] : []),
      { key: CasePhaseKey, value: s.phase },
      { key: CaseProgressKey, value: percent() },
      { key: CaseRevisionKey, value: s.draft?.revision ?? 'none' },
      { key: CaseReviewersKey, value: pending },
    ];
    const changed = wanted.filter((pair) => visible.get(pair.key.name) !== JSON.stringify(pair.value));
    if (changed.length) {
      upsertSearchAttributes(changed);
      for (const pair of changed) visible.set(pair.key.name, JSON.stringify(pair.value));
    }
    const checklist = (['research', 'analysis', 'writing', 'qa', 'review', 'publish'] as const)
      .map((phase) => {
        const done = s.timings.some((t) => t.phase === phase && t.endedAt) && s.phase !== phase;
        return `- [${done || s.phase === 'published' ? 'x' : ' '}] ${phase}${s.phase === phase ? ' ← now' : ''}`;
      })
      .join('\n');
    const lines = [
      `**${brief.title[language]}** — phase \`${s.phase}\`, ${percent()}%`,
      '',
      checklist,
      '',
      `Revision: ${s.draft?.revision ?? '—'} (${s.revisionCount} so far, cap ${s.maxRevisions})`,
      `Quorum: ${describeQuorum(policy)}`,
      `Pending reviewers: ${pending.length ? pending.join(', ') : '—'}`,
    ];
    if (s.qa) lines.push(`QA: ${s.qa.errors} errors, ${s.qa.warnings} warnings (revision ${s.qa.revision})`);
    if (s.attention) lines.push('', `⚠️ **Needs attention:** ${s.attention}`);
    if (s.phase === 'drafting') lines.push('', `✍️ **Awaiting writer:** ${(s.draft?.awaitingWriter ?? []).join(', ')} — \`casebook draft scaffold ${caseId}\`, then \`casebook draft upload\`.`);
    setCurrentDetails(lines.join('\n'));
  };

  const enterPhase = (phase: CasePhase) => {
    const at = now();
    const open = s.timings.find((t) => !t.endedAt);
    if (open) open.endedAt = at;
    if (phase !== 'published' && phase !== 'attention' && phase !== 'failed') {
      // Waiting for a writer is writing time in the reports.
      s.timings.push({ phase: phase === 'drafting' ? 'writing' : phase, startedAt: at });
    }
    s.phase = phase;
    refreshVisibility();
    const parent = workflowInfo().parent;
    if (parent) {
      const change = { caseId, phase, percent: percent(), revision: s.draft?.revision, reworkLoops: s.reworkLoops, at };
      // Fire and forget: a campaign that has closed must not hold the case up.
      void getExternalWorkflowHandle(parent.workflowId).signal(caseProgressSignal, change).catch(() => undefined);
    }
  };

  const tell = async (kind: NotificationKind, to: string[], message: string) => {
    try {
      await notify.executeWithOptions({ summary: `notify ${kind}` }, [
        { caseId, kind, to, message, workflowId: workflowInfo().workflowId },
      ]);
    } catch (err) {
      // A lost notification must not stop the case; it is recorded for the lead instead.
      audit({ actor: 'casebook', action: `notify ${kind} failed`, accepted: false, detail: String(err), via: 'workflow' });
    }
  };

  const needAttention = (reason: string, resumeTo: WorkPhase) => {
    s.attention = reason;
    s.resumeTo = resumeTo;
    audit({ actor: 'casebook', action: 'needs attention', accepted: true, detail: reason, via: 'workflow', revision: s.draft?.revision });
    enterPhase('attention');
  };

  /** Records a new revision; every approval given for an older one is void from now on. */
  const adoptDraft = (draft: DraftInfo, actor: string, via: AuditEntry['via']) => {
    const voided = Object.entries(s.approvals).filter(([, a]) => a.revision !== draft.revision);
    s.draft = draft;
    s.revisionCount += 1;
    s.review = undefined;
    audit({ actor, action: 'new revision', revision: draft.revision, accepted: true, via, detail: `${draft.bytes} bytes` });
    if (voided.length) {
      audit({
        actor: 'casebook',
        action: 'approvals voided',
        revision: draft.revision,
        accepted: true,
        via: 'workflow',
        detail: voided.map(([name, a]) => `${name}@${a.revision}`).join(', '),
      });
    }
  };

  // ---- decisions ---------------------------------------------------------------------------
  const applyApprove = (d: ApproveInput, via: 'signal' | 'update'): DecisionResult => {
    const revision = s.draft!.revision;
    s.approvals[d.reviewer] = { revision, at: now(), comment: d.comment };
    if (s.review) s.responseTimes.push({ reviewer: d.reviewer, ms: Date.now() - s.review.requestedAt });
    audit({ actor: d.reviewer, action: 'approve', revision, accepted: true, detail: d.comment, via });
    refreshVisibility();
    const ctx = reviewContext();
    return { revision, approvals: Object.keys(s.approvals).filter((n) => s.approvals[n].revision === revision), pending: pendingReviewers(ctx), quorumMet: quorumMet(ctx) };
  };

  let changesRequested: RequestChangesInput | undefined;
  const applyRequestChanges = (d: RequestChangesInput, via: 'signal' | 'update'): DecisionResult => {
    const revision = s.draft!.revision;
    const backTo = d.backTo ?? 'writing';
    s.feedback.push({ reviewer: d.reviewer, comment: d.comment, revision, backTo });
    if (s.review) s.responseTimes.push({ reviewer: d.reviewer, ms: Date.now() - s.review.requestedAt });
    changesRequested = { ...d, backTo };
    audit({ actor: d.reviewer, action: `request changes (back to ${backTo})`, revision, accepted: true, detail: d.comment, via });
    return { revision, approvals: [], pending: [], quorumMet: false };
  };

  const validateRequestChanges = (d: RequestChangesInput): string | undefined => {
    const problem = checkDecision(reviewContext(), d ?? {}, 'requestChanges');
    if (problem) return problem;
    if (typeof d.comment !== 'string' || d.comment.trim() === '') {
      return 'A change request needs a comment that says what to change: {"reviewer": "...", "comment": "..."}.';
    }
    if (d.comment.length > 10_000) return `The comment has ${d.comment.length} characters; keep it under 10000.`;
    if (d.backTo !== undefined && !(REWORK_PHASES as readonly string[]).includes(d.backTo)) {
      return `"backTo" must be one of ${REWORK_PHASES.join(', ')}; got ${JSON.stringify(d.backTo)}.`;
    }
    return undefined;
  };

  const validateApprove = (d: ApproveInput): string | undefined => {
    const problem = checkDecision(reviewContext(), d ?? {}, 'approve');
    if (problem) return problem;
    if (d.comment !== undefined && (typeof d.comment !== 'string' || d.comment.length > 10_000)) {
      return '"comment" must be a string under 10000 characters.';
    }
    return undefined;
  };

  const rejectSignal = (name: string, payload: unknown, problem: string) => {
    const actor = typeof (payload as { reviewer?: unknown })?.reviewer === 'string' ? (payload as { reviewer: string }).reviewer : 'unknown';
    audit({ actor, action: `${name} rejected`, revision: s.draft?.revision, accepted: false, detail: problem, via: 'signal' });
    log.warn(`Rejected ${name} signal`, { problem });
  };

  setHandler(approveSignal, (d) => {
    const problem = validateApprove(d);
    if (problem) return rejectSignal('approve', d, problem);
    applyApprove(d, 'signal');
  });
  setHandler(approveUpdate, (d) => applyApprove(d, 'update'), {
    validator: (d) => {
      const problem = validateApprove(d);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(requestChangesSignal, (d) => {
    const problem = validateRequestChanges(d);
    if (problem) return rejectSignal('requestChanges', d, problem);
    applyRequestChanges(d, 'signal');
  });
  setHandler(requestChangesUpdate, (d) => applyRequestChanges(d, 'update'), {
    validator: (d) => {
      const problem = validateRequestChanges(d);
      if (problem) throw new Error(problem);
    },
  });

  // ---- research notes, uploads, resume ------------------------------------------------------
  setHandler(addNoteSignal, (d: NoteInput) => {
    const problem =
      typeof d?.author !== 'string' || !d.author.trim()
        ? 'A note needs an author: {"author": "<name>", "text": "..."}.'
        : typeof d.text !== 'string' || !d.text.trim()
          ? 'A note needs text: {"author": "<name>", "text": "..."}.'
          : d.text.length > 20_000
            ? `The note has ${d.text.length} characters; keep notes under 20000.`
            : d.url !== undefined && (typeof d.url !== 'string' || !/^https?:\/\//.test(d.url))
              ? '"url" must be an http(s) URL.'
              : undefined;
    if (problem) {
      audit({ actor: typeof d?.author === 'string' ? d.author : 'unknown', action: 'note rejected', accepted: false, detail: problem, via: 'signal' });
      return;
    }
    s.notes.push({ author: d.author, text: d.text, url: d.url, at: now() });
    audit({ actor: d.author, action: 'add note', accepted: true, detail: d.url, via: 'signal' });
  });

  let uploading = false;
  setHandler(
    uploadDraftUpdate,
    async (d: UploadDraftInput) => {
      uploading = true;
      try {
        const draft = await applyDraftUpload.executeWithOptions({ summary: `upload by ${d.author}` }, [
          { caseId, baseRef: s.draft!.ref, markdown: d.markdown, section: d.section, author: d.author, dossierRef: s.dossier!.ref },
        ]);
        if (draft.revision !== s.draft?.revision) {
          adoptDraft(draft, d.author, 'update');
          s.uploadedBy = d.author;
          s.failedRevision = undefined;
          s.attention = undefined;
          // A draft that still leaves parts to a writer waits for the rest instead of failing QA.
          enterPhase(draft.awaitingWriter?.length ? 'drafting' : 'qa');
        }
        return draft;
      } finally {
        uploading = false;
      }
    },
    {
      validator: (d) => {
        if (typeof d?.author !== 'string' || !d.author.trim()) throw new Error('An upload needs an author.');
        if (typeof d.markdown !== 'string' || !d.markdown.trim()) throw new Error('The uploaded draft is empty.');
        if (d.markdown.length > 1_000_000) throw new Error('The uploaded draft is over 1 MB; split it into sections.');
        if (!s.draft || !s.dossier) throw new Error('There is no draft yet to replace; wait until the case reaches writing.');
        if (!['drafting', 'review', 'attention'].includes(s.phase) || uploading) {
          throw new Error(`Drafts can be uploaded while the case waits in drafting, review or attention; it is in "${s.phase}". Try again when it waits for people (\`casebook show\`).`);
        }
      },
    },
  );

  let resumeRequest: ResumeInput | undefined;
  const validateResume = (d: ResumeInput): string | undefined => {
    if (typeof d?.by !== 'string' || !d.by.trim()) return 'Resume needs {"by": "<name>"}.';
    if (s.phase !== 'attention') return `The case is in "${s.phase}", not waiting for attention; nothing to resume.`;
    if (d.extraRevisions !== undefined && (!Number.isInteger(d.extraRevisions) || d.extraRevisions < 1 || d.extraRevisions > 50)) {
      return '"extraRevisions" must be a whole number from 1 to 50.';
    }
    if (d.backTo !== undefined && !(REWORK_PHASES as readonly string[]).includes(d.backTo)) {
      return `"backTo" must be one of ${REWORK_PHASES.join(', ')}.`;
    }
    return undefined;
  };
  const applyResume = (d: ResumeInput, via: 'signal' | 'update') => {
    resumeRequest = d;
    audit({ actor: d.by, action: 'resume', accepted: true, via, detail: d.backTo });
    return { phase: s.phase };
  };
  setHandler(resumeSignal, (d) => {
    const problem = validateResume(d);
    if (problem) {
      audit({ actor: typeof d?.by === 'string' ? d.by : 'unknown', action: 'resume rejected', accepted: false, detail: problem, via: 'signal' });
      return;
    }
    applyResume(d, 'signal');
  });
  setHandler(resumeUpdate, (d) => applyResume(d, 'update'), {
    validator: (d) => {
      const problem = validateResume(d);
      if (problem) throw new Error(problem);
    },
  });

  // ---- queries -----------------------------------------------------------------------------
  setHandler(progressQuery, progress);
  setHandler(auditTrailQuery, () => s.audit);
  setHandler(reviewPacketQuery, (): ReviewPacket => ({
    caseId,
    revision: s.draft?.revision,
    draft: s.draft,
    qa: s.qa && { errors: s.qa.errors, warnings: s.qa.warnings, findings: s.qa.findings, reportRef: s.qa.reportRef },
    figures: s.draft?.figures ?? [],
    sources: s.dossier?.sources ?? [],
    feedback: s.feedback,
  }));

  // ---- the phases --------------------------------------------------------------------------
  const feedbackTexts = () => s.feedback.map((f) => `${f.reviewer} (${f.revision ?? 'draft'}): ${f.comment}`);
  const qaFeedback = () =>
    (s.qa?.findings ?? []).filter((f) => f.severity === 'error').map((f) => `QA ${f.rule}${f.line ? ` line ${f.line}` : ''}: ${f.message} — ${f.fix}`);

  const research = async () => {
    s.dossier = await collectSources.executeWithOptions({ summary: `collect ${brief.sources.length} sources + ${s.notes.length} notes` }, [
      { caseId, planFile: input.planFile, sources: brief.sources, notes: s.notes },
    ]);
    const unreachable = s.dossier.sources.filter((src) => src.status !== 'ok');
    if (unreachable.length) {
      audit({
        actor: 'casebook',
        action: 'sources not collected',
        accepted: true,
        via: 'workflow',
        detail: unreachable.map((src) => `${src.id}: ${src.error ?? src.status}`).join('; '),
      });
    }
    enterPhase('analysis');
  };

  const analysis = async () => {
    s.outline = await analyzeCase.executeWithOptions({ summary: `map ${s.dossier!.factCount} facts to the template` }, [
      { caseId, brief, dossierRef: s.dossier!.ref, feedback: feedbackTexts() },
    ]);
    enterPhase('writing');
  };

  const writing = async () => {
    const draft = await composeDraft.executeWithOptions({ summary: `compose revision ${s.revisionCount + 1} (${language})` }, [
      {
        caseId,
        brief,
        planVersion: input.planVersion,
        outlineRef: s.outline!.ref,
        dossierRef: s.dossier!.ref,
        templateFile: input.templateFile,
        language,
        feedback: [...feedbackTexts(), ...qaFeedback()],
        author: brief.author,
      },
    ]);
    if (draft.revision === s.failedRevision) {
      // The built-in composer cannot fix what QA found; a writer has to (uploadDraft).
      s.draft = s.draft ?? draft;
      needAttention(
        `QA blocks revision ${draft.revision} and the composer produced it again. Upload a corrected draft with \`casebook draft upload ${caseId}\`.`,
        'writing',
      );
      return;
    }
    if (draft.revision !== s.draft?.revision) {
      adoptDraft(draft, draft.author, 'workflow');
      s.uploadedBy = undefined;
    }
    // The composer left parts only a writer can supply: wait for the upload (never publish a skeleton).
    enterPhase(draft.awaitingWriter?.length ? 'drafting' : 'qa');
  };

  const drafting = async () => {
    await condition(() => s.phase !== 'drafting' || workflowInfo().continueAsNewSuggested);
  };

  const qa = async () => {
    const draft = s.draft!;
    s.qa = await checkDraft.executeWithOptions({ summary: `QA revision ${draft.revision}` }, [
      { caseId, draftRef: draft.ref, dossierRef: s.dossier!.ref, templateFile: input.templateFile, language, revision: draft.revision },
    ]);
    audit({
      actor: 'qa',
      action: s.qa.errors ? 'qa failed' : 'qa passed',
      revision: draft.revision,
      accepted: true,
      via: 'workflow',
      detail: `${s.qa.errors} errors, ${s.qa.warnings} warnings`,
    });
    if (s.qa.errors > 0) {
      s.failedRevision = draft.revision;
      s.reworkLoops += 1;
      if (s.uploadedBy) {
        const first = s.qa.findings.find((f) => f.severity === 'error');
        needAttention(
          `QA blocks revision ${draft.revision} uploaded by ${s.uploadedBy} (${s.qa.errors} errors${first ? `, first: ${first.rule}${first.line ? ` line ${first.line}` : ''}: ${first.message}` : ''}). Upload a corrected draft with \`casebook draft upload ${caseId}\`.`,
          'writing',
        );
        return;
      }
      enterPhase('writing');
    } else {
      s.failedRevision = undefined;
      enterPhase('review');
    }
  };

  const escalateAfterMs = msToNumber(policy.escalateAfter as Parameters<typeof msToNumber>[0]);
  const remindAfterMs = msToNumber(policy.remindAfter as Parameters<typeof msToNumber>[0]);

  const review = async () => {
    const revision = s.draft!.revision;
    if (!s.review || s.review.revision !== revision) {
      s.review = { revision, requestedAt: Date.now(), reminded: false, escalated: false };
      refreshVisibility();
      await tell('review-requested', pendingReviewers(reviewContext()), `${brief.company}: revision ${revision} waits for review (${describeQuorum(policy)}).`);
    }
    const round = s.review;
    const decided = () => quorumMet(reviewContext()) || changesRequested !== undefined || s.phase !== 'review';
    while (!decided()) {
      if (workflowInfo().continueAsNewSuggested) return;
      const elapsed = Date.now() - round.requestedAt;
      const nextAt = !round.reminded ? remindAfterMs : !round.escalated ? escalateAfterMs : elapsed + remindAfterMs;
      const summary = !round.reminded ? 'review reminder' : !round.escalated ? 'review escalation' : 'backup reminder';
      // Wake up for a decision, a deadline, or a history that should be cut (continue-as-new).
      const woken = await condition(() => decided() || workflowInfo().continueAsNewSuggested, Math.max(nextAt - elapsed, 1), { summary });
      if (decided()) break;
      if (woken) return; // continue-as-new suggested: the main loop carries the review over
      if (!round.reminded) {
        round.reminded = true;
        audit({ actor: 'casebook', action: 'reminder sent', revision, accepted: true, via: 'workflow' });
        await tell('reminder', pendingReviewers(reviewContext()), `${brief.company}: revision ${revision} still waits for your review.`);
      } else if (!round.escalated) {
        round.escalated = true;
        audit({ actor: 'casebook', action: `escalated to ${policy.backup.name}`, revision, accepted: true, via: 'workflow' });
        refreshVisibility();
        await tell('escalation', [policy.backup.name], `${brief.company}: the review of revision ${revision} is overdue; ${policy.backup.name} may now decide.`);
      } else {
        await tell('reminder', pendingReviewers(reviewContext()), `${brief.company}: revision ${revision} is overdue for review.`);
      }
    }
    if (s.phase !== 'review') return; // an upload moved the case on
    if (changesRequested) {
      const backTo = changesRequested.backTo ?? 'writing';
      changesRequested = undefined;
      s.reworkLoops += 1;
      await tell('changes-requested', [brief.author], `${brief.company}: changes requested on revision ${revision}; back to ${backTo}.`);
      if (s.revisionCount >= s.maxRevisions) {
        needAttention(`Revision cap reached (${s.revisionCount} of ${s.maxRevisions}) with changes still requested. The lead can allow more revisions with \`casebook resume ${caseId}\`.`, backTo);
        await tell('attention', [policy.backup.name], `${brief.company} needs attention: ${s.attention}`);
      } else {
        enterPhase(backTo);
      }
      return;
    }
    if (quorumMet(reviewContext())) enterPhase('publish');
  };

  const publish = async () => {
    const draft = s.draft!;
    const compensations: (() => Promise<void>)[] = [];
    try {
      const published = await publishCase.executeWithOptions({ summary: `publish revision ${draft.revision}` }, [
        { caseId, industry: brief.industry, draftRef: draft.ref, revision: draft.revision },
      ]);
      compensations.unshift(() => unpublishCase({ caseId, industry: brief.industry, revision: draft.revision }));
      await updateLibraryDocs.executeWithOptions({ summary: 'regenerate the library documents' }, [{ planFile: input.planFile }]);
      s.publishedPath = published.path;
      audit({ actor: 'casebook', action: 'published', revision: draft.revision, accepted: true, via: 'workflow', detail: published.path });
      enterPhase('published');
      await tell('published', [brief.author, ...policy.reviewers.map((r) => r.name)], `${brief.company}: revision ${draft.revision} published at ${published.path}.`);
    } catch (err) {
      // Saga: undo what was published, even if this scope is being cancelled.
      await CancellationScope.nonCancellable(async () => {
        for (const compensate of compensations) await compensate();
      });
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      needAttention(`Publishing failed and was rolled back: ${reason}. Fix the cause, then \`casebook resume ${caseId}\`.`, 'publish');
      await tell('attention', [policy.backup.name], `${brief.company} needs attention: ${s.attention}`);
    }
  };

  const attention = async () => {
    await condition(() => resumeRequest !== undefined || s.phase !== 'attention' || workflowInfo().continueAsNewSuggested);
    if (!resumeRequest) return;
    const d = resumeRequest;
    resumeRequest = undefined;
    s.maxRevisions = Math.max(s.maxRevisions, s.revisionCount) + (d.extraRevisions ?? 3);
    s.attention = undefined;
    s.failedRevision = undefined;
    enterPhase(d.backTo ?? s.resumeTo ?? 'writing');
    s.resumeTo = undefined;
  };

  // ---- main loop ---------------------------------------------------------------------------
  if (!input.state) {
    audit({ actor: 'casebook', action: 'case started', accepted: true, via: 'workflow', detail: `plan ${input.planVersion}` });
    enterPhase('research');
  } else {
    refreshVisibility();
  }

  const steps: Partial<Record<CasePhase, () => Promise<void>>> = {
    research,
    analysis,
    writing,
    drafting,
    qa,
    review,
    publish,
    attention,
  };

  while (s.phase !== 'published') {
    const step = steps[s.phase];
    if (!step) throw ApplicationFailure.nonRetryable(`Case ${caseId} is in an unknown phase "${s.phase}".`, 'InvalidState');
    await step();
    if (workflowInfo().continueAsNewSuggested) {
      // Let running update handlers (a draft upload) finish before the history is cut.
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ ...input, state: s });
    }
  }

  return {
    caseId,
    phase: s.phase,
    revision: s.draft?.revision,
    publishedPath: s.publishedPath,
    approvals: Object.keys(s.approvals).filter((n) => s.approvals[n].revision === s.draft?.revision),
  };
}
