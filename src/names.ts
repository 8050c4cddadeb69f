/** Names shared by the worker, the CLI and the tests. */

/** The task queue every casebook worker polls, unless CASEBOOK_TASK_QUEUE says otherwise (src/config.ts). */
export const DEFAULT_TASK_QUEUE = 'casebook';

/** Stable, readable workflow id of a case: `case-square`. */
export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/** Stable workflow id of a campaign: `campaign-v15.0`. */
export function campaignWorkflowId(version: string): string {
  return `campaign-${version}`;
}

/** Case ids are lowercase slugs; anything else is refused before it reaches the server. */
export const CASE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Names of the case workflow's queries. `src/messages.ts` defines the typed queries with them; the
 * CLI's read-only commands send them over the server's HTTP API without loading the SDK.
 */
export const QUERY_NAMES = { progress: 'progress', auditTrail: 'auditTrail', reviewPacket: 'reviewPacket' } as const;

/**
 * Names of casebook's custom search attributes. `src/search-attributes.ts` defines the typed keys
 * with them; the CLI reads them from the HTTP API's visibility listings by these names.
 */
export const SEARCH_ATTRIBUTE_NAMES = {
  caseId: 'CaseId',
  industry: 'CaseIndustry',
  phase: 'CasePhase',
  progress: 'CaseProgress',
  revision: 'CaseRevision',
  reviewers: 'CaseReviewers',
  campaign: 'Campaign',
} as const;
