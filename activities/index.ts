import type { CampaignActivities, CaseActivities } from '../src/domain/activities';
import { readCaseProgress, writeCampaignSummary } from './campaign';
import { analyzeCase } from './analysis';
import { applyDraftUpload, composeDraft } from './composing';
import { updateLibraryDocs } from './library';
import { notify } from './notifications';
import { publishCase, unpublishCase } from './publishing';
import { checkDraft } from './qa';
import { collectSources } from './sources';

/** Every activity the worker registers. Typed against the contract the workflows call. */
export const activities: CaseActivities & CampaignActivities = {
  collectSources,
  analyzeCase,
  composeDraft,
  applyDraftUpload,
  checkDraft,
  publishCase,
  unpublishCase,
  updateLibraryDocs,
  notify,
  writeCampaignSummary,
  readCaseProgress,
};

export {
  analyzeCase,
  applyDraftUpload,
  checkDraft,
  collectSources,
  composeDraft,
  notify,
  publishCase,
  readCaseProgress,
  unpublishCase,
  updateLibraryDocs,
  writeCampaignSummary,
};
