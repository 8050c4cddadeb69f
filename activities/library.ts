/**
 * The library documents, regenerated after each publication from the plan and the published case
 * files:
 * - `docs/enterprise-cases.md`: the enterprise practice case index, by industry, with links and status;
 * - `docs/scenario-themes.md`: cases grouped by theme tag;
 * - `docs/case-comparison.md`: key metrics (section 3 tables) and Temporal patterns side by side, with
 *   the citations of each figure.
 *
 * Deterministic (no clock, stable ordering), atomic (temporary file and rename) and idempotent (a file
 * whose content would not change is not rewritten), so the activity is safe to retry.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { libraryDir } from '../src/config';
import type { Industry, Lang, Plan } from '../src/domain/types';
import { loadPlan, PlanError } from '../src/plan';
import { cellsOf, footnoteDefinitionsOf, parseMarkdown, sectionsOf, textOf } from '../src/qa/markdown';
import { writeFileAtomic } from './store';
import { NonRetryable } from '../src/domain/failures';
import { PATTERNS } from '../src/domain/patterns';

/** The three documents, relative to the library folder. */
export const LIBRARY_DOCS = ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md'] as const;

type Status = 'existing' | 'published' | 'planned';

interface Entry {
  id: string;
  company: string;
  industry: string;
  themes: string[];
  patterns: string[];
  status: Status;
  /** Link relative to the library folder. */
  link?: string;
  title?: string;
}

/** One metric row of a published case's section 3, with its basis resolved. */
interface MetricRow {
  item: string;
  metric: string;
  value: string;
  /** A label (design target / estimate) or the ids of the cited sources. */
  basis: string;
  sources: { id: string; text: string }[];
}

interface Published {
  id: string;
  company: string;
  industry: string;
  themes: string[];
  patterns: string[];
  title?: string;
  file: string;
  metrics: MetricRow[];
}

const WORDS: Record<Lang, Record<string, string>> = {
  zh: {
    indexTitle: '企业实践案例',
    indexIntro: '按行业列出案例库中的企业实践案例：已有案例、已发布的新案例和计划中的案例。“性质”一列说明案例是设计研究（依据公开资料提出的 Temporal 设计，不代表该公司使用 Temporal），还是计划未注明。',
    themesTitle: '场景主题分类',
    themesIntro: '按场景主题标签归类的案例。',
    comparisonTitle: '跨案例对比分析',
    comparisonIntro: '已发布案例的关键指标与 Temporal 模式并列对比；每个数值注明来源或标注为设计目标、估算。各案例引用的 Temporal 平台限制（事件历史、Payload、命名空间 APS 等）对所有案例相同，不在此重复，见各案例的第 3 节。模式的说明与示例见 [Temporal 模式目录](patterns.md)。',
    company: '企业',
    case: '案例',
    status: '状态',
    themes: '主题',
    industry: '行业',
    item: '类别',
    metric: '指标',
    value: '数值',
    basis: '依据',
    pattern: '模式',
    existing: '已有',
    published: '已发布',
    planned: '计划中',
    metrics: '关键指标',
    patterns: 'Temporal 模式',
    sources: '参考来源',
    none: '暂无已发布的案例。',
    noMetrics: '未给出数值指标。',
    total: '合计',
    kind: '性质',
    designStudy: '设计研究',
    unstated: '计划未注明',
  },
  en: {
    indexTitle: 'Enterprise practice cases',
    indexIntro: 'The enterprise practice cases of the library, by industry: existing cases, published new cases and planned ones. The Kind column says whether a case is a design study (a Temporal design proposed from public material, not a claim that the company uses Temporal) or not stated by the plan.',
    themesTitle: 'Scenario themes',
    themesIntro: 'Cases grouped by scenario theme tag.',
    comparisonTitle: 'Cross-case comparison',
    comparisonIntro: 'Key metrics and Temporal patterns of the published cases side by side; every value is cited or labelled a design target or an estimate. The Temporal platform limits the cases cite (event history, payload, namespace APS) are the same for every case and are not repeated here; see section 3 of each case. The patterns are explained, with samples, in the [Temporal pattern catalogue](patterns.md).',
    company: 'Company',
    case: 'Case',
    status: 'Status',
    themes: 'Themes',
    industry: 'Industry',
    item: 'Item',
    metric: 'Metric',
    value: 'Value',
    basis: 'Basis',
    pattern: 'Pattern',
    existing: 'existing',
    published: 'published',
    planned: 'planned',
    metrics: 'Key metrics',
    patterns: 'Temporal patterns',
    sources: 'Sources',
    none: 'No case has been published yet.',
    noMetrics: 'No figures given.',
    total: 'Total',
    kind: 'Kind',
    designStudy: 'design study',
    unstated: 'not stated by the plan',
  },
};

/** Reader-facing names of the plan's theme tags; a tag without one is shown as written. */
export const THEME_LABELS: Record<string, { zh: string; en: string }> = {
  payments: { zh: '支付', en: 'Payments' },
  crypto: { zh: '加密资产', en: 'Crypto assets' },
  compliance: { zh: '合规', en: 'Compliance' },
  subscriptions: { zh: '订阅', en: 'Subscriptions' },
  'high-concurrency': { zh: '高并发', en: 'High concurrency' },
  'order-fulfillment': { zh: '订单履约', en: 'Order fulfilment' },
  'flash-sales': { zh: '限时抢购', en: 'Flash sales' },
  'real-time': { zh: '实时性', en: 'Real time' },
  matchmaking: { zh: '玩家匹配', en: 'Matchmaking' },
  telemetry: { zh: '遥测数据', en: 'Telemetry' },
  'device-management': { zh: '设备管理', en: 'Device management' },
  'merchant-services': { zh: '商户服务', en: 'Merchant services' },
  'cross-border': { zh: '跨境', en: 'Cross-border' },
  'currency-conversion': { zh: '货币转换', en: 'Currency conversion' },
  'server-orchestration': { zh: '服务器编排', en: 'Server orchestration' },
  'launch-readiness': { zh: '发布日保障', en: 'Launch readiness' },
  'large-files': { zh: '大文件处理', en: 'Large files' },
  'asset-pipeline': { zh: '资产处理管道', en: 'Asset pipeline' },
  distribution: { zh: '分发', en: 'Distribution' },
  'fleet-data': { zh: '车队数据', en: 'Fleet data' },
  'edge-computing': { zh: '边缘计算', en: 'Edge computing' },
  'predictive-maintenance': { zh: '预测性维护', en: 'Predictive maintenance' },
};

const themeLabel = (tag: string, lang: Lang): string => THEME_LABELS[tag]?.[lang] ?? tag;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cell = (s: string): string => s.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Reads every published case file below `<library>/cases/<industry>/`. */
async function readPublished(root: string): Promise<Published[]> {
  const casesDir = path.join(root, 'cases');
  const industries = await fs.readdir(casesDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const out: Published[] = [];
  for (const dir of industries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).sort((a, b) => byText(a.name, b.name))) {
    const files = (await fs.readdir(path.join(casesDir, dir.name))).filter((f) => f.endsWith('.md')).sort(byText);
    for (const name of files) {
      const file = path.join(casesDir, dir.name, name);
      const doc = parseMarkdown(await fs.readFile(file, 'utf8'));
      const fm = doc.frontmatter ?? {};
      const id = typeof fm.case === 'string' ? fm.case : name.replace(/\.md$/, '');
      const titleNode = doc.tree.children.find((n) => n.type === 'heading' && n.depth === 1);
      out.push({
        id,
        company: typeof fm.company === 'string' ? fm.company : id,
        industry: typeof fm.industry === 'string' ? fm.industry : dir.name,
        themes: list(fm.themes),
        patterns: list(fm.patterns),
        ...(titleNode ? { title: textOf(titleNode).trim() } : {}),
        file: path.posix.join('cases', dir.name, name),
        metrics: metricsOf(doc),
      });
    }
  }
  return out;
}

/** Section 3's metric tables (`| 指标 | 数值 | 依据 |` or `| Metric | Value | Basis |`), row by row. */
function metricsOf(doc: ReturnType<typeof parseMarkdown>): MetricRow[] {
  const defs = new Map(footnoteDefinitionsOf(doc.tree).map((d) => [d.identifier.toLowerCase(), { id: d.label ?? d.identifier, text: textOf(d).replace(/\s+/g, ' ').trim() }]));
  const section = sectionsOf(doc.tree).find((s) => /^3[.\s]/.test(s.title));
  if (!section) return [];
  const rows: MetricRow[] = [];
  let item = '';
  for (const node of section.nodes) {
    if (node.type === 'heading' && node.depth === 3) item = textOf(node).trim().replace(/^\d+\.\d+\s*/, '');
    if (node.type !== 'table') continue;
    const header = cellsOf(node.children[0]).map((c) => c.toLowerCase());
    if (!/^(指标|metric)$/.test(header[0] ?? '') || !/^(依据|basis)$/.test(header[2] ?? '')) continue;
    for (const row of node.children.slice(1)) {
      const [metric = '', value = '', basis = ''] = cellsOf(row);
      const ids = [...basis.matchAll(/\[\^([^\]\s]+)\]/g)].map((m) => m[1]);
      rows.push({
        item,
        metric,
        value,
        basis: ids.length ? '' : basis,
        sources: ids.map((id) => defs.get(id.toLowerCase()) ?? { id, text: id }),
      });
    }
  }
  return rows;
}

function industryLabel(industries: Industry[], id: string, lang: Lang): string {
  return industries.find((i) => i.id === id)?.label[lang] ?? id;
}

/** Every case the library knows: existing ones, the plan's new ones, and any other published file. */
function entriesOf(plan: Plan, published: Published[]): Entry[] {
  const pub = new Map(published.map((p) => [p.id, p]));
  const entries: Entry[] = [];
  for (const e of plan.existing) {
    entries.push({ id: e.id, company: e.company, industry: e.industry, themes: e.themes, patterns: [], status: 'existing', ...(e.document ? { link: e.document } : {}) });
  }
  for (const c of plan.cases) {
    const p = pub.get(c.id);
    entries.push({
      id: c.id,
      company: p?.company ?? c.company,
      industry: p?.industry ?? c.industry,
      themes: p?.themes.length ? p.themes : c.themes,
      patterns: p?.patterns ?? [],
      status: p ? 'published' : 'planned',
      ...(p ? { link: p.file } : {}),
      title: p?.title ?? c.title[plan.language],
    });
  }
  const known = new Set(entries.map((e) => e.id));
  for (const p of published) {
    if (!known.has(p.id)) {
      entries.push({ id: p.id, company: p.company, industry: p.industry, themes: p.themes, patterns: p.patterns, status: 'published', link: p.file, ...(p.title ? { title: p.title } : {}) });
    }
  }
  return entries;
}

function industryOrder(plan: Plan, entries: Entry[]): string[] {
  const ids = plan.industries.map((i) => i.id);
  const extra = [...new Set(entries.map((e) => e.industry).filter((i) => !ids.includes(i)))].sort(byText);
  return [...ids, ...extra];
}

const caseLink = (e: Entry): string => (e.link ? `[${e.company}](${e.link})` : e.company);

function renderIndex(plan: Plan, entries: Entry[]): string {
  const lang = plan.language;
  const w = WORDS[lang];
  const out = [`# ${w.indexTitle}`, '', w.indexIntro, ''];
  out.push(`| ${w.industry} | ${w.existing} | ${w.published} | ${w.planned} |`, '| --- | --- | --- | --- |');
  const counts = { existing: 0, published: 0, planned: 0 };
  const order = industryOrder(plan, entries);
  for (const ind of order) {
    const of = (s: Status): Entry[] => entries.filter((e) => e.industry === ind && e.status === s);
    const names = (s: Status): string => of(s).map((e) => e.company).join(', ') || '-';
    if (!entries.some((e) => e.industry === ind)) continue;
    out.push(`| ${cell(industryLabel(plan.industries, ind, lang))} | ${cell(names('existing'))} | ${cell(names('published'))} | ${cell(names('planned'))} |`);
    for (const s of ['existing', 'published', 'planned'] as const) counts[s] += of(s).length;
  }
  out.push(`| **${w.total}** | **${counts.existing}** | **${counts.published}** | **${counts.planned}** |`, '');
  for (const ind of order) {
    const here = entries.filter((e) => e.industry === ind);
    if (!here.length) continue;
    out.push(`## ${industryLabel(plan.industries, ind, lang)}`, '', `| ${w.case} | ${w.status} | ${w.kind} | ${w.themes} |`, '| --- | --- | --- | --- |');
    for (const e of here) {
      // The plan declares its new cases design studies; it says nothing either way about the existing ones.
      const kind = plan.cases.some((c) => c.id === e.id) ? w.designStudy : w.unstated;
      out.push(`| ${cell(caseLink(e))}${e.title ? ` — ${cell(e.title)}` : ''} | ${w[e.status]} | ${kind} | ${cell(e.themes.map((t) => themeLabel(t, lang)).join(lang === 'zh' ? '、' : ', '))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function renderThemes(plan: Plan, entries: Entry[]): string {
  const lang = plan.language;
  const w = WORDS[lang];
  const out = [`# ${w.themesTitle}`, '', w.themesIntro, ''];
  const themes = [...new Set(entries.flatMap((e) => e.themes))].sort(byText);
  for (const theme of themes) {
    const here = entries.filter((e) => e.themes.includes(theme)).sort((a, b) => byText(a.company, b.company));
    out.push(`## ${themeLabel(theme, lang)}`, '', `| ${w.case} | ${w.industry} | ${w.status} |`, '| --- | --- | --- |');
    for (const e of here) out.push(`| ${cell(caseLink(e))} | ${cell(industryLabel(plan.industries, e.industry, lang))} | ${w[e.status]} |`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * A row that states one of Temporal's own limits (cited only to Temporal's documentation): the same
 * in every case, so not something to compare cases by.
 */
function platformLimit(m: MetricRow): boolean {
  return m.sources.length > 0 && m.sources.every((s) => /https:\/\/docs\.temporal\.io\//.test(s.text));
}

function renderComparison(plan: Plan, entries: Entry[], published: Published[]): string {
  const lang = plan.language;
  const w = WORDS[lang];
  const out = [`# ${w.comparisonTitle}`, '', w.comparisonIntro, ''];
  const order = industryOrder(plan, entries);
  const cases = [...published].sort((a, b) => order.indexOf(a.industry) - order.indexOf(b.industry) || byText(a.company, b.company));
  if (!cases.length) {
    out.push(w.none, '');
    return out.join('\n');
  }
  // Footnotes are renamed per case (`[^square-S1]`) so sources of different cases never collide.
  const footnotes: string[] = [];
  out.push(`## ${w.metrics}`, '', `| ${w.case} | ${w.item} | ${w.metric} | ${w.value} | ${w.basis} |`, '| --- | --- | --- | --- | --- |');
  for (const c of cases) {
    if (!c.metrics.length) out.push(`| [${cell(c.company)}](${c.file}) | - | - | - | ${w.noMetrics} |`);
    for (const m of c.metrics.filter((x) => !platformLimit(x))) {
      const refs = m.sources.map((s) => {
        const id = `${c.id}-${s.id}`;
        const def = `[^${id}]: ${s.text}`;
        if (!footnotes.includes(def)) footnotes.push(def);
        return `[^${id}]`;
      });
      out.push(`| [${cell(c.company)}](${c.file}) | ${cell(m.item)} | ${cell(m.metric)} | ${cell(m.value)} | ${refs.join(' ') || cell(m.basis)} |`);
    }
  }
  out.push('');
  const patterns = [...new Set(cases.flatMap((c) => c.patterns))].sort(byText);
  out.push(`## ${w.patterns}`, '', `| ${w.pattern} | ${cases.map((c) => cell(c.company)).join(' | ')} |`, `| --- |${cases.map(() => ' --- |').join('')}`);
  const patternName = (id: string): string => PATTERNS.find((x) => x.id === id)?.name[lang] ?? id;
  for (const p of patterns) out.push(`| ${cell(patternName(p))} | ${cases.map((c) => (c.patterns.includes(p) ? '✓' : ' ')).join(' | ')} |`);
  out.push('');
  if (footnotes.length) out.push(`## ${w.sources}`, '', ...footnotes, '');
  return out.join('\n');
}

/** Writes `content` unless the file already holds exactly it. Returns whether it wrote. */
async function writeIfChanged(file: string, content: string): Promise<boolean> {
  const current = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (current === content) return false;
  await writeFileAtomic(file, content);
  return true;
}

/** Renders the three library documents (relative path → content). Pure apart from reading files. */
export async function renderLibraryDocs(plan: Plan, root = libraryDir()): Promise<Record<(typeof LIBRARY_DOCS)[number], string>> {
  const published = await readPublished(root);
  const entries = entriesOf(plan, published);
  return {
    'enterprise-cases.md': renderIndex(plan, entries),
    'scenario-themes.md': renderThemes(plan, entries),
    'case-comparison.md': renderComparison(plan, entries, published),
  };
}

/**
 * Regenerates the library documents under `libraryDir()` from the plan and the published cases.
 * Returns every document path (`written`) and those whose content changed (`changed`); running it
 * again without new publications changes nothing.
 */
export async function updateLibraryDocs(input: { planFile: string }): Promise<{ written: string[]; changed: string[] }> {
  let plan: Plan;
  try {
    plan = await loadPlan(input.planFile);
  } catch (err) {
    if (err instanceof PlanError) throw ApplicationFailure.create({ message: err.message, type: NonRetryable.InvalidPlan, nonRetryable: true, cause: err });
    throw err;
  }
  const root = libraryDir();
  const docs = await renderLibraryDocs(plan, root);
  const written: string[] = [];
  const changed: string[] = [];
  for (const name of LIBRARY_DOCS) {
    const file = path.join(root, name);
    written.push(file);
    if (await writeIfChanged(file, docs[name])) changed.push(file);
  }
  return { written, changed };
}
