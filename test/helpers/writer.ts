/**
 * The writer's step for end-to-end tests: once the composer's skeleton waits in `drafting`, upload
 * the hand-written draft drafts/<version>/<caseId>.md as the writer (as `npm run publish:written`
 * does through the CLI).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { projectRoot } from '../../src/config';
import { progressQuery, uploadDraftUpdate } from '../../src/messages';

/**
 * Waits for `drafting`, then uploads the written draft of the case (changed by `edit`, e.g. a
 * writer's answer to a reviewer's change request); returns the new revision.
 */
export function uploadWrittenDraft(
  handle: WorkflowHandle,
  caseId: string,
  version = 'v15.0',
  author = 'writer',
  edit: (markdown: string) => string = (m) => m,
): Promise<string> {
  return uploadDraftFile(handle, path.join(projectRoot, 'drafts', version, `${caseId}.md`), author, edit);
}

/** The same for a draft kept elsewhere (a test fixture's case, outside the plan's drafts). */
export async function uploadDraftFile(handle: WorkflowHandle, file: string, author = 'writer', edit: (markdown: string) => string = (m) => m): Promise<string> {
  const markdown = edit(readFileSync(file, 'utf8'));
  let lastError: unknown;
  // Up to 5 minutes: research, analysis and composing with the real activities on a busy machine.
  for (let i = 0; i < 1200; i++) {
    // A case just started cannot answer queries before its first workflow task: keep polling.
    const phase = await handle.query(progressQuery).then(
      (p) => p.phase,
      (err: unknown) => void (lastError = err),
    );
    if (phase === 'drafting') {
      const info = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author, markdown }] });
      return info.revision;
    }
    if (phase === 'attention') throw new Error(`${handle.workflowId} needs attention before the writer's upload`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${handle.workflowId} never reached drafting${lastError ? ` (last query error: ${String(lastError)})` : ''}`);
}
