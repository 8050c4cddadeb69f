import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { CaseProgress } from '../../messages';
import type { CasePhase } from '../../domain/types';
import { QUERY_NAMES, SEARCH_ATTRIBUTE_NAMES as SA } from '../../names';
import { boxTable } from '../box-table';
import { checkCaseId, output } from '../output';
import { planNames, type PlanNames } from '../plan-names';
import { type CaseReader, sdkReader, withReader } from '../read';

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
}

const STATUS_MARKER: Record<string, string> = {
  published: '✅ 已发布',
  attention: '⚠️ 需关注',
  failed: '❌ 失败',
  review: '🔄 评审中',
  drafting: '✍️ 待撰写',
};

export function statusLabel(row: Pick<StatusRow, 'phase' | 'workflowStatus'>): string {
  if (row.workflowStatus !== 'RUNNING' && row.workflowStatus !== 'COMPLETED' && row.workflowStatus !== 'CONTINUED_AS_NEW') {
    return `❌ ${row.workflowStatus.toLowerCase()}`;
  }
  return STATUS_MARKER[row.phase] ?? `🔄 ${row.phase}`;
}

/**
 * Lists cases from the visibility store (search attributes only, no query per case, so it stays
 * fast over thousands of cases). The latest run of each case wins.
 */
export async function listCaseRows(reader: CaseReader, filter?: { campaign?: string; caseId?: string }): Promise<StatusRow[]> {
  const clauses = ['WorkflowType = "caseWorkflow"'];
  if (filter?.campaign) clauses.push(`${SA.campaign} = "${filter.campaign.replace(/"/g, '')}"`);
  if (filter?.caseId) clauses.push(`${SA.caseId} = "${filter.caseId}"`);
  const rows = new Map<string, StatusRow & { startTime: number }>();
  for await (const wf of reader.list(clauses.join(' AND '))) {
    const sa = wf.searchAttributes as Partial<Record<string, string & number & string[]>>;
    const caseId = sa[SA.caseId] ?? wf.workflowId.replace(/^case-/, '');
    const seen = rows.get(caseId);
    if (seen && seen.startTime >= wf.startTime) continue;
    rows.set(caseId, {
      caseId,
      industry: sa[SA.industry] ?? '',
      phase: sa[SA.phase] ?? 'unknown',
      percent: Number(sa[SA.progress] ?? 0),
      revision: sa[SA.revision],
      pendingReviewers: sa[SA.reviewers] ?? [],
      campaign: sa[SA.campaign],
      workflowStatus: wf.status,
      workflowId: wf.workflowId,
      startTime: wf.startTime,
    });
  }
  return [...rows.values()]
    .map(({ startTime: _startTime, ...row }) => row)
    .sort((a, b) => a.industry.localeCompare(b.industry) || a.caseId.localeCompare(b.caseId));
}

/** {@link listCaseRows} over an SDK client, for scripts that hold one (scripts/bench.ts). */
export function listCases(client: Client, filter?: { campaign?: string; caseId?: string }): Promise<StatusRow[]> {
  return listCaseRows(sdkReader(client), filter);
}

export function renderStatusTable(rows: StatusRow[], names: PlanNames = { industries: {}, companies: {} }): string {
  const body = rows.map((r) => [
    names.industries[r.industry] ?? r.industry,
    names.companies[r.caseId] ?? r.caseId,
    statusLabel(r),
    `${r.percent}%`,
    r.revision ?? '—',
    r.pendingReviewers.join(', ') || '—',
  ]);
  const done = rows.filter((r) => r.phase === 'published').length;
  const average = rows.length ? Math.round(rows.reduce((sum, r) => sum + r.percent, 0) / rows.length) : 0;
  return boxTable(['行业', '案例', '状态', '完成度', 'revision', 'pending'], body, [['总计', `${rows.length}个`, `${done}个已发布`, `${average}%`, '', '']]);
}

export function statusCommand(): Command {
  return new Command('status')
    .argument('[caseId]', 'a case id')
    .option('--campaign <version>', 'only the cases of this campaign')
    .option('--json', 'print JSON')
    .action(async (caseId: string | undefined, opts: { campaign?: string; json?: boolean }) => {
      if (caseId) checkCaseId(caseId);
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
        const rows = await listCaseRows(reader, { campaign: opts.campaign });
        // After the listing: a server that does not answer costs no plan load (names are cached after the first).
        const names = await planNames();
        output(opts.json ?? false, rows, () =>
          rows.length ? renderStatusTable(rows, names) : 'No cases yet. Start one with `casebook start square` (or `--all`).',
        );
      });
    });
}
