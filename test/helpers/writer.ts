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

/** Waits for `drafting`, then uploads the written draft of the case; returns the new revision. */
export function uploadWrittenDraft(handle: WorkflowHandle, caseId: string, version = 'v15.0', author = 'writer'): Promise<string> {
  return uploadDraftFile(handle, path.join(projectRoot, 'drafts', version, `${caseId}.md`), author);
}

/** The same for a draft kept elsewhere (a test fixture's case, outside the plan's drafts). */
export async function uploadDraftFile(handle: WorkflowHandle, file: string, author = 'writer'): Promise<string> {
  const markdown = readFileSync(file, 'utf8');
  for (let i = 0; i < 480; i++) {
    const { phase } = await handle.query(progressQuery);
    if (phase === 'drafting') {
      const info = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author, markdown }] });
      return info.revision;
    }
    if (phase === 'attention') throw new Error(`${handle.workflowId} needs attention before the writer's upload`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${handle.workflowId} never reached drafting`);
}
