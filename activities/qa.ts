/**
 * The QA activity: runs the QA engine on a stored draft and stores the full report.
 */
import type { CheckDraftInput } from '../src/domain/activities';
import type { Dossier, Finding, QaSummary } from '../src/domain/types';
import { runQa } from '../src/qa';
import { readArtifact, readArtifactJson, readTemplate } from './artifacts';
import { putJson } from './store';

/** How many findings the summary (and so the workflow history) keeps; the report has them all. */
export const MAX_SUMMARY_FINDINGS = 30;

/** Errors first, then by line: the findings a summary keeps when it has to cut. */
function mostImportant(findings: Finding[]): Finding[] {
  return [...findings]
    .sort((a, b) => (a.severity === b.severity ? (a.line ?? 0) - (b.line ?? 0) : a.severity === 'error' ? -1 : 1))
    .slice(0, MAX_SUMMARY_FINDINGS);
}

/**
 * Checks one revision of a draft against the template and the research dossier. Stores the full
 * report as a JSON artifact (`reportRef`) and returns counts with at most
 * {@link MAX_SUMMARY_FINDINGS} findings, errors first. Idempotent: the same draft gives the same report
 * and the same reference.
 */
export async function checkDraft(input: CheckDraftInput): Promise<QaSummary> {
  const [markdown, dossier, tpl] = await Promise.all([
    readArtifact(input.draftRef, 'draft'),
    readArtifactJson<Dossier>(input.dossierRef, 'research dossier'),
    readTemplate(input.templateFile),
  ]);
  const report = await runQa(markdown, { file: `${input.caseId}@${input.revision}`, template: tpl, dossier, language: input.language, pipeline: true });
  const reportRef = await putJson(report);
  return {
    revision: input.revision,
    errors: report.errors,
    warnings: report.warnings,
    findings: mostImportant(report.findings),
    reportRef,
  };
}
