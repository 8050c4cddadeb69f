import { Command, Option } from 'commander';
import { caseInput, startCase, type StartResult } from '../../cases';
import { findCase, UnknownCaseError } from '../../plan';
import type { CaseBrief, Lang, Plan } from '../../domain/types';
import { checkCaseId, output, webUiLink, withClient, workerPath } from '../context';
import { UsageError } from '../errors';
import { planOption, readPlan } from '../plan-option';

function planned(plan: Plan, caseId: string): CaseBrief {
  try {
    return findCase(plan, caseId);
  } catch (err) {
    if (err instanceof UnknownCaseError) {
      throw new UsageError(err.message, `Add "${caseId}" to ${plan.file} first, or pick one of the planned cases.`);
    }
    throw err;
  }
}

export function startCommand(): Command {
  return new Command('start')
    .argument('[caseIds...]', 'case ids from the plan, e.g. square paypal')
    .option('--all', 'start every case of the plan')
    .option('--again', 'start a new run even if the case was already published')
    .addOption(new Option('--lang <lang>', 'document language').choices(['zh', 'en']))
    .addOption(planOption())
    .option('--json', 'print JSON')
    .action(async (caseIds: string[], opts: { all?: boolean; again?: boolean; lang?: Lang; plan?: string; json?: boolean }) => {
      if (!opts.all && caseIds.length === 0) {
        throw new UsageError('Name at least one case, or use --all.', 'For example `casebook start square`; `casebook status` lists the plan\'s cases.');
      }
      caseIds.forEach(checkCaseId);
      const { plan, planFile, templateFile } = await readPlan(opts.plan);
      const briefs = opts.all ? plan.cases : caseIds.map((id) => planned(plan, id));
      const files = { planFile: workerPath(planFile), templateFile: workerPath(templateFile) };
      await withClient(async (client, settings) => {
        const results: StartResult[] = [];
        for (const brief of briefs) {
          results.push(await startCase(client, caseInput(plan, brief, files, { language: opts.lang }), { again: opts.again }));
        }
        output(opts.json ?? false, results, () =>
          results
            .map((r) => {
              const what = { started: 'started', running: 'already running', published: 'already published (use --again to redo it)' }[r.outcome];
              const link = webUiLink(settings, r.workflowId);
              return `${r.caseId}: ${what} — workflow ${r.workflowId}${link ? `\n  ${link}` : ''}`;
            })
            .concat('', 'Next: `casebook status` to follow progress; `casebook inbox --reviewer <name>` for reviewers.')
            .join('\n'),
        );
      });
    });
}
