/**
 * A running campaign: its state, the rows of its cases, and what it does to them (start, adopt,
 * poll, record a phase change). campaign.ts holds the wiring and the main loop.
 */
import { ApplicationFailure, log, setCurrentDetails, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { PolledCase } from '../src/domain/activities';
import type { CaseInput } from '../src/domain/case';
import { type CampaignCasePhase, campaignStages, furthestPhase } from '../src/domain/campaign';
import { PHASE_PERCENT } from '../src/domain/phases';
import type { AddCaseInput, CampaignCaseRow, CampaignProgress, CampaignStatus } from '../src/messages';
import { CASE_ID_PATTERN, caseWorkflowId } from '../src/names';
import { CampaignKey, CaseIdKey, CaseIndustryKey, CasePhaseKey, CaseProgressKey } from '../src/search-attributes';
import { caseWorkflow } from './case';
import { readCaseProgress } from './proxies';

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
export function addCaseProblem(d: AddCaseInput | undefined, s: CampaignState, input: CampaignInput): string | undefined {
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

export class CampaignRun {
  readonly version: string;
  readonly concurrency: number;
  readonly pollMs: number;
  readonly s: CampaignState;
  /** Cases whose child handle this run holds; the others are read by polling. */
  private readonly tracked = new Set<string>();
  /** Something changed since the main loop last looked. */
  changed = false;

  constructor(readonly input: CampaignInput) {
    this.version = input.version;
    this.concurrency = input.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw ApplicationFailure.nonRetryable(`Concurrency must be a whole number of at least 1; got ${this.concurrency}.`, 'InvalidCampaign');
    }
    this.pollMs = msToNumber((input.pollInterval ?? '1 minute') as Parameters<typeof msToNumber>[0]);
    this.s = input.state ?? this.initialState();
  }

  private initialState(): CampaignState {
    const { input } = this;
    if (input.cases.length === 0) throw ApplicationFailure.nonRetryable(`Campaign ${this.version} has no cases.`, 'InvalidCampaign');
    const s: CampaignState = { order: [], cases: {}, startedAt: this.now(), status: 'running', rejected: [] };
    for (const c of input.cases) {
      const problem = addCaseProblem({ input: c }, s, input);
      if (problem) throw ApplicationFailure.nonRetryable(problem, 'InvalidCampaign');
      s.order.push(c.caseId);
      s.cases[c.caseId] = { input: c, row: newRow(c, s.startedAt) };
    }
    return s;
  }

  now(): string {
    return new Date().toISOString();
  }

  rows(): CampaignCaseRow[] {
    return this.s.order.map((id) => this.s.cases[id].row);
  }

  progress(): CampaignProgress {
    const s = this.s;
    return {
      version: this.version,
      planVersion: this.input.planVersion,
      planFile: this.input.planFile,
      status: s.status,
      concurrency: this.concurrency,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
      summaryPath: s.summaryPath,
      cases: this.rows(),
      stages: campaignStages(this.rows().map((r) => r.furthest)),
      rejected: s.rejected,
    };
  }

  refreshDetails(): void {
    const p = this.progress();
    setCurrentDetails(
      [
        `**Campaign ${this.version}** — ${p.status}, ${p.cases.length} cases, concurrency ${this.concurrency}`,
        '',
        '| case | phase | % |',
        '|---|---|---|',
        ...p.cases.map((r) => `| ${r.caseId} | ${r.phase}${r.adopted ? ' (adopted)' : ''} | ${r.percent} |`),
        '',
        ...p.stages.map((st) => `- ${st.label}: ${st.percent}%`),
      ].join('\n'),
    );
  }

  /** Records a case's phase change (from its signal, its result, or a poll). */
  apply(caseId: string, phase: CampaignCasePhase, fields: { percent?: number; revision?: string; reworkLoops?: number; at?: string }): void {
    const row = this.s.cases[caseId]?.row;
    if (!row) return;
    if (row.phase !== phase) row.phaseSince = fields.at ?? this.now();
    row.phase = phase;
    row.furthest = furthestPhase(row.furthest, phase);
    if (fields.percent !== undefined && fields.percent >= 0) row.percent = fields.percent;
    if (fields.revision !== undefined) row.revision = fields.revision;
    if (fields.reworkLoops !== undefined) row.reworkLoops = fields.reworkLoops;
    if (phase === 'published') {
      row.percent = 100;
      row.publishedAt ??= fields.at ?? this.now();
    }
    this.changed = true;
    this.refreshDetails();
  }

  /** Adds a validated case (see {@link addCaseProblem}); the main loop starts it when there is room. */
  addCase(c: CaseInput): CampaignCaseRow {
    const s = this.s;
    const caseInput: CaseInput = { ...c, campaign: this.version };
    s.order.push(c.caseId);
    s.cases[c.caseId] = { input: caseInput, row: newRow(caseInput, this.now()) };
    if (s.status !== 'running') s.status = 'running';
    this.changed = true;
    this.refreshDetails();
    return s.cases[c.caseId].row;
  }

  /** Records a malformed or duplicate `addCase` signal (an update is rejected to its caller instead). */
  reject(problem: string): void {
    const rejected = this.s.rejected;
    rejected.push({ at: this.now(), detail: problem });
    if (rejected.length > MAX_REJECTED) rejected.splice(0, rejected.length - MAX_REJECTED);
    log.warn('Rejected addCase signal', { problem });
  }

  active(): number {
    return this.rows().filter((r) => r.startedAt && r.phase !== 'published' && r.phase !== 'failed').length;
  }

  untracked(): CampaignCaseRow[] {
    return this.rows().filter((r) => r.startedAt && r.phase !== 'published' && !this.tracked.has(r.caseId));
  }

  allPublished(): boolean {
    return this.s.order.length > 0 && this.rows().every((r) => r.phase === 'published');
  }

  /** Starts a case as a child; one already running (or published) under its id is adopted instead. */
  async startCase(caseId: string): Promise<void> {
    const { version } = this;
    const { input: c, row } = this.s.cases[caseId];
    row.startedAt = this.now();
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
      this.tracked.add(caseId);
      if (row.phase === 'pending') this.apply(caseId, 'research', { percent: PHASE_PERCENT.research });
      void handle.result().then(
        () => this.apply(caseId, 'published', {}),
        (err) => {
          this.tracked.delete(caseId);
          log.warn('Case failed; the campaign will poll it in case it is restarted', { caseId, error: String(err) });
          this.apply(caseId, 'failed', {});
        },
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      row.adopted = true;
      log.info('Adopted a case that was already running or published', { caseId });
      await this.poll(caseId);
    }
  }

  /** Reads a case this run did not start (adopted, or started by an earlier run). */
  async poll(caseId: string): Promise<void> {
    const row = this.s.cases[caseId].row;
    const seen: PolledCase = await readCaseProgress({ caseId, workflowId: row.workflowId });
    if (seen.status === 'COMPLETED') this.apply(caseId, 'published', {});
    else if (seen.status === 'RUNNING' && seen.phase) this.apply(caseId, seen.phase, seen);
    else if (seen.status !== 'RUNNING' && seen.status !== 'NOT_FOUND') this.apply(caseId, 'failed', {});
  }
}
