/**
 * The case workflow's input, state and result. They live here, not beside the workflow, so that
 * src/messages.ts (which carries a case input in `addCase`) and the workflow can both import them
 * without an import cycle.
 *
 * Pure types: workflows import this file.
 */
import type { Approval } from './review';
import type { CasePhase, ReworkPhase, WorkPhase } from './phases';
import type { CaseBrief, DossierSummary, DraftInfo, Lang, OutlineSummary, QaSummary, ResearchNote } from './types';

/** Input of the case workflow. `state` is set only when the workflow continues as new. */
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

/** What the case workflow returns once the case is published. */
export interface CaseResult {
  caseId: string;
  phase: CasePhase;
  revision?: string;
  publishedPath?: string;
  approvals: string[];
}

/** One line of a case's audit trail (the `auditTrail` query). */
export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  revision?: string;
  accepted: boolean;
  detail?: string;
  /** `signal`, `update` or `workflow`. */
  via: 'signal' | 'update' | 'workflow';
}

/** When a case entered (and left) one working phase. */
export interface PhaseTiming {
  phase: WorkPhase;
  startedAt: string;
  endedAt?: string;
}

/** The review of one revision: when it was requested and which deadlines have passed. */
export interface ReviewRound {
  revision: string;
  requestedAt: number;
  reminded: boolean;
  escalated: boolean;
}

/** One step of the publish saga's rollback, as it went. */
export interface RollbackStep {
  /** What the step undoes, e.g. `unpublish revision 3f2a…`. */
  step: string;
  /** The revision the step takes out of the library. */
  revision: string;
  undone: boolean;
  /** Why the step failed, when it did. */
  error?: string;
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
  /** Research stored the brief in `dossier`: analysis and writing are not sent it again. */
  dossierHasBrief?: boolean;
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
  /** Rollback steps of a failed publish still left to undo; `resume` retries them first. */
  rollback?: RollbackStep[];
  audit: AuditEntry[];
  timings: PhaseTiming[];
  responseTimes: { reviewer: string; ms: number }[];
}
