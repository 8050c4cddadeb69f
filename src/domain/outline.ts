/**
 * The outline: what analysis hands to writing. Facts are mapped onto template item ids, design
 * targets onto the metric items, and the chosen patterns are recorded with their reasons.
 *
 * Pure: no I/O, no Node built-ins.
 */
import { METRICS as METRIC_BUCKETS } from './conventions';
import { choosePatterns, type ChosenPattern } from './patterns';
import type { CaseBrief, DesignFigure, Dossier, Fact, ResearchNote } from './types';

export { METRICS as METRIC_BUCKETS, type MetricBucket } from './conventions';

/** Template item that receives facts outside the metric buckets. */
export const BACKGROUND_ITEM = 'scenario.background';

/** At most this many facts per item, so a long source cannot flood a table. */
export const MAX_FACTS_PER_ITEM = 8;

export interface OutlineItem {
  /** Facts from collected (`ok`) sources, in dossier order. */
  facts: Fact[];
  /** Design targets and estimates from the brief, always labelled in the document. */
  targets: DesignFigure[];
}

/** The outline of one case, stored as a JSON artifact. */
export interface Outline {
  caseId: string;
  company: string;
  patterns: ChosenPattern[];
  /** Content keyed by template item id: `metrics.<bucket>` and `scenario.background`. */
  items: Record<string, OutlineItem>;
  /** Ids of the sources that were collected (`ok`), in dossier order. */
  sources: string[];
  notes: ResearchNote[];
  /** Reviewer comments this outline was made for. */
  feedback: string[];
  /** Facts left out because an item was full or they repeated another fact. */
  omittedFacts: number;
}

/** Words that make a money figure a cost; revenue and profit describe the business instead. */
const COST_WORDS = /\bcosts?\b|\bcosting|成本|费用|开支|支出|\bspend|\bexpens|\bpric|\bfees?\b|手续费|节省|节约|\bsav(?:e|ed|es|ing|ings)\b|budget|预算|\bTCO\b/i;

/**
 * The template item id of a fact: its metric item, or the business background. A fact bucketed as
 * cost whose sentence names no cost (revenue, profit) goes to the business background: it describes
 * the size of the business, not what anything costs.
 */
export function itemOfFact(fact: Pick<Fact, 'metric' | 'sentence'>): string {
  const metric = fact.metric;
  if (!metric || !(METRIC_BUCKETS as readonly string[]).includes(metric)) return BACKGROUND_ITEM;
  if (metric === 'cost' && !COST_WORDS.test(fact.sentence)) return BACKGROUND_ITEM;
  return `metrics.${metric}`;
}

/**
 * Builds the outline of a case from its brief and research dossier. Deterministic: the same brief,
 * dossier and feedback always give the same outline.
 */
export function buildOutline(brief: CaseBrief, dossier: Dossier, feedback: string[]): Outline {
  const ok = new Set(dossier.sources.filter((s) => s.status === 'ok').map((s) => s.id));
  const items: Record<string, OutlineItem> = { [BACKGROUND_ITEM]: { facts: [], targets: [] } };
  for (const bucket of METRIC_BUCKETS) items[`metrics.${bucket}`] = { facts: [], targets: [] };

  const seen = new Set<string>();
  let omitted = 0;
  for (const fact of dossier.facts) {
    if (!ok.has(fact.sourceId)) continue;
    const key = `${fact.sourceId}\u0000${fact.raw}\u0000${fact.sentence}`;
    const item = items[itemOfFact(fact)];
    if (seen.has(key) || item.facts.length >= MAX_FACTS_PER_ITEM) {
      omitted++;
      continue;
    }
    seen.add(key);
    item.facts.push(fact);
  }
  for (const target of brief.targets) items[`metrics.${target.metric}`].targets.push(target);

  return {
    caseId: brief.id,
    company: brief.company,
    patterns: choosePatterns(brief),
    items,
    sources: dossier.sources.filter((s) => s.status === 'ok').map((s) => s.id),
    notes: dossier.notes,
    feedback: [...feedback],
    omittedFacts: omitted,
  };
}
