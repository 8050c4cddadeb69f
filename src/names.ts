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
