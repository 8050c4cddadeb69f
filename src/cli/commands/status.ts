import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { CaseProgress } from '../../messages';
import type { CasePhase } from '../../domain/types';
import { CASE_PHASES, PHASE_PERCENT, PHASE_ZH, isUnattendedPhase } from '../../domain/phases';
import { statusMaxRows } from '../../config';
import { QUERY_NAMES, SEARCH_ATTRIBUTE_NAMES as SA } from '../../names';
import { boxTable } from '../box-table';
import { checkCaseId, output } from '../output';
import { planNames, type PlanNames } from '../plan-names';
import { type CaseReader, type WorkflowCount, type WorkflowRow, sdkReader, withReader } from '../read';
import { UsageError } from '../errors';

/** One row of the plan's progress table, read from the server's visibility store. */
export interface StatusRow {
  caseId: string;
  industry: string;
  phase: CasePhase | string;
  percent: number;
  revision?: string;
  pendingReviewers: string[];
  campaign?: string;
  workflowStatus: string;
  workflowId: string;
  /** The task queue of its workflow tasks: a worker there answers its queries. */
  taskQueue: string;
  /**
   * Set on a running case in unattended work (research → QA, publish) whose phase is as visibility
   * last listed it, not live: no worker answered its progress query. Such a case's live phase may be ahead.
   */
  asListed?: true;
}

const STATUS_MARKER: Record<string, string> = {
  published: '✅ 已发布',
  attention: '⚠️ 需关注',
  failed: '❌ 失败',
  review: '🔄 评审中',
  drafting: '✍️ 待撰写',
};

export function statusLabel(row: Pick<StatusRow, 'phase' | 'workflowStatus' | 'asListed'>): string {
  if (row.workflowStatus !== 'RUNNING' && row.workflowStatus !== 'COMPLETED' && row.workflowStatus !== 'CONTINUED_AS_NEW') {
    return `❌ ${row.workflowStatus.toLowerCase()}`;
  }
  const label = STATUS_MARKER[row.phase] ?? `🔄 ${row.phase}`;
  return row.asListed ? `${label} (as last listed)` : label;
}

/** The visibility query of the cases, of one campaign or one case when asked. */
function casesQuery(filter?: { campaign?: string; caseId?: string }): string {
  const clauses = ['WorkflowType = "caseWorkflow"'];
  if (filter?.campaign) clauses.push(`${SA.campaign} = "${filter.campaign.replace(/"/g, '')}"`);
  if (filter?.caseId) clauses.push(`${SA.caseId} = "${filter.caseId}"`);
  return clauses.join(' AND ');
}

/** One execution of the listing as a row of the table. */
function toStatusRow(wf: WorkflowRow): StatusRow {
  const sa = wf.searchAttributes as Partial<Record<string, string & number & string[]>>;
  return {
    caseId: sa[SA.caseId] ?? wf.workflowId.replace(/^case-/, ''),
    industry: sa[SA.industry] ?? '',
    phase: sa[SA.phase] ?? 'unknown',
    percent: Number(sa[SA.progress] ?? 0),
    revision: sa[SA.revision],
    pendingReviewers: sa[SA.reviewers] ?? [],
    campaign: sa[SA.campaign],
    workflowStatus: wf.status,
    workflowId: wf.workflowId,
    taskQueue: wf.taskQueue,
  };
}

const byIndustryAndCase = (a: StatusRow, b: StatusRow) => a.industry.localeCompare(b.industry) || a.caseId.localeCompare(b.caseId);

/**
 * Lists cases from the visibility store (search attributes only, no query per case). The latest run
 * of each case wins. The server lists about 1,000 executions per 0.6 s on a loaded 2-core machine,
 * so over thousands of cases `casebook status` prints {@link summarizeCases} instead.
 */
export async function listCaseRows(reader: CaseReader, filter?: { campaign?: string; caseId?: string }): Promise<StatusRow[]> {
  const rows = new Map<string, StatusRow & { startTime: number }>();
  for await (const wf of reader.list(casesQuery(filter))) {
    const row = toStatusRow(wf);
    const seen = rows.get(row.caseId);
    if (seen && seen.startTime >= wf.startTime) continue;
    rows.set(row.caseId, { ...row, startTime: wf.startTime });
  }
  return [...rows.values()].map(({ startTime: _startTime, ...row }) => row).sort(byIndustryAndCase);
}

/** How many progress queries `casebook status` runs at a time. */
const LIVE_QUERIES_AT_ONCE = 8;

/** What {@link withLiveProgress} found: the rows, and the task queues of such cases that no worker polls. */
export interface LiveRows {
  rows: StatusRow[];
  noWorker: string[];
}

/**
 * Replaces the listed phase of running cases in unattended work (which visibility does not follow,
 * see workflows/case-visibility.ts) with their live progress, from each case's progress query, at
 * most {@link LIVE_QUERIES_AT_ONCE} at a time. Queries need a worker: each such case's task queue
 * is checked once, and the cases on a queue no worker polls are not queried (the server would hold
 * each query until its timeout) but marked `asListed`; a query that fails keeps its row as listed (marked).
 */
export async function withLiveProgress(reader: CaseReader, rows: StatusRow[]): Promise<LiveRows> {
  const stale = rows.map((row, i) => [row, i] as const).filter(([row]) => row.workflowStatus === 'RUNNING' && isUnattendedPhase(row.phase));
  if (!stale.length) return { rows, noWorker: [] };
  const out = [...rows];
  const queues = [...new Set(stale.map(([row]) => row.taskQueue))].sort();
  const polled = await Promise.all(queues.map((queue) => reader.hasWorker(queue)));
  const noWorker = queues.filter((_queue, i) => !polled[i]);
  const toQuery = stale.filter(([row, i]) => {
    if (!noWorker.includes(row.taskQueue)) return true;
    out[i] = { ...row, asListed: true };
    return false;
  });
  let next = 0;
  const lane = async () => {
    while (next < toQuery.length) {
      const [row, i] = toQuery[next++];
      try {
        const live = await reader.query<CaseProgress>(row.caseId, QUERY_NAMES.progress);
        out[i] = { ...row, phase: live.phase, percent: live.percent, revision: live.revision ?? row.revision };
      } catch {
        out[i] = { ...row, asListed: true };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIVE_QUERIES_AT_ONCE, toQuery.length) }, lane));
  return { rows: out, noWorker };
}

/** The line under a table whose unattended rows are as listed, because no worker polls their task queue. */
export function noWorkerNote(queues: string[]): string {
  return (
    `No worker polls task queue ${queues.map((q) => `"${q}"`).join(', ')}, so its cases between research and QA (or publishing) show the phase as last listed, ` +
    'which may be behind. Start one with `npm start` (or `npm run worker`) for their live phase.'
  );
}

/** How the server names the closed execution statuses in `GROUP BY ExecutionStatus`, and the summary's names. */
const CLOSED = { Completed: 'published', Failed: 'failed', Terminated: 'terminated', TimedOut: 'timedOut', Canceled: 'canceled', ContinuedAsNew: 'continuedAsNew' } as const;
type ClosedName = (typeof CLOSED)[keyof typeof CLOSED];
/** Closed executions that need the lead (a case that completed published; continued-as-new goes on in a new run). */
const FAILED_STATUSES = ['Failed', 'Terminated', 'TimedOut', 'Canceled'];
/** Running phases that wait for the lead. */
const LEAD_PHASES: CasePhase[] = ['attention', 'failed'];

/**
 * The cases by phase, from visibility counts only (no listing): what `casebook status` prints over
 * more cases than CASEBOOK_STATUS_MAX_ROWS. Counts are of workflow executions: a case started again
 * after its run closed counts once per run. They are taken concurrently, not as one snapshot: a case
 * that changes phase meanwhile may be counted in neither phase or in both.
 */
export interface StatusSummary {
  /** Every case execution the query matches. */
  total: number;
  campaign?: string;
  /** Running executions (`ExecutionStatus = "Running"`). */
  running: number;
  /** Running executions per `CasePhase`; `none`: running without a phase yet. */
  phases: Record<CasePhase | 'none', number>;
  /** Closed executions by how they closed; `published` is `Completed`. */
  closed: Record<ClosedName, number>;
  /**
   * The mean `CaseProgress` over every execution (the table's 完成度 总计), from one count per
   * progress value a phase gives (src/domain/phases.ts); null when some execution has another value.
   */
  averagePercent: number | null;
  /** Running cases in attention (or failed), and failed, terminated, timed-out or canceled runs: the first `shown` of `total`. */
  needsLead: { total: number; shown: StatusRow[] };
}

/** How many of the cases that need the lead the summary lists. */
export const NEEDS_LEAD_SHOWN = 20;

/** Progress values a case can report: each phase's percentage, and 0 (a hold with nothing to resume). */
const PROGRESS_VALUES = [...new Set([0, ...Object.values(PHASE_PERCENT)])];

/**
 * Counts the cases per phase and closing status, concurrently, and lists the first `shownLimit`
 * that need the lead. `totals` is the `GROUP BY ExecutionStatus` count when the caller has it.
 */
export async function summarizeCases(
  reader: CaseReader,
  filter: { campaign?: string } = {},
  shownLimit = NEEDS_LEAD_SHOWN,
  totals?: WorkflowCount,
): Promise<StatusSummary> {
  const base = casesQuery(filter);
  const quoted = (values: string[]) => values.map((v) => `"${v}"`).join(', ');
  const leadQuery = `${base} AND ((ExecutionStatus = "Running" AND ${SA.phase} IN (${quoted(LEAD_PHASES)})) OR ExecutionStatus IN (${quoted(FAILED_STATUSES)}))`;
  const count = async (query: string) => (await reader.count(query)).count;
  const listLead = async () => {
    const rows: StatusRow[] = [];
    for await (const wf of reader.list(leadQuery, shownLimit)) rows.push(toStatusRow(wf));
    return rows.sort(byIndustryAndCase);
  };
  const [byStatus, phaseCounts, progressCounts, leadTotal, shown] = await Promise.all([
    totals ?? reader.count(`${base} GROUP BY ExecutionStatus`),
    Promise.all(CASE_PHASES.map((phase) => count(`${base} AND ExecutionStatus = "Running" AND ${SA.phase} = "${phase}"`))),
    Promise.all(PROGRESS_VALUES.map((value) => count(`${base} AND ${SA.progress} = ${value}`))),
    count(leadQuery),
    listLead(),
  ]);
  const statusCount = (status: string) => byStatus.groups.find((g) => g.values[0] === status)?.count ?? 0;
  const running = statusCount('Running');
  const phases = Object.fromEntries(CASE_PHASES.map((phase, i) => [phase, phaseCounts[i]])) as Record<CasePhase, number>;
  const withPhase = phaseCounts.reduce((sum, n) => sum + n, 0);
  const counted = progressCounts.reduce((sum, n) => sum + n, 0);
  const weighted = progressCounts.reduce((sum, n, i) => sum + n * PROGRESS_VALUES[i], 0);
  return {
    total: byStatus.count,
    ...(filter.campaign ? { campaign: filter.campaign } : {}),
    running,
    phases: { ...phases, none: Math.max(0, running - withPhase) },
    closed: Object.fromEntries(Object.entries(CLOSED).map(([status, name]) => [name, statusCount(status)])) as Record<ClosedName, number>,
    averagePercent: byStatus.count > 0 && counted === byStatus.count ? Math.round(weighted / byStatus.count) : null,
    needsLead: { total: leadTotal, shown },
  };
}

/** {@link listCaseRows} over an SDK client, for scripts that hold one (scripts/bench.ts). */
export function listCases(client: Client, filter?: { campaign?: string; caseId?: string }): Promise<StatusRow[]> {
  return listCaseRows(sdkReader(client), filter);
}

/** The rows of the table, without the total. */
function tableBody(rows: StatusRow[], names: PlanNames): string[][] {
  return rows.map((r) => [
    names.industries[r.industry] ?? r.industry,
    names.companies[r.caseId] ?? r.caseId,
    statusLabel(r),
    `${r.percent}%`,
    r.revision ?? '—',
    r.pendingReviewers.join(', ') || '—',
  ]);
}

const TABLE_HEAD = ['行业', '案例', '状态', '完成度', 'revision', 'pending'];

function renderRows(rows: StatusRow[], names: PlanNames): string {
  return boxTable(TABLE_HEAD, tableBody(rows, names));
}

export function renderStatusTable(rows: StatusRow[], names: PlanNames = { industries: {}, companies: {} }): string {
  const done = rows.filter((r) => r.phase === 'published').length;
  const average = rows.length ? Math.round(rows.reduce((sum, r) => sum + r.percent, 0) / rows.length) : 0;
  return boxTable(TABLE_HEAD, tableBody(rows, names), [['总计', `${rows.length}个`, `${done}个已发布`, `${average}%`, '', '']]);
}

/** The summary as text: a table of counts per phase and closing status, then the cases that need the lead. */
export function renderStatusSummary(summary: StatusSummary, names: PlanNames = { industries: {}, companies: {} }, maxRows?: number): string {
  const scope = summary.campaign ? ` of campaign ${summary.campaign}` : '';
  const why = maxRows === undefined ? '' : `, more than CASEBOOK_STATUS_MAX_ROWS (${maxRows})`;
  const closedLabels: Record<ClosedName, string> = {
    published: '✅ 已发布 (completed)',
    failed: '❌ failed',
    terminated: '❌ terminated',
    timedOut: '❌ timed out',
    canceled: '❌ canceled',
    continuedAsNew: 'continued as new',
  };
  const phaseRows = [...CASE_PHASES, 'none' as const].map((phase) => [
    phase === 'none' ? '🔄 (no phase yet)' : `🔄 ${PHASE_ZH[phase]} (${phase})`,
    String(summary.phases[phase]),
  ]);
  const closedRows = (Object.keys(closedLabels) as ClosedName[]).map((name) => [closedLabels[name], String(summary.closed[name])]);
  const counts = boxTable(['阶段', '案例'], [...phaseRows, ...closedRows], [
    ['运行中 running', String(summary.running)],
    ['总计', `${summary.total}个`],
    ['平均完成度', summary.averagePercent === null ? '— (not computable from the counts)' : `${summary.averagePercent}%`],
  ]);
  const lines = [`${summary.total} cases${scope}${why}: the summary per phase. \`casebook status --all\` lists every case (slower).`, counts];
  const { total, shown } = summary.needsLead;
  if (total === 0) lines.push('No case needs the lead.');
  else {
    lines.push(`Needs the lead (${total}):`, renderRows(shown, names));
    if (total > shown.length) lines.push(`… and ${total - shown.length} more (\`casebook status --all\` lists them).`);
  }
  return lines.join('\n');
}

export function statusCommand(): Command {
  return new Command('status')
    .argument('[caseId]', 'a case id')
    .option('--campaign <version>', 'only the cases of this campaign')
    .option('--all', 'list every case row by row, however many (slower over thousands of cases)')
    .option('--summary', 'print the summary per phase, however few cases there are')
    .option('--json', 'print JSON: every case as an array of rows (as --all), or with --summary the summary object')
    .addHelpText(
      'after',
      '\nUp to CASEBOOK_STATUS_MAX_ROWS cases (default 200) it prints one row per case; over it, the cases per phase,\n' +
        'the average completion and the cases that need the lead (the first 20). `--json` lists every case; `--json --summary`\n' +
        'prints the summary object.',
    )
    .action(async (caseId: string | undefined, opts: { campaign?: string; json?: boolean; all?: boolean; summary?: boolean }) => {
      if (caseId) checkCaseId(caseId);
      if (opts.all && opts.summary) throw new UsageError('--all and --summary ask for different outputs.', 'Use one: `casebook status --all` lists every case, `casebook status --summary` counts them per phase.');
      if (caseId && (opts.all || opts.summary)) throw new UsageError(`--all and --summary are for the list of cases, not one case ("${caseId}").`, `Use \`casebook status ${caseId}\` alone, or \`casebook status --all\`.`);
      const maxRows = statusMaxRows();
      await withReader(async (reader) => {
        if (caseId) {
          const progress = await reader.query<CaseProgress>(caseId, QUERY_NAMES.progress);
          output(opts.json ?? false, progress, () =>
            [
              `${progress.company} — ${progress.title}`,
              `phase ${progress.phase}, ${progress.percent}%, revision ${progress.revision ?? '—'}`,
              `pending reviewers: ${progress.pendingReviewers.join(', ') || '—'}`,
              progress.attention ? `needs attention: ${progress.attention}` : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
          return;
        }
        const filter = { campaign: opts.campaign };
        // --json (a script) and --all list every case; otherwise one count decides between table and summary.
        const totals = opts.all || (opts.json && !opts.summary) ? undefined : await reader.count(`${casesQuery(filter)} GROUP BY ExecutionStatus`);
        if (totals && (opts.summary || totals.count > maxRows)) {
          const summary = await summarizeCases(reader, filter, NEEDS_LEAD_SHOWN, totals);
          const names = summary.needsLead.shown.length ? await planNames() : undefined;
          output(opts.json ?? false, summary, () => renderStatusSummary(summary, names, opts.summary ? undefined : maxRows));
          return;
        }
        const listed = await listCaseRows(reader, filter);
        // The live phase of unattended work costs a query per such case: only for as many rows as a table shows.
        const { rows, noWorker } = listed.length <= maxRows ? await withLiveProgress(reader, listed) : { rows: listed, noWorker: [] };
        // After the listing: a server that does not answer costs no plan load (names are cached after the first).
        const names = await planNames();
        output(opts.json ?? false, rows, () =>
          rows.length
            ? [renderStatusTable(rows, names), ...(noWorker.length ? [noWorkerNote(noWorker)] : [])].join('\n')
            : 'No cases yet. Start one with `casebook start square` (or `--all`).',
        );
      });
    });
}
