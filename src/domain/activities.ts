/**
 * The activity contract: what workflows may call. `activities/index.ts` proves at compile time that
 * the real implementations satisfy it; workflow tests may supply their own.
 */
import type { CampaignProgress } from '../messages';
import type {
  CaseBrief,
  CasePhase,
  DossierSummary,
  DraftInfo,
  Lang,
  OutlineSummary,
  PublishResult,
  QaSummary,
  ResearchNote,
  SourceRef,
} from './types';

export type NotificationKind =
  | 'review-requested'
  | 'reminder'
  | 'escalation'
  | 'attention'
  | 'published'
  | 'changes-requested';

/** Input of the composer activity. */
export interface ComposeDraftInput {
  caseId: string;
  /** Absent when research stored the brief in the dossier (cases since the lean engine path). */
  brief?: CaseBrief;
  planVersion: string;
  outlineRef: string;
  dossierRef: string;
  templateFile: string;
  language: Lang;
  feedback: string[];
  author: string;
}

/** Input of the draft-upload activity: the whole draft, or one section of it. */
export interface DraftUploadInput {
  caseId: string;
  baseRef: string;
  markdown: string;
  section?: string;
  author: string;
  dossierRef: string;
  /** The case's template (for `section`); absent only in uploads scheduled before it was passed, which use the worker's. */
  templateFile?: string;
}

/** Input of the QA activity. */
export interface CheckDraftInput {
  caseId: string;
  draftRef: string;
  dossierRef: string;
  templateFile: string;
  language: Lang;
  revision: string;
}

export interface CaseActivities {
  /** Given `brief`, stores it in the dossier (its `sources` are then the brief's) so later steps need not carry it. */
  collectSources(input: { caseId: string; planFile: string; sources?: SourceRef[]; brief?: CaseBrief; notes: ResearchNote[] }): Promise<DossierSummary>;
  /** Without `brief`, reads the one research stored in the dossier. */
  analyzeCase(input: { caseId: string; brief?: CaseBrief; dossierRef: string; feedback: string[] }): Promise<OutlineSummary>;
  composeDraft(input: ComposeDraftInput): Promise<DraftInfo>;
  applyDraftUpload(input: DraftUploadInput): Promise<DraftInfo>;
  checkDraft(input: CheckDraftInput): Promise<QaSummary>;
  publishCase(input: { caseId: string; industry: string; draftRef: string; revision: string }): Promise<PublishResult>;
  unpublishCase(input: { caseId: string; industry: string; revision: string }): Promise<void>;
  updateLibraryDocs(input: { planFile: string }): Promise<{ written: string[]; changed: string[] }>;
  notify(input: {
    caseId: string;
    kind: NotificationKind;
    to: string[];
    message: string;
    workflowId?: string;
  }): Promise<{ delivered: string[] }>;
}

/** A case's state as `readCaseProgress` finds it on the server. */
export interface PolledCase {
  caseId: string;
  /** Workflow status of the latest run; `NOT_FOUND` when no run exists. */
  status: string;
  phase?: CasePhase;
  percent?: number;
  revision?: string;
  reworkLoops?: number;
}

/** Activities of the campaign workflow. */
export interface CampaignActivities {
  /** Writes the campaign summary into `<library>/campaigns/<version>.md` (atomically). */
  writeCampaignSummary(input: { planFile: string; progress: CampaignProgress }): Promise<{ path: string }>;
  /** Reads a case the campaign did not start itself (adopted, or started before a continue-as-new). */
  readCaseProgress(input: { caseId: string; workflowId: string }): Promise<PolledCase>;
}
