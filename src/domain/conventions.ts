/**
 * The document conventions, declared once: what a figure is, what labels a figure as a design target
 * or an estimate, what cites it, and which metric it states. The composer writes by these rules and
 * QA checks by them, so the two cannot disagree.
 *
 * Pure: no I/O and no Node built-ins (workflows may import it).
 */
import type { ScannedNumber } from './facts';
import type { Lang } from './types';

export { METRICS, type MetricBucket } from './types';

/** Heading of the trailing sources section the composer writes, per language. */
export const SOURCES_HEADING: Record<Lang, string> = { zh: '参考来源', en: 'Sources' };

/** Titles people give the sources section (the composer's two first). */
export const SOURCES_TITLE = /^(?:参考来源|参考资料|参考文献|资料来源|来源|Sources|References|Bibliography)$/i;

/** Basis labels of figures that are not from a source, as the composer writes them. */
export const LABELS: Record<Lang, { target: string; estimate: string }> = {
  zh: { target: '设计目标', estimate: '估算' },
  en: { target: 'design target', estimate: 'estimate' },
};

export type LabelKind = 'target' | 'estimate';

/** Every word that labels a figure, by kind (the composer's words are the first of each list). */
const LABEL_WORDS: Record<LabelKind, string[]> = {
  target: ['设计目标', '目标值', '目标', 'design target', 'target', 'design goal', 'goal', 'SLO target'],
  estimate: ['估算', '估计', '预估', '估算值', 'estimate', 'estimated', 'rough estimate', 'assumption', '假设'],
};
const words = (kind: LabelKind): string => LABEL_WORDS[kind].map((w) => w.replace(/ /g, '\\s+')).join('|');
const ANY_WORD = `${words('target')}|${words('estimate')}`;

/** A footnote reference `[^id]` (never a definition `[^id]:`); global, with the id as group 1. */
export const FOOTNOTE_REF = /\[\^([^\]\s]+)\](?!:)/g;
/** A footnote reference at the start of a text (after white space): one written after a sentence's end. */
export const LEADING_FOOTNOTE_REF = new RegExp(`^\\s*${FOOTNOTE_REF.source}`);

/** Whether a text holds a footnote reference. */
export function citesIn(text: string): boolean {
  return new RegExp(FOOTNOTE_REF.source).test(text);
}

/** A label after a figure, in brackets: （设计目标）, （估算）, （目标值）, (design target), (estimate). */
const SUFFIX_LABEL = new RegExp(`[（(]\\s*(?:${ANY_WORD})\\s*[）)]`, 'i');
/** A label before figures, ending in a colon: 设计目标：…, 估算：…, target: …, Estimate: …. */
const PREFIX_LABEL = new RegExp(`(?:^|[^A-Za-z\\u4e00-\\u9fff])(?:${ANY_WORD})\\s*[）)]?\\s*[：:]`, 'i');
/** A table cell or column title that is a label by itself: `设计目标`, `**估算**`, `(estimate)`, `Target`. */
const LABEL_CELL = new RegExp(`^[（(]?\\s*(?:${ANY_WORD})\\s*[）)]?$`, 'i');
/** Column titles that say where a row's figures come from. */
export const BASIS_COLUMN = /^(?:依据|来源|出处|数据来源|basis|source|sources)$/i;

const bare = (s: string): string => s.replace(/\*\*|__|[*_`]/g, '').trim();

/** The label a text writes after its figure, in brackets, if any. */
export function suffixLabelIn(text: string): LabelKind | undefined {
  const m = SUFFIX_LABEL.exec(text);
  return m ? kindOf(m[0]) : undefined;
}

/** The label a text writes before its figures, followed by a colon (`设计目标：`), if any. */
export function prefixLabelIn(text: string): LabelKind | undefined {
  const m = PREFIX_LABEL.exec(text.replace(/\*\*/g, ''));
  return m ? kindOf(m[0]) : undefined;
}

/** The label a table cell or column title is by itself, if any. */
export function labelCell(cell: string): LabelKind | undefined {
  const s = bare(cell);
  return LABEL_CELL.test(s) ? kindOf(s) : undefined;
}

function kindOf(text: string): LabelKind {
  return new RegExp(words('estimate'), 'i').test(text) ? 'estimate' : 'target';
}

/** The footnote ids a text cites. */
export function footnoteRefs(text: string): string[] {
  return [...text.matchAll(FOOTNOTE_REF)].map((m) => m[1]);
}

/** Normalises a URL for comparison: no fragment, no trailing slash or punctuation, lower case. */
export function normalizeUrl(url: string): string {
  return url.replace(/#.*$/, '').replace(/[.,;。，；)）]+$/, '').replace(/\/+$/, '').toLowerCase();
}

/**
 * Whether a scanned number is a figure: a quantity. A number written with a thousands separator
 * ('2,000') is a quantity even when its digits look like a year.
 */
export function isFigure(n: ScannedNumber): boolean {
  return n.kind === 'quantity' || (n.kind === 'year' && n.raw.includes(','));
}

/** Measures people name, to know that two statements give the same metric (case folded). */
const MEASURES: [RegExp, string][] = [
  [/\bp(50|75|90|95|99|999)\b/i, 'latency-p$1'],
  [/平均延迟|平均时延|平均响应时间|average latency|mean latency|avg\.? latency/i, 'latency-avg'],
  [/峰值吞吐|peak throughput|峰值\s*TPS|peak\s*TPS/i, 'throughput-peak'],
  [/峰值|\bpeak\b/i, 'peak'],
  [/可用性|可用率|availability|uptime/i, 'availability'],
  [/成功率|success rate/i, 'success-rate'],
  [/错误率|失败率|error rate|failure rate/i, 'error-rate'],
  [/\bRTO\b|恢复时间目标|recovery time objective/i, 'rto'],
  [/\bRPO\b|恢复点目标|recovery point objective/i, 'rpo'],
  [/\bMTTR\b|平均恢复时间|mean time to recover/i, 'mttr'],
];

/**
 * The metric a label or a clause names, as a key: a known measure (p99, availability, RTO …), or,
 * for a table row label, the label itself. Undefined when prose names no known measure.
 */
export function metricKeyOf(text: string, isRowLabel: boolean): string | undefined {
  for (const [re, key] of MEASURES) {
    const m = re.exec(text);
    // A bare "peak" in a row label says only "the highest value of what the label names"
    // ("2023 年日活峰值", "2020 年同时在线峰值"): the label, not the word, names the metric.
    if (m && !(isRowLabel && key === 'peak')) return key.replace('$1', m[1] ?? '');
    if (m) break;
  }
  if (!isRowLabel) return undefined;
  const label = bare(text).replace(/\s+/g, ' ').toLowerCase();
  return label || undefined;
}

/** Words that make a one-figure clause a comparison (before/after, reduced to), not a statement of the metric. */
export const COMPARISON = /降至|降到|降低到|缩短到|缩短至|提升到|提升至|提高到|提高至|由.{0,12}(?:降|升|缩短|提高)|优化前|优化后|之前|以前|原来|原先|相比|对比|\bbefore\b|\bafter\b|\breduced\b|\bdown to\b|\bup to\b|\bvs\.?|\bcompared\b|→|->|\bwas\b|\bnow\b|\bfell\b|\brose\b/i;
