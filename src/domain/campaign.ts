/**
 * Campaign arithmetic shared by the campaign workflow, the report and the summary: how far each case
 * has come and what share of the campaign each stage of the plan (阶段1 … 阶段4, 质量检查) has done.
 *
 * Pure: the workflow imports this file.
 */
import type { CasePhase } from './types';

/** A case's phase as the campaign sees it: `pending` until the campaign has started it. */
export type CampaignCasePhase = CasePhase | 'pending';

/** Order of the phases; a case's furthest phase only moves forward, rework does not undo a stage. */
export const PHASE_RANK: Record<CampaignCasePhase, number> = {
  pending: 0,
  research: 1,
  analysis: 2,
  writing: 3,
  drafting: 3,
  qa: 4,
  review: 5,
  publish: 6,
  published: 7,
  // Neither moves the furthest phase: they say nothing about work done.
  attention: 0,
  failed: 0,
};

export type StageId = 'planning' | 'collection' | 'analysis' | 'documentation' | 'quality';

/** One line of the plan's 实施阶段 list. */
export interface CampaignStage {
  id: StageId;
  label: string;
  /** 0-100, rounded. */
  percent: number;
  /** What the percentage counts, for readers of the report. */
  rule: string;
}

/**
 * The stages, in the plan's order, with the phase a case must have *reached at some point* to count:
 * - 阶段1 计划制定: the plan exists and the campaign runs → 100%.
 * - 阶段2 案例收集: research is done (the case reached analysis).
 * - 阶段3 案例分析: analysis and writing are done, a draft exists (the case reached qa).
 * - 阶段4 文档更新: the case is published into the library.
 * - 质量检查: the draft passed QA (the case reached review).
 */
export const STAGES: { id: StageId; label: string; reached?: CampaignCasePhase; rule: string }[] = [
  { id: 'planning', label: '阶段1：计划制定', rule: '计划已载入，活动已启动' },
  { id: 'collection', label: '阶段2：案例收集', reached: 'analysis', rule: '调研完成（已进入分析）的案例占比' },
  { id: 'analysis', label: '阶段3：案例分析', reached: 'qa', rule: '分析与撰写完成（已进入质量检查）的案例占比' },
  { id: 'documentation', label: '阶段4：文档更新', reached: 'published', rule: '已发布到案例库的案例占比' },
  { id: 'quality', label: '质量检查', reached: 'review', rule: '通过质量检查（已进入评审）的案例占比' },
];

/** The further of two phases (attention and failed never advance it). */
export function furthestPhase(a: CampaignCasePhase, b: CampaignCasePhase): CampaignCasePhase {
  return PHASE_RANK[b] > PHASE_RANK[a] ? b : a;
}

/** Share of `count` out of `total` in whole percent; an empty campaign is at 0%. */
export function percentOf(count: number, total: number): number {
  return total > 0 ? Math.round((100 * count) / total) : 0;
}

/**
 * The stage percentages from each case's furthest phase. `running` is false only for a campaign
 * that has not started, which has not finished planning either.
 */
export function campaignStages(furthest: CampaignCasePhase[], running = true): CampaignStage[] {
  return STAGES.map((stage) => ({
    id: stage.id,
    label: stage.label,
    rule: stage.rule,
    percent: stage.reached
      ? percentOf(furthest.filter((p) => PHASE_RANK[p] >= PHASE_RANK[stage.reached!]).length, furthest.length)
      : running
        ? 100
        : 0,
  }));
}
