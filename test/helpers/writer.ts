/**
 * The writer's step for end-to-end tests: once the composer's skeleton waits in `drafting`, upload
 * the hand-written draft drafts/<version>/<caseId>.md as the writer (as `npm run publish:written`
 * does through the CLI).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { projectRoot } from '../../src/config';
import { uploadDraftUpdate } from '../../src/messages';
import { waitForProgress } from './harness';

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
  // Up to 5 minutes: research, analysis and composing with the real activities on a busy machine.
  await waitForProgress(handle, 'drafting', (p) => p.phase === 'drafting', 300_000);
  const info = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author, markdown }] });
  return info.revision;
}
