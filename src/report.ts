/**
 * Pure rendering of a campaign's live state: the plan's 当前进度 table and 实施阶段 list, the per-case
 * timing report, the summary document and the plain lines of `casebook watch`. No I/O, so every
 * function is testable from fixture rows.
 */
import type { CampaignStage } from './domain/campaign';
import { PHASE_ZH, PHASES, type WorkPhase } from './domain/phases';
import type { CampaignCaseRow, CampaignProgress, PhaseTiming } from './messages';

/** What a case's own `progress` query adds to the campaign's row. */
export interface CaseDetail {
  timings: PhaseTiming[];
  reworkLoops: number;
  responseTimes: { reviewer: string; ms: number }[];
}

/** Everything `casebook report` renders. */
export interface CampaignReport {
  progress: CampaignProgress;
  /** Per case id; missing when the case could not be queried. */
  details: Record<string, CaseDetail | undefined>;
  /** Industry id → label from the plan (`fintech` → `金融科技`); ids are shown when missing. */
  industryLabels: Record<string, string>;
  /** ISO time the state was read; open phases are measured up to it. */
  generatedAt: string;
}

export type ReportFormat = 'md' | 'json';


/** The 状态 cell: ⏳ 待开始, 🔄 进行中（phase）, ✅ 已完成, or ❌ 失败 for a case whose workflow failed. */
export function statusMarker(row: Pick<CampaignCaseRow, 'phase'>): string {
  if (row.phase === 'pending') return '⏳ 待开始';
  if (row.phase === 'published') return '✅ 已完成';
  if (row.phase === 'failed') return '❌ 失败';
  return `🔄 进行中（${PHASE_ZH[row.phase] ?? row.phase}）`;
}

function stageMarker(percent: number): string {
  return percent >= 100 ? '✅' : percent > 0 ? '🔄' : '⏳';
}

/** Whole-campaign completion: the mean of the cases' percentages. */
export function averagePercent(rows: Pick<CampaignCaseRow, 'percent'>[]): number {
  return rows.length ? Math.round(rows.reduce((sum, r) => sum + r.percent, 0) / rows.length) : 0;
}

/** The plan's 当前进度 table, with its 总计 row. */
export function renderProgressTable(rows: CampaignCaseRow[], industryLabels: Record<string, string>): string {
  const lines = ['| 行业 | 案例 | 状态 | 完成度 |', '|------|------|------|--------|'];
  for (const r of rows) {
    lines.push(`| ${industryLabels[r.industry] ?? r.industry} | ${r.company} | ${statusMarker(r)} | ${r.percent}% |`);
  }
  const done = rows.filter((r) => r.phase === 'published').length;
  lines.push(`| **总计** | **${rows.length}个** | **${done}个已完成** | **${averagePercent(rows)}%** |`);
  return lines.join('\n');
}

/** The plan's 实施阶段 list. */
export function renderStages(stages: CampaignStage[]): string {
  return stages.map((s) => `- **${s.label}**：${stageMarker(s.percent)} ${s.percent}%完成`).join('\n');
}

/** Milliseconds spent in each working phase, summed over rework loops; open phases end at `now`. */
export function phaseDurations(timings: PhaseTiming[], now: string): Partial<Record<WorkPhase, number>> {
  const end = Date.parse(now);
  const out: Partial<Record<WorkPhase, number>> = {};
  for (const t of timings) {
    const ms = Math.max(0, (t.endedAt ? Date.parse(t.endedAt) : end) - Date.parse(t.startedAt));
    out[t.phase] = (out[t.phase] ?? 0) + ms;
  }
  return out;
}

/** `1d 2h`, `3h 5m`, `4m 10s`, `12s`, `0s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

function caseRows(report: CampaignReport) {
  return report.progress.cases.map((r) => {
    const detail = report.details[r.caseId];
    return {
      industry: r.industry,
      industryLabel: report.industryLabels[r.industry] ?? r.industry,
      caseId: r.caseId,
      company: r.company,
      phase: r.phase,
      status: statusMarker(r),
      percent: r.percent,
      revision: r.revision,
      adopted: r.adopted,
      reworkLoops: detail?.reworkLoops ?? r.reworkLoops,
      phaseDurationsMs: detail ? phaseDurations(detail.timings, report.generatedAt) : undefined,
      responseTimes: detail?.responseTimes,
    };
  });
}

function renderDetailTable(report: CampaignReport): string {
  const head = ['案例', ...PHASES.map((p) => PHASE_ZH[p]), '返工次数', '评审响应时间'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const c of caseRows(report)) {
    const durations = PHASES.map((p) => {
      const ms = c.phaseDurationsMs?.[p];
      return ms === undefined ? '—' : formatDuration(ms);
    });
    const responses = c.responseTimes?.length ? c.responseTimes.map((t) => `${t.reviewer} ${formatDuration(t.ms)}`).join(', ') : '—';
    lines.push(`| ${c.company} | ${durations.join(' | ')} | ${c.reworkLoops} | ${responses} |`);
  }
  return lines.join('\n');
}

/** `casebook report`: Markdown for people, or JSON with the same content for scripts. */
export function renderReport(report: CampaignReport, format: ReportFormat): string {
  const p = report.progress;
  if (format === 'json') {
    return JSON.stringify(
      {
        version: p.version,
        planVersion: p.planVersion,
        status: p.status,
        generatedAt: report.generatedAt,
        cases: caseRows(report),
        total: { cases: p.cases.length, published: p.cases.filter((r) => r.phase === 'published').length, percent: averagePercent(p.cases) },
        stages: p.stages,
      },
      null,
      2,
    );
  }
  return [
    `# 活动进度报告（${p.version}）`,
    '',
    `状态：${p.status}，并发上限 ${p.concurrency}，开始于 ${p.startedAt}，数据读取于 ${report.generatedAt}`,
    '',
    '### 当前进度',
    '',
    renderProgressTable(p.cases, report.industryLabels),
    '',
    '### 实施阶段',
    '',
    renderStages(p.stages),
    '',
    '### 各阶段耗时、返工次数与评审响应时间',
    '',
    renderDetailTable(report),
    '',
  ].join('\n');
}

const NEXT_STEP: Record<string, string> = {
  pending: '等待开始（并发上限）',
  research: '完成资料收集和调研',
  analysis: '完成技术架构分析',
  writing: '完成案例撰写',
  qa: '通过质量检查（技术准确性、数据准确性、格式一致性）',
  review: '评审人审阅并批准当前修订',
  publish: '发布到案例库并更新案例文档',
  attention: '负责人处理后恢复（casebook resume）',
  failed: '查明失败原因后重新启动（casebook start）',
};

/** The campaign summary document, in the structure of the plan's own summary. */
export function renderSummaryMarkdown(progress: CampaignProgress, industryLabels: Record<string, string>, generatedAt: string): string {
  const rows = progress.cases;
  const published = rows.filter((r) => r.phase === 'published');
  const open = rows.filter((r) => r.phase !== 'published');
  const done = progress.status === 'completed';
  return [
    `# 实践案例扩展总结（${progress.version}）`,
    '',
    '## 📋 概述',
    '',
    `本文档由 casebook 根据活动 ${progress.version} 的实时工作流状态生成，不需手工维护。`,
    '',
    `**计划版本**：${progress.planVersion}`,
    '',
    `**开始时间**：${progress.startedAt}${progress.completedAt ? `；**完成时间**：${progress.completedAt}` : ''}`,
    '',
    `**目标**：完成计划中的 ${rows.length} 个案例，从调研到发布进入案例库`,
    '',
    '---',
    '',
    '## ✅ 已完成工作',
    '',
    ...(published.length
      ? published.map((r) => `- ✅ ${r.company}：${r.title}${r.publishedAt ? `（发布于 ${r.publishedAt}）` : ''}`)
      : ['- 尚无已发布的案例']),
    '',
    '---',
    '',
    '## 📊 实施进度',
    '',
    '### 当前进度',
    '',
    renderProgressTable(rows, industryLabels),
    '',
    '### 实施阶段',
    '',
    renderStages(progress.stages),
    '',
    '---',
    '',
    '## 📋 下一步工作',
    '',
    ...(open.length
      ? open.map((r) => `- ${r.company}：${NEXT_STEP[r.phase] ?? r.phase}`)
      : ['- 所有案例均已发布，案例文档已更新', '- 如需扩展，请在计划中添加新案例，再运行 `casebook campaign add`']),
    '',
    '---',
    '',
    `**文档版本**：${progress.version}`,
    '',
    `**生成时间**：${generatedAt}`,
    '',
    `**状态**：${done ? '✅ 全部完成' : `🔄 进行中（${published.length}/${rows.length} 已完成）`}`,
    '',
  ].join('\n');
}

/** One plain line per case for `watch` when stdout is not a terminal. */
export function renderWatchLine(row: CampaignCaseRow): string {
  return `${row.caseId} ${row.phase} ${row.percent}%${row.revision ? ` rev ${row.revision}` : ''}`;
}

/**
 * The plain lines `watch` prints for a new state: a line per case whose phase or percentage
 * changed since `previous` (every case the first time), then the stages when any of them moved.
 */
export function watchLines(previous: CampaignProgress | undefined, next: CampaignProgress): string[] {
  const before = new Map(previous?.cases.map((r) => [r.caseId, r]) ?? []);
  const lines = next.cases
    .filter((r) => {
      const old = before.get(r.caseId);
      return !old || old.phase !== r.phase || old.percent !== r.percent;
    })
    .map(renderWatchLine);
  const stages = next.stages.map((s) => `${s.label} ${s.percent}%`).join(', ');
  const oldStages = previous?.stages.map((s) => `${s.label} ${s.percent}%`).join(', ');
  if (stages !== oldStages) lines.push(`stages: ${stages}`);
  if (next.status === 'completed' && previous?.status !== 'completed') lines.push(`campaign ${next.version} completed`);
  return lines;
}
