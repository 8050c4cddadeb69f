import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Command } from 'commander';
import { caseInput } from '../../cases';
import { type CampaignProgress, addCaseUpdate, campaignProgressQuery } from '../../messages';
import { taskQueue } from '../../config';
import { campaignWorkflowId } from '../../names';
import { UnknownCaseError, findCase } from '../../plan';
import { CampaignKey } from '../../search-attributes';
import type { CampaignInput } from '../../../workflows/campaign';
import { checkCaseId, output, webUiLink, withClient, workerPath } from '../context';
import { CliError, UsageError } from '../errors';
import { planOption, readPlan } from '../plan-option';

/** Refuses a campaign version that is not the plan's own. */
export function checkVersion(version: string, planVersion: string, planFile: string): void {
  if (version !== planVersion) {
    throw new UsageError(
      `Campaign ${version} does not match the plan: ${planFile} is version ${planVersion}.`,
      `Use \`${planVersion}\`, or pass the plan of ${version} with --plan <file>.`,
    );
  }
}

/** Parses `--concurrency`: a whole number from 1 to 50. */
export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 50; got "${value}".`, 'For example `--concurrency 3` (the default).');
  }
  return n;
}

/** The running (or finished) campaign of a version, after checking that it exists. */
export async function existingCampaign(client: Client, version: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(campaignWorkflowId(version));
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new CliError(`No campaign ${version} was found on the server (workflow id ${handle.workflowId}).`, `Start it with \`casebook campaign start ${version}\`.`);
    }
    throw err;
  }
  return handle;
}

/** `casebook campaign start <version>` and `casebook campaign add <version> <caseId>`. */
export function campaignCommand(): Command {
  const campaign = new Command('campaign');

  campaign
    .command('start')
    .description('start the campaign of a plan version: every case of the plan, a few at a time')
    .argument('<version>', 'the plan version, e.g. v15.0')
    .option('--concurrency <n>', 'cases in progress at once (default 3)')
    .addOption(planOption())
    .option('--json', 'print JSON')
    .action(async (version: string, opts: { concurrency?: string; plan?: string; json?: boolean }) => {
      const concurrency = parseConcurrency(opts.concurrency);
      const { plan, planFile, templateFile } = await readPlan(opts.plan);
      checkVersion(version, plan.version, planFile);
      const files = { planFile: workerPath(planFile), templateFile: workerPath(templateFile) };
      const input: CampaignInput = {
        version,
        planVersion: plan.version,
        ...files,
        cases: plan.cases.map((brief) => caseInput(plan, brief, files, { campaign: version })),
        concurrency,
      };
      await withClient(async (client, settings) => {
        const workflowId = campaignWorkflowId(version);
        let outcome: 'started' | 'running' = 'started';
        try {
          await client.workflow.start('campaignWorkflow', {
            workflowId,
            taskQueue: taskQueue(),
            args: [input],
            typedSearchAttributes: [{ key: CampaignKey, value: version }],
            staticSummary: `Campaign ${version}: ${plan.cases.length} cases`,
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          outcome = 'running';
        }
        const link = webUiLink(settings, workflowId);
        output(opts.json ?? false, { version, workflowId, outcome, cases: input.cases.map((c) => c.caseId) }, () =>
          [
            outcome === 'started'
              ? `campaign ${version}: started with ${input.cases.length} cases (${input.cases.map((c) => c.caseId).join(', ')})`
              : `campaign ${version}: already running; nothing changed`,
            `workflow ${workflowId}${link ? `\n  ${link}` : ''}`,
            '',
            `Next: \`casebook watch --campaign ${version}\` or \`casebook report --campaign ${version}\`; in the Web UI filter with Campaign = "${version}".`,
          ].join('\n'),
        );
      });
    });

  campaign
    .command('add')
    .description('add a case of the plan to a running campaign (add it to the plan file first)')
    .argument('<version>', 'the campaign, e.g. v15.0')
    .argument('<caseId>', 'a case id from the plan')
    .addOption(planOption())
    .option('--json', 'print JSON')
    .action(async (version: string, caseId: string, opts: { plan?: string; json?: boolean }) => {
      checkCaseId(caseId);
      const { plan, planFile, templateFile } = await readPlan(opts.plan);
      checkVersion(version, plan.version, planFile);
      let brief;
      try {
        brief = findCase(plan, caseId);
      } catch (err) {
        if (err instanceof UnknownCaseError) {
          throw new CliError(err.message, `Add case "${caseId}" to ${planFile} first, then run this command again.`, 1, { cause: err });
        }
        throw err;
      }
      const files = { planFile: workerPath(planFile), templateFile: workerPath(templateFile) };
      await withClient(async (client) => {
        const handle = await existingCampaign(client, version);
        try {
          const row = await handle.executeUpdate(addCaseUpdate, { args: [{ input: caseInput(plan, brief, files, { campaign: version }) }] });
          output(opts.json ?? false, row, () => `campaign ${version}: added ${row.caseId} (${row.company}); it starts when a slot is free.\nNext: \`casebook report --campaign ${version}\`.`);
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) {
            const reason = err.cause instanceof Error ? err.cause.message : err.message;
            throw new CliError(`Adding ${caseId} was rejected: ${reason}`, `Nothing was changed; see \`casebook report --campaign ${version}\`.`, 1, { cause: err });
          }
          throw err;
        }
      });
    });

  return campaign;
}

/** The campaign's live state, or a clear error when its workflow is gone or was stopped. */
export async function readCampaignProgress(handle: WorkflowHandle): Promise<{ progress: CampaignProgress; status: string }> {
  const [described, progress] = await Promise.all([handle.describe(), handle.query(campaignProgressQuery)]);
  return { progress, status: described.status.name };
}
