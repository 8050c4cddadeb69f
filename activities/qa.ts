/**
 * The QA activity: runs the QA engine on a stored draft and stores the full report.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CheckDraftInput } from '../src/domain/activities';
import type { Dossier, Finding, QaSummary, Template } from '../src/domain/types';
import { loadTemplate, PlanError } from '../src/plan';
import { runQa } from '../src/qa';
import { getArtifact, getJson, putJson } from './store';

/** How many findings the summary (and so the workflow history) keeps; the report has them all. */
export const MAX_SUMMARY_FINDINGS = 30;

const templates = new Map<string, Template>();

async function template(file: string): Promise<Template> {
  const cached = templates.get(file);
  if (cached) return cached;
  try {
    const loaded = await loadTemplate(file);
    templates.set(file, loaded);
    return loaded;
  } catch (err) {
    if (err instanceof PlanError) throw ApplicationFailure.create({ message: err.message, type: 'InvalidTemplate', nonRetryable: true, cause: err });
    throw err;
  }
}

async function artifact<T>(ref: string, what: string, read: (ref: string) => Promise<T>): Promise<T> {
  try {
    return await read(ref);
  } catch (err) {
    // A reference that is malformed or names nothing will not get better on retry.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || /not an artifact reference/.test((err as Error).message)) {
      throw ApplicationFailure.create({ message: `the ${what} ${ref} is not in the artifact store`, type: 'ArtifactMissing', nonRetryable: true, cause: err as Error });
    }
    throw err;
  }
}

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
    artifact(input.draftRef, 'draft', getArtifact),
    artifact(input.dossierRef, 'research dossier', (ref) => getJson<Dossier>(ref)),
    template(input.templateFile),
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
