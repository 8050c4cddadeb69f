/**
 * The analysis activity: maps the research dossier onto the template and chooses the Temporal
 * patterns of the design, producing the outline that writing composes from.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NonRetryable } from '../src/domain/failures';
import { buildOutline, type Outline } from '../src/domain/outline';
import type { CaseBrief, Dossier, OutlineSummary } from '../src/domain/types';
import { briefOf, readArtifactJson } from './artifacts';
import { putJson } from './store';

export type { Outline, OutlineItem } from '../src/domain/outline';

/**
 * Maps the dossier's facts into the template (metric facts into the throughput, latency,
 * reliability and cost items; the others into the business background), chooses the patterns and
 * stores the outline. Deterministic and idempotent: the same input stores the same artifact.
 */
export async function analyzeCase(input: {
  caseId: string;
  /** Absent when research stored the brief in the dossier. */
  brief?: CaseBrief;
  dossierRef: string;
  feedback: string[];
}): Promise<OutlineSummary> {
  const dossier = await readArtifactJson<Dossier>(input.dossierRef, 'research dossier');
  const brief = briefOf(input.brief, dossier);
  if (dossier.caseId !== input.caseId || brief.id !== input.caseId) {
    throw ApplicationFailure.nonRetryable(
      `the dossier belongs to case "${dossier.caseId}" and the brief to "${brief.id}", not to "${input.caseId}"`,
      NonRetryable.CaseMismatch,
    );
  }
  const outline: Outline = buildOutline(brief, dossier, input.feedback);
  const ref = await putJson(outline);
  return { ref, patterns: outline.patterns.map((p) => p.id) };
}
