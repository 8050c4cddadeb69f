import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { Template } from '../../domain/types';
import { loadTemplate, PlanError } from '../../plan';
import { runQa, type QaReport } from '../../qa';
import { CliError, UsageError } from '../errors';

/** Turns a file-system problem with a path the user gave into a message for people. */
function pathProblem(file: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') throw new UsageError(`no such file or directory: ${file}`, 'check the path; `casebook qa` takes Markdown files and directories, e.g. `casebook qa docs/cases`');
  throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 'check the file permissions', 1, { cause: err });
}

/** Every `.md` file under a directory, sorted, skipping hidden directories and node_modules. */
async function markdownUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((err: unknown) => pathProblem(dir, err));
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') out.push(...(await markdownUnder(full)));
    else if (e.isFile() && /\.md$/i.test(e.name)) out.push(full);
  }
  return out;
}

/** The files the arguments name: files as given, directories expanded to every `.md` inside. */
async function filesOf(args: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    const stat = await fs.stat(arg).catch((err: unknown) => pathProblem(arg, err));
    if (!stat.isDirectory()) {
      files.push(arg);
      continue;
    }
    const inside = await markdownUnder(arg);
    if (inside.length === 0) throw new UsageError(`${arg} holds no Markdown (.md) file`, 'pass a directory with .md files in it, or the files themselves');
    files.push(...inside);
  }
  return files;
}

function planProblem(err: unknown): never {
  if (err instanceof PlanError) throw new CliError(err.message, 'fix the template file, or pass another one with --template <file>', 1, { cause: err });
  throw err;
}

/** One report as text: `file:line severity rule message`, the fix on the next line, then the file's counts. */
function renderText(report: QaReport): string {
  const lines = report.findings.map((f) => `${report.file}:${f.line ?? 1} ${f.severity} ${f.rule} ${f.message}\n    fix: ${f.fix}`);
  lines.push(`${report.file}: ${report.errors} error(s), ${report.warnings} warning(s)`);
  return lines.join('\n');
}

/** The one summary line that ends the text output. */
export function summaryLine(reports: QaReport[]): string {
  const errors = reports.reduce((n, r) => n + r.errors, 0);
  const warnings = reports.reduce((n, r) => n + r.warnings, 0);
  const failing = reports.filter((r) => r.errors > 0).length;
  return `${reports.length} file(s) checked: ${errors} error(s), ${warnings} warning(s); ${failing} file(s) with errors`;
}

/**
 * `casebook qa <path...> [--json] [--template <file>] [--case | --no-case]`: the QA checks of the
 * case pipeline on Markdown files and directories (every `.md` inside). Case documents (casebook
 * frontmatter, or headings that follow the template) get every rule; other Markdown the generic ones.
 * Sets exit code 1 when any file has errors.
 */
export function qaCommand(): Command {
  return new Command('qa')
    .description('check Markdown files and directories: format, data accuracy and Temporal code (exit code 1 on errors)')
    .argument('<paths...>', 'Markdown files, or directories (every .md inside is checked)')
    .option('--json', 'print the reports as JSON')
    .option('--template <file>', 'analysis template for case documents (default: plan/template.yaml)')
    .option('--case', 'judge every file as a case document (all rules)')
    .option('--no-case', 'judge every file as plain Markdown (generic rules only)')
    .action(async (paths: string[], opts: { json?: boolean; template?: string; case?: boolean }) => {
      let template: Template | undefined;
      if (opts.template) template = await loadTemplate(opts.template).catch(planProblem);
      const files = await filesOf(paths);
      const reports: QaReport[] = [];
      for (const file of files) {
        const text = await fs.readFile(file, 'utf8').catch((err: unknown) => pathProblem(file, err));
        const options = { file: path.normalize(file), ...(template ? { template } : {}), ...(opts.case !== undefined ? { case: opts.case } : {}) };
        reports.push(await runQa(text, options).catch(planProblem));
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
      else console.log([...reports.map(renderText), summaryLine(reports)].join('\n\n'));
      if (reports.some((r) => r.errors > 0)) process.exitCode = 1;
    });
}
