/**
 * Signals, updates and queries of the case workflow, declared once and imported by the workflow,
 * the CLI and the tests. Every signal and update takes one JSON object, so the Web UI and
 * `temporal workflow signal --input '{...}'` can send them too.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignCasePhase, CampaignStage } from './domain/campaign';
import type { CasePhase, CitedFigure, DraftInfo, Finding, ReworkPhase } from './domain/types';
import type { AuditEntry, CaseInput, PhaseTiming, RollbackStep } from './domain/case';
import { QUERY_NAMES } from './names';

export type { AuditEntry, PhaseTiming, RollbackStep } from './domain/case';

export interface ApproveInput {
  reviewer: string;
  /** The revision approved; the CLI always sends it. Omitted = the current revision. */
  revision?: string;
  comment?: string;
}

export interface RequestChangesInput {
  reviewer: string;
  comment: string;
  /** Where the work goes back to; default `writing`. */
  backTo?: ReworkPhase;
  revision?: string;
}

export interface NoteInput {
  author: string;
  text: string;
  /** A public source for the note; it is collected with the case's sources next time research runs. */
  url?: string;
}

export interface UploadDraftInput {
  author: string;
  markdown: string;
  /** A template section id or number; omitted = the whole draft. */
  section?: string;
}

export interface ResumeInput {
  by: string;
  /** Revisions allowed beyond the cap from now on; default 3. */
  extraRevisions?: number;
  /** Phase to restart from; default: where the case was going. */
  backTo?: ReworkPhase;
}

/** What an accepted decision returns to the CLI. */
export interface DecisionResult {
  revision: string;
  approvals: string[];
  pending: string[];
  quorumMet: boolean;
}

export interface CaseProgress {
  caseId: string;
  company: string;
  industry: string;
  title: string;
  campaign?: string;
  phase: CasePhase;
  /** 0-100 */
  percent: number;
  revision?: string;
  revisionCount: number;
  reviewers: { name: string; role: string; approved: boolean }[];
  pendingReviewers: string[];
  escalated: boolean;
  qa?: { revision: string; errors: number; warnings: number };
  attention?: string;
  /** The rollback steps of a failed publish, while the case waits in attention because one failed. */
  rollback?: RollbackStep[];
  publishedPath?: string;
  reworkLoops: number;
  timings: PhaseTiming[];
  /** Decision response times in ms, per reviewer, measured from the review request. */
  responseTimes: { reviewer: string; ms: number }[];
}

export interface ReviewPacket {
  caseId: string;
  revision?: string;
  draft?: DraftInfo & { markdown?: string };
  qa?: { errors: number; warnings: number; findings: Finding[]; reportRef: string };
  figures: CitedFigure[];
  sources: { id: string; title: string; status: string; error?: string }[];
  feedback: { reviewer: string; comment: string; revision?: string; backTo?: ReworkPhase }[];
}

/** Sent by a case to the campaign that started it, at every phase change. */
export interface CasePhaseChange {
  caseId: string;
  phase: CasePhase;
  percent: number;
  revision?: string;
  reworkLoops: number;
  at: string;
}

export const caseProgressSignal = defineSignal<[CasePhaseChange]>('caseProgress');

export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const requestChangesSignal = defineSignal<[RequestChangesInput]>('requestChanges');
export const addNoteSignal = defineSignal<[NoteInput]>('addNote');
export const resumeSignal = defineSignal<[ResumeInput]>('resume');

export const approveUpdate = defineUpdate<DecisionResult, [ApproveInput]>('approve');
export const requestChangesUpdate = defineUpdate<DecisionResult, [RequestChangesInput]>('requestChanges');
export const uploadDraftUpdate = defineUpdate<DraftInfo, [UploadDraftInput]>('uploadDraft');
export const resumeUpdate = defineUpdate<{ phase: CasePhase }, [ResumeInput]>('resume');

export const progressQuery = defineQuery<CaseProgress>(QUERY_NAMES.progress);
export const auditTrailQuery = defineQuery<AuditEntry[]>(QUERY_NAMES.auditTrail);
export const reviewPacketQuery = defineQuery<ReviewPacket>(QUERY_NAMES.reviewPacket);

// ---- campaign ------------------------------------------------------------------------------

/** `addCase` signal and update: one case of the campaign's plan version, as `caseInput()` builds it. */
export interface AddCaseInput {
  input: CaseInput;
}

/** One case as the campaign tracks it (from the cases' `caseProgress` signals, or by polling). */
export interface CampaignCaseRow {
  caseId: string;
  company: string;
  industry: string;
  title: string;
  workflowId: string;
  /** Current phase; `pending` until the campaign starts the case. */
  phase: CampaignCasePhase;
  /** The furthest phase ever reached; the stage percentages count this. */
  furthest: CampaignCasePhase;
  percent: number;
  revision?: string;
  reworkLoops: number;
  /** True when the case was already running (or published) under its id and the campaign polls it. */
  adopted: boolean;
  addedAt: string;
  startedAt?: string;
  /** When the current phase began, as the case reported it. */
  phaseSince?: string;
  publishedAt?: string;
}

export type CampaignStatus = 'running' | 'finishing' | 'completed';

/** What `campaignProgress` returns. */
export interface CampaignProgress {
  version: string;
  planVersion: string;
  planFile: string;
  status: CampaignStatus;
  concurrency: number;
  startedAt: string;
  completedAt?: string;
  summaryPath?: string;
  cases: CampaignCaseRow[];
  stages: CampaignStage[];
  /** Malformed or duplicate `addCase` signals, newest last (updates are rejected to the caller instead). */
  rejected: { at: string; detail: string }[];
}

export const addCaseSignal = defineSignal<[AddCaseInput]>('addCase');
export const addCaseUpdate = defineUpdate<CampaignCaseRow, [AddCaseInput]>('addCase');
export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');
