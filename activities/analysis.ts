/**
 * The analysis activity: maps the research dossier onto the template and chooses the Temporal
 * patterns of the design, producing the outline that writing composes from.
 */
import { ApplicationFailure } from '@temporalio/common';
import { buildOutline, type Outline } from '../src/domain/outline';
import type { CaseBrief, Dossier, OutlineSummary } from '../src/domain/types';
import { getJson, putJson } from './store';

export type { Outline, OutlineItem } from '../src/domain/outline';

/**
 * Reads a JSON artifact; a reference that is malformed or names no stored artifact is a permanent
 * failure (retrying cannot make it appear), anything else is left to Temporal's retries.
 */
export async function readArtifactJson<T>(ref: string, what: string): Promise<T> {
  try {
    return await getJson<T>(ref);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || (err instanceof Error && err.message.startsWith('not an artifact reference'))) {
      throw ApplicationFailure.create({
        message: `the ${what} ${JSON.stringify(ref)} is not in the artifact store; run the phase that produces it again`,
        type: 'ArtifactMissing',
        nonRetryable: true,
        cause: err instanceof Error ? err : undefined,
      });
    }
    throw err;
  }
}

/**
 * Maps the dossier's facts into the template (metric facts into the throughput, latency,
 * reliability and cost items; the others into the business background), chooses the patterns and
 * stores the outline. Deterministic and idempotent: the same input stores the same artifact.
 */
export async function analyzeCase(input: {
  caseId: string;
  brief: CaseBrief;
  dossierRef: string;
  feedback: string[];
}): Promise<OutlineSummary> {
  const dossier = await readArtifactJson<Dossier>(input.dossierRef, 'research dossier');
  if (dossier.caseId !== input.caseId || input.brief.id !== input.caseId) {
    throw ApplicationFailure.nonRetryable(
      `the dossier belongs to case "${dossier.caseId}" and the brief to "${input.brief.id}", not to "${input.caseId}"`,
      'CaseMismatch',
    );
  }
  const outline: Outline = buildOutline(input.brief, dossier, input.feedback);
  const ref = await putJson(outline);
  return { ref, patterns: outline.patterns.map((p) => p.id) };
}
