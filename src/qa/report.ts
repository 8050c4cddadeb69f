/**
 * QA reports: the findings of one document, counted and rendered as Markdown or JSON.
 */
import type { GateContext } from './gates/context';
import type { Dossier, Finding, Lang, Template } from '../domain/types';

/** The findings of one document. Errors block publishing; warnings go to the reviewers. */
export interface QaReport {
  file?: string;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** What QA may know beside the text. */
export interface QaOptions {
  /** Shown in the report and in findings' locations. */
  file?: string;
  /** The analysis template; the one in `templateFile()` is loaded for cases when absent. */
  template?: Template;
  /** The research dossier: citations are resolved against its sources when given. */
  dossier?: Dossier;
  /** Document language; otherwise the frontmatter's `language`, otherwise guessed from the text. */
  language?: Lang;
  /** Judge it as a case (true) or as plain Markdown (false); otherwise recognised from the document. */
  case?: boolean;
  /** The pipeline publishes it: frontmatter is required and the composer's convention holds in full. */
  pipeline?: boolean;
  /** The library and brief the content gates judge against; loaded from the plan and library when absent. */
  gates?: GateContext;
}

/** Sorts findings by line, then errors first, and counts them. */
export function buildReport(findings: Finding[], file?: string): QaReport {
  const sorted = [...findings].sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
  const errors = sorted.filter((f) => f.severity === 'error').length;
  return { ...(file !== undefined ? { file } : {}), findings: sorted, errors, warnings: sorted.length - errors };
}

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The report as a Markdown document (for the review packet and `casebook qa`). */
export function renderQaMarkdown(report: QaReport): string {
  const out: string[] = [];
  out.push(`# QA report${report.file ? `: ${report.file}` : ''}`, '');
  out.push(`${report.errors} error(s), ${report.warnings} warning(s).`, '');
  if (report.findings.length === 0) {
    out.push('No findings.', '');
    return out.join('\n');
  }
  out.push('| Line | Severity | Rule | Section | Message | Fix |', '| --- | --- | --- | --- | --- | --- |');
  for (const f of report.findings) {
    out.push(
      `| ${f.line ?? ''} | ${f.severity} | ${escapeCell(f.rule)} | ${escapeCell(f.section ?? '')} | ${escapeCell(f.message)} | ${escapeCell(f.fix)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** The report as pretty-printed JSON. */
export function renderQaJson(report: QaReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
