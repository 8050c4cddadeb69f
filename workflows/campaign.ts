import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { PolledCase } from '../src/domain/activities';
import type { CaseInput } from '../src/domain/case';
import { PHASE_PERCENT } from '../src/domain/phases';
import { type CampaignCasePhase, campaignStages, furthestPhase } from '../src/domain/campaign';
import {
  type AddCaseInput,
  type CampaignCaseRow,
  type CampaignProgress,
  type CampaignStatus,
  addCaseSignal,
  addCaseUpdate,
  campaignProgressQuery,
  caseProgressSignal,
} from '../src/messages';
import { CASE_ID_PATTERN, caseWorkflowId } from '../src/names';
import { CampaignKey, CaseIdKey, CaseIndustryKey, CasePhaseKey, CaseProgressKey } from '../src/search-attributes';
import { readCaseProgress, updateLibraryDocs, writeCampaignSummary } from './proxies';
import { caseWorkflow } from './case';

/** Everything the campaign knows; carried across continue-as-new. */
export interface CampaignState {
  /** Case ids in the order they joined the campaign. */
  order: string[];
  cases: Record<string, { input: CaseInput; row: CampaignCaseRow }>;
  startedAt: string;
  status: CampaignStatus;
  completedAt?: string;
  summaryPath?: string;
  rejected: { at: string; detail: string }[];
}

/** Input of {@link campaignWorkflow}. `state` is set only when the workflow continues as new. */
export interface CampaignInput {
  /** The campaign's name, the plan version it runs: `v15.0`. */
  version: string;
  planFile: string;
  templateFile: string;
  planVersion: string;
  cases: CaseInput[];
  /** Cases started and not yet published at any one time; default 3. */
  concurrency?: number;
  /** How often cases the campaign did not start itself are read; default `1 minute`. */
  pollInterval?: string;
  state?: CampaignState;
}

const DEFAULT_CONCURRENCY = 3;
const MAX_REJECTED = 20;

function newRow(input: CaseInput, addedAt: string): CampaignCaseRow {
  const language = input.language ?? input.brief.language;
  return {
    caseId: input.caseId,
    company: input.brief.company,
    industry: input.brief.industry,
    title: input.brief.title?.[language] ?? input.brief.company,
    workflowId: caseWorkflowId(input.caseId),
    phase: 'pending',
    furthest: 'pending',
    percent: 0,
    reworkLoops: 0,
    adopted: false,
    addedAt,
  };
}

/** Why an `addCase` payload cannot join the campaign, or undefined when it can. */
function addCaseProblem(d: AddCaseInput | undefined, s: CampaignState, input: CampaignInput): string | undefined {
  const c = d?.input;
  if (!c || typeof c !== 'object') return 'addCase takes one object: {"input": <case input built from the plan>}.';
  if (typeof c.caseId !== 'string' || !CASE_ID_PATTERN.test(c.caseId)) {
    return `"input.caseId" must be a case id (lowercase letters, digits, dashes); got ${JSON.stringify(c.caseId)}.`;
  }
  const b = c.brief;
  if (!b || typeof b !== 'object' || b.id !== c.caseId || typeof b.company !== 'string' || typeof b.industry !== 'string' || !b.review || !b.title) {
    return `"input.brief" must be the plan's brief of case "${c.caseId}" (id, company, industry, title, review).`;
  }
  if (c.planVersion !== input.planVersion) {
    return `Case "${c.caseId}" comes from plan ${JSON.stringify(c.planVersion)}; campaign ${input.version} runs plan ${input.planVersion}.`;
  }
  const existing = s.cases[c.caseId];
  if (existing) return `Case "${c.caseId}" is already in campaign ${input.version} (phase ${existing.row.phase}).`;
  if (s.status === 'completed') return `Campaign ${input.version} has completed; start a new campaign for more cases.`;
  return undefined;
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
  const { version } = input;
  const concurrency = input.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw ApplicationFailure.nonRetryable(`Concurrency must be a whole number of at least 1; got ${concurrency}.`, 'InvalidCampaign');
  }
  const pollMs = msToNumber((input.pollInterval ?? '1 minute') as Parameters<typeof msToNumber>[0]);
  const now = () => new Date().toISOString();

  let s: CampaignState;
  if (input.state) {
    s = input.state;
  } else {
    if (input.cases.length === 0) throw ApplicationFailure.nonRetryable(`Campaign ${version} has no cases.`, 'InvalidCampaign');
    s = { order: [], cases: {}, startedAt: now(), status: 'running', rejected: [] };
    for (const c of input.cases) {
      const problem = addCaseProblem({ input: c }, s, input);
      if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidCampaign');
      s.order.push(c.caseId);
      s.cases[c.caseId] = { input: c, row: newRow(c, s.startedAt) };
    }
  }

  /** Cases whose child handle this run holds; the others are read by polling. */
  const tracked = new Set<string>();
  let changed = false;
  const rows = () => s.order.map((id) => s.cases[id].row);

  const progress = (): CampaignProgress => ({
    version,
    planVersion: input.planVersion,
    planFile: input.planFile,
    status: s.status,
    concurrency,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
    summaryPath: s.summaryPath,
    cases: rows(),
    stages: campaignStages(rows().map((r) => r.furthest)),
    rejected: s.rejected,
  });

  const refreshDetails = () => {
    const p = progress();
    setCurrentDetails(
      [
        `**Campaign ${version}** — ${p.status}, ${p.cases.length} cases, concurrency ${concurrency}`,
        '',
        '| case | phase | % |',
        '|---|---|---|',
        ...p.cases.map((r) => `| ${r.caseId} | ${r.phase}${r.adopted ? ' (adopted)' : ''} | ${r.percent} |`),
        '',
        ...p.stages.map((st) => `- ${st.label}: ${st.percent}%`),
      ].join('\n'),
    );
  };

  const apply = (caseId: string, phase: CampaignCasePhase, fields: { percent?: number; revision?: string; reworkLoops?: number; at?: string }) => {
    const row = s.cases[caseId]?.row;
    if (!row) return;
    if (row.phase !== phase) row.phaseSince = fields.at ?? now();
    row.phase = phase;
    row.furthest = furthestPhase(row.furthest, phase);
    if (fields.percent !== undefined && fields.percent >= 0) row.percent = fields.percent;
    if (fields.revision !== undefined) row.revision = fields.revision;
    if (fields.reworkLoops !== undefined) row.reworkLoops = fields.reworkLoops;
    if (phase === 'published') {
      row.percent = 100;
      row.publishedAt ??= fields.at ?? now();
    }
    changed = true;
    refreshDetails();
  };

  const addCase = (c: CaseInput): CampaignCaseRow => {
    const caseInput: CaseInput = { ...c, campaign: version };
    s.order.push(c.caseId);
    s.cases[c.caseId] = { input: caseInput, row: newRow(caseInput, now()) };
    if (s.status !== 'running') s.status = 'running';
    changed = true;
    refreshDetails();
    return s.cases[c.caseId].row;
  };

  setHandler(caseProgressSignal, (change) => {
    if (!s.cases[change?.caseId]) {
      log.warn('caseProgress from a case outside the campaign', { caseId: change?.caseId });
      return;
    }
    apply(change.caseId, change.phase, change);
  });
  setHandler(addCaseSignal, (d) => {
    const problem = addCaseProblem(d, s, input);
    if (problem) {
      s.rejected.push({ at: now(), detail: problem });
      if (s.rejected.length > MAX_REJECTED) s.rejected.splice(0, s.rejected.length - MAX_REJECTED);
      log.warn('Rejected addCase signal', { problem });
      return;
    }
    addCase(d.input);
  });
  setHandler(addCaseUpdate, (d) => addCase(d.input), {
    validator: (d) => {
      const problem = addCaseProblem(d, s, input);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(campaignProgressQuery, progress);

  const active = () => rows().filter((r) => r.startedAt && r.phase !== 'published' && r.phase !== 'failed').length;

  const startCase = async (caseId: string) => {
    const { input: c, row } = s.cases[caseId];
    row.startedAt = now();
    try {
      const handle = await startChild(caseWorkflow, {
        workflowId: row.workflowId,
        args: [{ ...c, campaign: version }],
        parentClosePolicy: 'ABANDON',
        // A failed run may be redone; a running or published case is adopted instead (below).
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: CampaignKey, value: version },
          { key: CaseIdKey, value: caseId },
          { key: CaseIndustryKey, value: c.brief.industry },
          { key: CasePhaseKey, value: 'research' },
          { key: CaseProgressKey, value: 0 },
        ],
        staticSummary: `${c.brief.company} (campaign ${version})`.slice(0, 190),
      });
      tracked.add(caseId);
      if (row.phase === 'pending') apply(caseId, 'research', { percent: PHASE_PERCENT.research });
      void handle.result().then(
        () => apply(caseId, 'published', {}),
        (err) => {
          tracked.delete(caseId);
          log.warn('Case failed; the campaign will poll it in case it is restarted', { caseId, error: String(err) });
          apply(caseId, 'failed', {});
        },
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      row.adopted = true;
      log.info('Adopted a case that was already running or published', { caseId });
      await poll(caseId);
    }
  };

  const poll = async (caseId: string) => {
    const row = s.cases[caseId].row;
    const seen: PolledCase = await readCaseProgress({ caseId, workflowId: row.workflowId });
    if (seen.status === 'COMPLETED') apply(caseId, 'published', {});
    else if (seen.status === 'RUNNING' && seen.phase) apply(caseId, seen.phase, seen);
    else if (seen.status !== 'RUNNING' && seen.status !== 'NOT_FOUND') apply(caseId, 'failed', {});
  };

  const untracked = () => rows().filter((r) => r.startedAt && r.phase !== 'published' && !tracked.has(r.caseId));
  const allPublished = () => s.order.length > 0 && rows().every((r) => r.phase === 'published');

  upsertSearchAttributes([{ key: CampaignKey, value: version }]);
  refreshDetails();

  for (;;) {
    for (const row of rows()) {
      if (active() >= concurrency) break;
      if (!row.startedAt) await startCase(row.caseId);
    }
    if (allPublished()) {
      if (s.status !== 'completed') {
        s.status = 'finishing';
        await updateLibraryDocs.executeWithOptions({ summary: 'regenerate the library documents' }, [{ planFile: input.planFile }]);
        const completedAt = now();
        const written = await writeCampaignSummary.executeWithOptions({ summary: `write the ${version} summary` }, [
          { planFile: input.planFile, progress: { ...progress(), status: 'completed', completedAt } },
        ]);
        // A case added while the summary was written keeps the campaign going.
        if (allPublished()) {
          s.status = 'completed';
          s.completedAt = completedAt;
          s.summaryPath = written.path;
          refreshDetails();
        }
      }
      if (s.status === 'completed') break;
      continue;
    }
    changed = false;
    const wake = () => changed || workflowInfo().continueAsNewSuggested;
    const needsPolling = untracked().length > 0;
    const woke = needsPolling ? await condition(wake, pollMs, { summary: 'wait for case progress' }) : (await condition(wake), true);
    if (!woke) {
      for (const row of untracked()) await poll(row.caseId);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // Children were started with ABANDON: they keep running and signal the new run by workflow id.
      await continueAsNew<typeof campaignWorkflow>({ ...input, cases: [], state: s });
    }
  }

  await condition(allHandlersFinished);
  return progress();
}
