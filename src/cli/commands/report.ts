import type { Client } from '@temporalio/client';
import { Command, Option } from 'commander';
import type { Plan } from '../../domain/types';
import { type CaseProgress, progressQuery } from '../../messages';
import { caseWorkflowId } from '../../names';
import { type CampaignReport, type CaseDetail, type ReportFormat, renderReport } from '../../report';
import { withClient } from '../context';
import { planOption, readPlan } from '../plan-option';
import { existingCampaign, readCampaignProgress } from './campaign';

/** Industry id → label in the plan's language. */
export function industryLabels(plan: Plan): Record<string, string> {
  return Object.fromEntries(plan.industries.map((i) => [i.id, i.label[plan.language]]));
}

/** Reads the campaign and each started case's own progress (timings, rework loops, response times). */
export async function readReport(client: Client, version: string, labels: Record<string, string>): Promise<CampaignReport> {
  const { progress } = await readCampaignProgress(await existingCampaign(client, version));
  const details: Record<string, CaseDetail | undefined> = {};
  await Promise.all(
    progress.cases
      .filter((r) => r.phase !== 'pending')
      .map(async (r) => {
        try {
          const p: CaseProgress = await client.workflow.getHandle(caseWorkflowId(r.caseId)).query(progressQuery);
          details[r.caseId] = { timings: p.timings, reworkLoops: p.reworkLoops, responseTimes: p.responseTimes };
        } catch {
          // A case that cannot be queried (no worker, history gone) is reported without details.
          details[r.caseId] = undefined;
        }
      }),
  );
  return { progress, details, industryLabels: labels, generatedAt: new Date().toISOString() };
}

/** `casebook report [--campaign v15.0] [--format md|json]`. */
export function reportCommand(): Command {
  return new Command('report')
    .option('--campaign <version>', 'the campaign (default: the plan\'s version)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .addOption(planOption())
    .action(async (opts: { campaign?: string; format: ReportFormat; plan?: string }) => {
      const { plan } = await readPlan(opts.plan);
      const version = opts.campaign ?? plan.version;
      await withClient(async (client) => {
        console.log(renderReport(await readReport(client, version, industryLabels(plan)), opts.format));
      });
    });
}
