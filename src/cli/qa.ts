import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { Template } from '../domain/types';
import { loadTemplate, PlanError } from '../plan';
import { runQa, type QaReport } from '../qa';
import { CliError, UsageError } from './errors';

/** Reads a Markdown file for QA, turning file-system problems into messages for people. */
async function readMarkdown(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${file}`, 'check the path; `casebook qa` takes Markdown files, e.g. `casebook qa docs/cases/fintech/square.md`');
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory`, 'pass the Markdown files inside it, e.g. `casebook qa dir/*.md`');
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 'check the file permissions', 1, { cause: err });
  }
}

function planProblem(err: unknown): never {
  if (err instanceof PlanError) throw new CliError(err.message, 'fix the template file, or pass another one with --template <file>', 1, { cause: err });
  throw err;
}

/** One report as text: `file:line rule message` and the fix on the next line. */
function renderText(report: QaReport): string {
  const lines = report.findings.map((f) => `${report.file}:${f.line ?? 1} ${f.severity} ${f.rule} ${f.message}\n    fix: ${f.fix}`);
  lines.push(`${report.file}: ${report.errors} error(s), ${report.warnings} warning(s)`);
  return lines.join('\n');
}

/**
 * `casebook qa <file.md...> [--json] [--template <file>]`: the QA checks of the case pipeline on any
 * Markdown file. Case documents (frontmatter with `case:`) get every rule; other Markdown the generic
 * ones. Sets exit code 1 when any file has errors.
 */
export function qaCommand(): Command {
  return new Command('qa')
    .argument('<files...>', 'Markdown files to check')
    .option('--json', 'print the reports as JSON')
    .option('--template <file>', 'analysis template for case documents (default: plan/template.yaml)')
    .action(async (files: string[], opts: { json?: boolean; template?: string }) => {
      let template: Template | undefined;
      if (opts.template) template = await loadTemplate(opts.template).catch(planProblem);
      const texts = await Promise.all(files.map(readMarkdown));
      const reports: QaReport[] = [];
      for (const [i, file] of files.entries()) {
        const report = await runQa(texts[i], { file: path.normalize(file), ...(template ? { template } : {}) }).catch(planProblem);
        reports.push(report);
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      else console.log(reports.map(renderText).join('\n\n'));
      if (reports.some((r) => r.errors > 0)) process.exitCode = 1;
    });
}
