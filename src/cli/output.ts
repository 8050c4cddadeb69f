/**
 * The CLI's light helpers: case id checks, Web UI links, output. No SDK here: the read-only commands
 * import this module and must start fast.
 */
import type { ConnectionSettings } from '../connection-settings';
import { CASE_ID_PATTERN } from '../names';
import { UsageError } from './errors';

/** Refuses a malformed case id before anything talks to the server. */
export function checkCaseId(caseId: string): string {
  if (!CASE_ID_PATTERN.test(caseId)) {
    throw new UsageError(
      `"${caseId}" is not a case id.`,
      'Case ids are lowercase letters, digits and dashes, like `square` or `epic-games` (see `casebook status`).',
    );
  }
  return caseId;
}

/** Web UI link of a workflow, when the UI address is known. */
export function webUiLink(settings: Pick<ConnectionSettings, 'uiUrl' | 'namespace'>, workflowId: string): string | undefined {
  if (!settings.uiUrl) return undefined;
  return `${settings.uiUrl}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Prints JSON for scripts or text for people. */
export function output(json: boolean, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}
