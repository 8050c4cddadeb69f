/**
 * What blocks a writer's draft, told at once after an upload: QA (with the case gates) on the new
 * revision, read from the artifact store the worker shares with this machine.
 */
import { getArtifact } from '../../activities/store';
import { awaitingWriterOf } from '../domain/drafting';
import type { DraftInfo, Finding } from '../domain/types';
import { runQa } from '../qa';

/** The errors that block the revision, and what still waits for the writer. */
export interface WriterFeedback {
  awaitingWriter: string[];
  blocking: Finding[];
  /** Set when the revision could not be read here (another machine's artifact store). */
  unavailable?: string;
}

export async function writerFeedback(info: DraftInfo, caseId: string): Promise<WriterFeedback> {
  let markdown: string;
  try {
    markdown = await getArtifact(info.ref);
  } catch (err) {
    return { awaitingWriter: info.awaitingWriter ?? [], blocking: [], unavailable: (err as Error).message };
  }
  const report = await runQa(markdown, { file: `${caseId}@${info.revision}` });
  return { awaitingWriter: awaitingWriterOf(markdown), blocking: report.findings.filter((f) => f.severity === 'error') };
}

/** The feedback as lines for people. */
export function renderWriterFeedback(f: WriterFeedback, caseId: string): string {
  if (f.unavailable) return `QA runs on the worker; see \`casebook show ${caseId}\` for its findings.`;
  const out: string[] = [];
  if (f.awaitingWriter.length) out.push(`Still waiting for the writer (the case stays in drafting): ${f.awaitingWriter.join(', ')}.`);
  if (f.blocking.length === 0) out.push('QA finds nothing that blocks this revision.');
  else {
    out.push(`${f.blocking.length} error(s) block publishing:`);
    for (const e of f.blocking.slice(0, 20)) out.push(`  line ${e.line ?? '-'} ${e.rule}: ${e.message}\n    fix: ${e.fix}`);
    if (f.blocking.length > 20) out.push(`  … and ${f.blocking.length - 20} more (\`casebook qa\` on the file lists them all).`);
  }
  return out.join('\n');
}
