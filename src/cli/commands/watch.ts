import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import type { CampaignProgress } from '../../messages';
import { renderStages, watchLines } from '../../report';
import { withClient } from '../context';
import { CliError, UsageError } from '../errors';
import { readPlan } from '../plan-option';
import { existingCampaign, readCampaignProgress } from './campaign';

/** Where `watch` writes: a terminal gets progress bars, anything else plain lines. */
export interface WatchOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width; a terminal that reports none gets plain lines (bars would be cut to nothing). */
  columns?: number;
}

/**
 * Follows a campaign until it completes: progress bars per case on a terminal, otherwise one plain
 * line per change (see `watchLines`). `read` returns the live state; returns the final state.
 */
export async function watchCampaign(
  read: () => Promise<CampaignProgress>,
  out: WatchOutput,
  options: { intervalMs: number; sleep?: (ms: number) => Promise<void> },
): Promise<CampaignProgress> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const bars = out.isTTY && (out.columns ?? 0) >= 40
    ? new MultiBar(
        { stream: out as NodeJS.WritableStream, format: ' {caseId} [{bar}] {percentage}% {phase}', hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      )
    : undefined;
  const byCase = new Map<string, ReturnType<MultiBar['create']>>();
  let previous: CampaignProgress | undefined;
  try {
    for (;;) {
      const next = await read();
      if (bars) {
        for (const row of next.cases) {
          const payload = { caseId: row.caseId.padEnd(14), phase: row.phase };
          const bar = byCase.get(row.caseId);
          if (bar) bar.update(row.percent, payload);
          else byCase.set(row.caseId, bars.create(100, row.percent, payload));
        }
      } else {
        for (const line of watchLines(previous, next)) out.write(`${line}\n`);
      }
      previous = next;
      if (next.status === 'completed') break;
      await sleep(options.intervalMs);
    }
  } finally {
    bars?.stop();
  }
  if (bars) out.write(`${renderStages(previous.stages)}\ncampaign ${previous.version} completed\n`);
  return previous;
}

/** `casebook watch [--campaign v15.0]`. */
export function watchCommand(): Command {
  return new Command('watch')
    .option('--campaign <version>', 'the campaign (default: the plan\'s version)')
    .option('--interval <ms>', 'how often to read the state', '1000')
    .option('--plan <file>', 'plan file (YAML), for the default campaign')
    .action(async (opts: { campaign?: string; interval: string; plan?: string }) => {
      const intervalMs = Number(opts.interval);
      if (!Number.isInteger(intervalMs) || intervalMs < 100) {
        throw new UsageError(`--interval must be a whole number of milliseconds, at least 100; got "${opts.interval}".`, 'For example `--interval 2000`.');
      }
      const version = opts.campaign ?? (await readPlan(opts.plan)).plan.version;
      await withClient(async (client) => {
        const handle = await existingCampaign(client, version);
        await watchCampaign(
          async () => {
            const { progress, status } = await readCampaignProgress(handle);
            if (status !== 'RUNNING' && status !== 'COMPLETED') {
              throw new CliError(`Campaign ${version} is ${status.toLowerCase()}.`, `Start it again with \`casebook campaign start ${version}\`; its cases kept running.`);
            }
            return progress;
          },
          process.stdout,
          { intervalMs },
        );
      });
    });
}
