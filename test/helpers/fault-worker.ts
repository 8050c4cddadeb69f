/**
 * A casebook worker run as its own process by the fault and security tests, so that they can
 * SIGKILL it. Configured through the environment:
 *
 * - `FAULT_ADDRESS`, `FAULT_TASK_QUEUE`, `FAULT_BUNDLE` (a prebuilt workflow bundle file),
 *   `FAULT_DIR` (where markers go), `CASEBOOK_HOME`, `CASEBOOK_LIBRARY_DIR`;
 * - `FAULT_STALL`: comma-separated `<caseId>:<activity>` pairs; that activity does its work, writes
 *   `stalled/<caseId>.<activity>` and then never returns (the test kills the process);
 * - `FAULT_REAL_NOTIFY=1`: use the real `notify` activity (the security test).
 *
 * Publishing is the real activity (document and manifest on disk); the other phases are small
 * file-writing stand-ins. Every attempt writes `calls/<caseId>.<activity>.<attempt>.<pid>` when it
 * starts. Prints `ready` once the worker polls.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { notify } from '../../activities/notifications';
import { publishCase, unpublishCase } from '../../activities/publishing';
import { revisionOf } from '../../activities/store';
import { putArtifact, putJson } from '../../activities/store';
import { briefOf, readArtifactJson } from '../../activities/artifacts';
import type { Dossier } from '../../src/domain/types';
import type { CaseActivities } from '../../src/domain/activities';
import { createWorker } from '../../src/worker';

const dir = required('FAULT_DIR');
const stalls = new Set((process.env.FAULT_STALL ?? '').split(',').filter(Boolean));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function mark(relative: string): Promise<void> {
  const file = path.join(dir, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${process.pid}\n`);
}

/** Records each attempt, and stalls after the work when the test asked for it. */
function instrumented<I extends { caseId: string }, O>(name: string, fn: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    await mark(`calls/${input.caseId}.${name}.${Context.current().info.attempt}.${process.pid}`);
    const result = await fn(input);
    if (stalls.has(`${input.caseId}:${name}`)) {
      await mark(`stalled/${input.caseId}.${name}`);
      // The work is done but its completion is never reported: only a retry can finish the phase.
      await new Promise<never>(() => undefined);
    }
    return result;
  };
}

const activities: CaseActivities = {
  collectSources: instrumented('collectSources', async (input) => {
    const sources = input.sources ?? input.brief?.sources ?? [];
    // As the real research does, the brief is stored in the dossier for the steps that follow.
    return { ref: await putJson({ caseId: input.caseId, sources, brief: input.brief }), sources: sources.map((s) => ({ id: s.id, title: s.title, status: 'ok' as const })), factCount: 0 };
  }),
  analyzeCase: instrumented('analyzeCase', async (input) => ({
    ref: await putJson({ caseId: input.caseId, dossier: input.dossierRef }),
    patterns: ['saga'],
  })),
  composeDraft: instrumented('composeDraft', async (input) => {
    const brief = briefOf(input.brief, await readArtifactJson<Dossier>(input.dossierRef, 'research dossier'));
    const markdown = `# ${brief.title.en}\n\nCase ${input.caseId}, from ${input.outlineRef}.\n`;
    return { revision: revisionOf(markdown), ref: await putArtifact(markdown, 'md'), bytes: markdown.length, author: input.author, figures: [] };
  }),
  applyDraftUpload: async () => {
    throw ApplicationFailure.nonRetryable('uploads are not part of the fault tests', 'InvalidDraft');
  },
  checkDraft: instrumented('checkDraft', async (input) => ({
    revision: input.revision,
    errors: 0,
    warnings: 0,
    findings: [],
    reportRef: await putJson({ caseId: input.caseId, revision: input.revision }),
  })),
  publishCase: instrumented('publishCase', publishCase),
  unpublishCase: instrumented('unpublishCase', unpublishCase),
  updateLibraryDocs: async () => ({ written: [], changed: [] }),
  notify: instrumented('notify', process.env.FAULT_REAL_NOTIFY === '1' ? notify : async () => ({ delivered: ['test'] })),
};

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: required('FAULT_ADDRESS') });
  try {
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue: required('FAULT_TASK_QUEUE'),
      activities,
      workflowBundle: { codePath: required('FAULT_BUNDLE') },
    });
    console.log('ready');
    await worker.run(); // SIGTERM drains it
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(`fault worker failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
