/**
 * The activity contract: what workflows may call. `activities/index.ts` proves at compile time that
 * the real implementations satisfy it; workflow tests may supply their own.
 */
import type {
  CaseBrief,
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

export interface CaseActivities {
  collectSources(input: { caseId: string; planFile: string; sources: SourceRef[]; notes: ResearchNote[] }): Promise<DossierSummary>;
  analyzeCase(input: { caseId: string; brief: CaseBrief; dossierRef: string; feedback: string[] }): Promise<OutlineSummary>;
  composeDraft(input: {
    caseId: string;
    brief: CaseBrief;
    planVersion: string;
    outlineRef: string;
    dossierRef: string;
    templateFile: string;
    language: Lang;
    feedback: string[];
    author: string;
  }): Promise<DraftInfo>;
  applyDraftUpload(input: {
    caseId: string;
    baseRef: string;
    markdown: string;
    section?: string;
    author: string;
    dossierRef: string;
  }): Promise<DraftInfo>;
  checkDraft(input: {
    caseId: string;
    draftRef: string;
    dossierRef: string;
    templateFile: string;
    language: Lang;
    revision: string;
  }): Promise<QaSummary>;
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
