/**
 * The activities as the workflows call them: one proxy per activity, each with a named timeout
 * profile, so the same activity has the same timeouts and retries wherever it is called.
 */
import { type ActivityOptions, proxyActivities } from '@temporalio/workflow';
import type { CampaignActivities, CaseActivities } from '../src/domain/activities';
import { NON_RETRYABLE_TYPES } from '../src/domain/failures';

// Timeouts are also how a crashed worker is noticed: an attempt on a dead worker is retried on
// another once its heartbeat or start-to-close timeout passes, so keep them close to real durations.
export const ACTIVITY_PROFILES = {
  /** Network and file I/O over every source of a case; heartbeats so a dead worker shows within a minute. */
  research: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
  },
  /** CPU work on one case (analysis, composing, QA): seconds, a minute at most. */
  compute: {
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '2 seconds', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
  },
  /** Writes into the library: one file, or the library documents over every case of the plan. */
  library: {
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
  },
  /** Short calls: a notification, a read of another workflow. */
  quick: {
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, initialInterval: '1 second', nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
  },
} satisfies Record<string, ActivityOptions>;

export const { collectSources } = proxyActivities<CaseActivities>(ACTIVITY_PROFILES.research);
export const { analyzeCase, composeDraft, applyDraftUpload, checkDraft } = proxyActivities<CaseActivities>(ACTIVITY_PROFILES.compute);
export const { publishCase, unpublishCase, updateLibraryDocs } = proxyActivities<CaseActivities>(ACTIVITY_PROFILES.library);
export const { notify } = proxyActivities<CaseActivities>(ACTIVITY_PROFILES.quick);
export const { writeCampaignSummary } = proxyActivities<CampaignActivities>(ACTIVITY_PROFILES.library);
export const { readCaseProgress } = proxyActivities<CampaignActivities>(ACTIVITY_PROFILES.quick);
