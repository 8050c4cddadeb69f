import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo, log } from '@temporalio/workflow';
import { addCaseSignal, addCaseUpdate, campaignProgressQuery, caseProgressSignal, type CampaignProgress } from '../src/messages';
import { CampaignKey } from '../src/search-attributes';
import { type CampaignInput, CampaignRun, addCaseProblem } from './campaign-run';
import { updateLibraryDocs, writeCampaignSummary } from './proxies';

export type { CampaignInput, CampaignState } from './campaign-run';

function registerHandlers(run: CampaignRun): void {
  setHandler(caseProgressSignal, (change) => {
    if (!run.s.cases[change?.caseId]) {
      log.warn('caseProgress from a case outside the campaign', { caseId: change?.caseId });
      return;
    }
    run.apply(change.caseId, change.phase, change);
  });
  setHandler(addCaseSignal, (d) => {
    const problem = addCaseProblem(d, run.s, run.input);
    if (problem) return run.reject(problem);
    run.addCase(d.input);
  });
  setHandler(addCaseUpdate, (d) => run.addCase(d.input), {
    validator: (d) => {
      const problem = addCaseProblem(d, run.s, run.input);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(campaignProgressQuery, () => run.progress());
}

/** Every case is published: regenerate the library documents and write the summary, once. */
async function finish(run: CampaignRun): Promise<void> {
  const { s, input, version } = run;
  s.status = 'finishing';
  await updateLibraryDocs.executeWithOptions({ summary: 'regenerate the library documents' }, [{ planFile: input.planFile }]);
  const completedAt = run.now();
  const written = await writeCampaignSummary.executeWithOptions({ summary: `write the ${version} summary` }, [
    { planFile: input.planFile, progress: { ...run.progress(), status: 'completed', completedAt } },
  ]);
  // A case added while the summary was written keeps the campaign going.
  if (run.allPublished()) {
    s.status = 'completed';
    s.completedAt = completedAt;
    s.summaryPath = written.path;
    run.refreshDetails();
  }
}

/**
 * A plan version's campaign: runs every case of the plan as a child `caseWorkflow`, at most
 * `concurrency` unpublished at a time, tracks their phases from the cases' `caseProgress` signals,
 * accepts more cases (`addCase` signal or update), answers `campaignProgress`, and when every case
 * is published regenerates the library documents once more and writes the campaign summary.
 *
 * Children are started with parent-close policy ABANDON, so cases keep going when the campaign
 * continues as new or is restarted. A case whose id is already running (or has published) is
 * adopted, not failed: the campaign reads its state with `readCaseProgress` every `pollInterval`,
 * as it does for children started by an earlier run of itself.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignProgress> {
  const run = new CampaignRun(input);
  const { s } = run;
  registerHandlers(run);
  upsertSearchAttributes([{ key: CampaignKey, value: run.version }]);
  run.refreshDetails();

  for (;;) {
    for (const row of run.rows()) {
      if (run.active() >= run.concurrency) break;
      if (!row.startedAt) await run.startCase(row.caseId);
    }
    if (run.allPublished()) {
      if (s.status !== 'completed') await finish(run);
      if (s.status === 'completed') break;
      continue;
    }
    run.changed = false;
    const wake = () => run.changed || workflowInfo().continueAsNewSuggested;
    const needsPolling = run.untracked().length > 0;
    const woke = needsPolling ? await condition(wake, run.pollMs, { summary: 'wait for case progress' }) : (await condition(wake), true);
    if (!woke) {
      for (const row of run.untracked()) await run.poll(row.caseId);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // Children were started with ABANDON: they keep running and signal the new run by workflow id.
      await continueAsNew<typeof campaignWorkflow>({ ...input, cases: [], state: s });
    }
  }

  await condition(allHandlersFinished);
  return run.progress();
}
