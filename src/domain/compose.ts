/**
 * The built-in composer: turns a brief, its outline and research dossier into the Markdown case
 * document, following the case-document convention (frontmatter, title, intro, the template's seven
 * sections, the sources section). Also finds the cited and labelled figures of any case document.
 *
 * Pure and deterministic: no I/O, no clock, no randomness; the same input gives the same bytes.
 *
 * No bare numbers: the prose written here contains no digits. Numbers enter the document only as
 * facts (in table rows carrying a footnote reference to their source), as design targets and
 * estimates from the brief (labelled), or inside code blocks, headings and frontmatter.
 */
import { FOOTNOTE_REF, isFigure, LABELS, labelCell, prefixLabelIn, SOURCES_HEADING, SOURCES_TITLE, suffixLabelIn } from './conventions';
import { sameFigure, scanNumbers, splitSentences, type ScannedNumber } from './facts';
import { type MetricBucket, type Outline, type OutlineItem, METRIC_BUCKETS } from './outline';
import { WRITER_ITEMS, WRITER_MARKER } from './drafting';
import { PATTERNS, type Bilingual, type Pattern, type PatternId } from './patterns';
import { capacityOf, EVENTS_PER_CHILD, limit } from './temporal-limits';
import type { CaseBrief, CitedFigure, CollectedSource, Dossier, Fact, FactStatus, Lang, Template, TemplateSection } from './types';

export interface ComposeInput {
  brief: CaseBrief;
  outline: Outline;
  dossier: Dossier;
  template: Template;
  language: Lang;
  /** Reviewer comments (and QA findings) the new revision answers; quoted in the revision notes. */
  feedback: string[];
  /** Plan version written into the frontmatter, e.g. `v15.0`. */
  planVersion: string;
}

export { LABELS, SOURCES_HEADING } from './conventions';

/** The shared appendix as a case document links it (cases live in `cases/<industry>/`). */
export const APPENDIX_LINK = '../../patterns.md';

interface Ctx {
  lang: Lang;
  brief: CaseBrief;
  outline: Outline;
  dossier: Dossier;
  patterns: Pattern[];
  chosen: Set<PatternId>;
}

const t = (ctx: Ctx, text: Bilingual): string => text[ctx.lang];
const tt = (ctx: Ctx, zh: string, en: string): string => (ctx.lang === 'zh' ? zh : en);

/** Table cell text: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** Verbatim text as an inline code span (so a quoted comment is shown exactly and makes no claim). */
function codeSpan(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...(one.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(value) && !/\s$/.test(value) ? value : JSON.stringify(value);
}

function factValue(fact: Fact): string {
  const raw = fact.raw.trim();
  const unit = fact.unit.trim();
  if (!unit || raw.toLowerCase().endsWith(unit.toLowerCase())) return raw;
  return unit === '%' ? `${raw}%` : `${raw} ${unit}`;
}

/** Labels of source statements, per language: our restatements are never shown as quotations. */
export const STATEMENT_LABELS: Record<Lang, { paraphrase: string; verbatim: string; mixed: string }> = {
  zh: { paraphrase: '来源转述（非原文）', verbatim: '原文摘录', mixed: '来源陈述' },
  en: { paraphrase: 'Paraphrase of source', verbatim: 'Verbatim from source', mixed: 'Source statement' },
};

/** A fact's statement as the document shows it, with the spans of its figures. */
interface ShownStatement {
  sourceId: string;
  text: string;
  verbatim: boolean;
  facts: Fact[];
}

/**
 * The text a fact group is shown in: the source's restatement in the document's language when the
 * excerpt gives one; the page's own sentence (verbatim) for fetched pages and quotes; otherwise the
 * excerpt's sentence, still labelled as a paraphrase.
 */
function shownStatements(facts: Fact[], lang: Lang, sources: readonly CollectedSource[]): ShownStatement[] {
  const groups = new Map<string, ShownStatement>();
  for (const fact of facts) {
    const kind = sources.find((s) => s.id === fact.sourceId)?.kind ?? 'excerpt';
    const verbatim = kind !== 'excerpt';
    const original = (fact.restatement?.en ?? fact.sentence).replace(/\s+/g, ' ').trim().replace(/^(?:[-*+>]|\d+[.)])\s+/, '');
    const text = verbatim ? original : (fact.restatement?.[lang] ?? original).replace(/\s+/g, ' ').trim();
    const key = `${fact.sourceId}\u0000${original}`;
    const group = groups.get(key) ?? { sourceId: fact.sourceId, text, verbatim, facts: [] };
    group.facts.push(fact);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Where each fact's figure is written in the shown text: the number with its sign and percent mark
 * (bolded), and the same with its unit (the value cell).
 */
function figureSpans(text: string, facts: Fact[]): Map<Fact, { bold: [number, number]; value: [number, number] }> {
  const numbers = scanNumbers(text).filter((n) => n.kind === 'quantity');
  const used = new Set<ScannedNumber>();
  const spans = new Map<Fact, { bold: [number, number]; value: [number, number] }>();
  for (const fact of facts) {
    const n =
      numbers.find((x) => !used.has(x) && x.raw === fact.raw.trim()) ??
      numbers.find((x) => !used.has(x) && sameFigure(fact, x));
    if (!n) continue;
    used.add(n);
    let start = n.index;
    const sign = /(?:US\$|[$¥￥€£])$/.exec(text.slice(Math.max(0, start - 3), start));
    if (sign) start -= sign[0].length;
    let bold = n.index + n.raw.length;
    if (text[bold] === '%' || text[bold] === '％') bold += 1;
    let end = Math.max(n.end, bold);
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    spans.set(fact, { bold: [start, bold], value: [start, end] });
  }
  return spans;
}

/**
 * Table rows of facts: one row per statement and source, with every figure of the statement in
 * bold and all its values, so a statement with two figures is one statement, not two rows that look
 * like one metric with two values. A restatement is written in the document's language; verbatim
 * text is put in quotation marks. `labelEach` prefixes each statement with what it is (for tables
 * whose header cannot say it).
 */
function factRows(ctx: Ctx, facts: Fact[], labelEach: boolean): string[] {
  const labels = STATEMENT_LABELS[ctx.lang];
  return shownStatements(facts, ctx.lang, ctx.dossier.sources).map((g) => {
    const spans = figureSpans(g.text, g.facts);
    const ordered = [...spans.values()].map((x) => x.bold).sort((a, b) => b[0] - a[0]);
    let statement = ordered.reduce((text, [start, end]) => `${text.slice(0, start)}**${text.slice(start, end)}**${text.slice(end)}`, g.text);
    if (g.verbatim) statement = tt(ctx, `“${statement}”`, `"${statement}"`);
    if (labelEach) statement = `${g.verbatim ? labels.verbatim : labels.paraphrase}${tt(ctx, '：', ': ')}${statement}`;
    const values = g.facts.map((f) => {
      const span = spans.get(f);
      return span ? g.text.slice(span.value[0], span.value[1]) : factValue(f);
    });
    return `| ${cell(statement)} | ${cell(values.join(tt(ctx, '；', '; ')))} | [^${g.sourceId}] |`;
  });
}

/** Header of the statement column of the background table: what its rows are. */
function statementHeader(ctx: Ctx, facts: Fact[]): { header: string; labelEach: boolean } {
  const shown = shownStatements(facts, ctx.lang, ctx.dossier.sources);
  const labels = STATEMENT_LABELS[ctx.lang];
  if (shown.every((g) => !g.verbatim)) return { header: labels.paraphrase, labelEach: false };
  if (shown.every((g) => g.verbatim)) return { header: labels.verbatim, labelEach: false };
  return { header: labels.mixed, labelEach: true };
}

function hasDigit(text: string): boolean {
  return /\d/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Section 1: business scenario

function background(ctx: Ctx): string[] {
  const out = [t(ctx, ctx.brief.context), ''];
  const facts = ctx.outline.items['scenario.background']?.facts ?? [];
  if (facts.length > 0) {
    const { header, labelEach } = statementHeader(ctx, facts);
    out.push(
      tt(
        ctx,
        '下表用中文转述已收集的公开来源中与业务规模相关的陈述（转述不是原文；原文摘录留给评审核对），依据列给出出处；这些数据描述公司业务本身，与下文的设计方案无关。',
        'The table restates, in our own words, statements about the scale of the business from the collected public sources (a paraphrase, not the original text), with their source in the Basis column; they describe the business itself, not the design proposed below.',
      ),
      '',
      `| ${header} | ${tt(ctx, '数值', 'Value')} | ${tt(ctx, '依据', 'Basis')} |`,
      '|---|---|---|',
      ...factRows(ctx, facts, labelEach),
      '',
    );
  } else {
    out.push(
      tt(
        ctx,
        '已收集的公开来源中没有可直接引用的业务规模数据；本文不给出未经来源证实的公司数据。',
        'The collected public sources hold no figures about the scale of the business that could be quoted; this document states no company figures without a source.',
      ),
      '',
    );
  }
  const notes = ctx.outline.notes.filter((n) => !hasDigit(n.text));
  if (notes.length > 0) {
    out.push(tt(ctx, '研究备注：', 'Research notes:'), '');
    for (const note of notes) {
      const link = note.url ? ` ([${tt(ctx, '链接', 'link')}](${note.url}))` : '';
      out.push(`- ${note.text.replace(/\s+/g, ' ').trim()}${tt(ctx, `（${note.author}）`, ` (${note.author})`)}${link}`);
    }
    out.push('');
  }
  return out;
}

/** A lead-in line and a bullet list of the brief's items, in the document's language. */
function bulleted(ctx: Ctx, zh: string, en: string, items: Bilingual[]): string[] {
  return [tt(ctx, zh, en), '', ...items.map((item) => `- ${t(ctx, item)}`), ''];
}

function requirements(ctx: Ctx): string[] {
  return [
    ...bulleted(ctx, '本设计需要满足以下需求：', 'The design has to meet these requirements:', ctx.brief.requirements),
    ...bulleted(ctx, '案例特征：', 'Case features:', ctx.brief.features),
  ];
}

function challenges(ctx: Ctx): string[] {
  return bulleted(ctx, '公开资料与需求分析指出的主要挑战：', 'The main challenges, from the public material and the requirements:', ctx.brief.painPoints);
}

// ---------------------------------------------------------------------------------------------
// What only a writer can supply

/**
 * A marked gap: the writer's part of an item. The marker blocks publishing (leak gate), and the
 * activity reads the item ids back from it, so the workflow waits for a writer instead.
 */
function writerNeeded(ctx: Ctx, itemId: string, title: Bilingual, what?: Bilingual): string[] {
  const need = what ?? WRITER_ITEMS[itemId] ?? { zh: `用本案例自己的术语撰写“${title.zh}”`, en: `write "${title.en}" in the case's own terms` };
  return [`> ${WRITER_MARKER}（${itemId}）${tt(ctx, '：', ': ')}${t(ctx, need)}`, ''];
}

function decisions(ctx: Ctx): string[] {
  const names = ctx.patterns.map((p) => t(ctx, p.name)).join(tt(ctx, '、', ', '));
  const out = writerNeeded(ctx, 'architecture.decisions', { zh: '关键技术决策', en: 'Key technical decisions' });
  if (names) {
    out.push(
      tt(
        ctx,
        `可供选用的通用模式（${names}）及其可编译的代码示例见共享附录[《Temporal 模式目录》](${APPENDIX_LINK})；本案例的代码应使用自己的领域术语。`,
        `The general patterns to choose from (${names}), with code samples that compile, are in the shared appendix [Temporal pattern catalogue](${APPENDIX_LINK}); this case's code uses its own domain terms.`,
      ),
      '',
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 3: metrics

const BUCKET_NAME: Record<MetricBucket, Bilingual> = {
  throughput: { zh: '吞吐量', en: 'throughput' },
  latency: { zh: '延迟', en: 'latency' },
  reliability: { zh: '可靠性', en: 'reliability' },
  cost: { zh: '成本', en: 'cost' },
};

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Capacity arithmetic from the brief's targets and estimates, set against Temporal's documented limits. */
function capacity(ctx: Ctx, bucket: MetricBucket): string[] {
  const c = capacityOf(ctx.brief.targets);
  const out: string[] = [];
  if (bucket === 'cost' && c.actionsPerSecond && c.startsPerSecond && c.actionsPerUnit) {
    const l = limit('cloud-actions-per-second');
    out.push(
      tt(
        ctx,
        `容量推算：峰值约 ${fmt(c.startsPerSecond)} × ${fmt(c.actionsPerUnit)} = ${fmt(c.actionsPerSecond)} Actions/s（估算）；它是上表设计目标与估算的乘积。${c.actionsPerSecond > l.value ? '这高于' : '这不超过'} Temporal Cloud 单个命名空间的默认 Actions/s 上限（见 [${l.source.title}](${l.source.url})）。`,
        `Capacity: at peak about ${fmt(c.startsPerSecond)} × ${fmt(c.actionsPerUnit)} = ${fmt(c.actionsPerSecond)} Actions/s (estimate); it is the product of the target and the estimate above. That is ${c.actionsPerSecond > l.value ? 'above' : 'within'} the default Actions/s of one Temporal Cloud namespace (see [${l.source.title}](${l.source.url})).`,
      ),
      '',
    );
    if (c.actionsPerSecond > l.value) out.push(...writerNeeded(ctx, 'metrics.cost', { zh: '成本指标', en: 'Cost' }, { zh: '命名空间如何承载这一速率（预置容量、多个命名空间或自托管集群的规格）', en: 'how the namespace takes this rate (provisioned capacity, several namespaces, or a sized self-hosted cluster)' }));
  }
  if (bucket === 'throughput' && c.children && c.parentEvents) {
    const l = limit('history-events');
    out.push(
      tt(
        ctx,
        `历史推算：一个父 Workflow 启动 ${fmt(c.children)} 个子 Workflow，每个子 Workflow 至少在父历史中留下 ${EVENTS_PER_CHILD} 个事件，共约 ${fmt(c.parentEvents)} 个事件（估算）。${c.parentEvents > l.value ? '这超过' : '这不超过'}单个执行的事件历史上限（见 [${l.source.title}](${l.source.url})）${c.parentEvents > l.value ? '，父 Workflow 必须按批 Continue-As-New 或分层扇出' : ''}。`,
        `History: one parent starting ${fmt(c.children)} child workflows records at least ${EVENTS_PER_CHILD} events per child, about ${fmt(c.parentEvents)} events (estimate). That is ${c.parentEvents > l.value ? 'over' : 'within'} the event-history limit of one execution (see [${l.source.title}](${l.source.url}))${c.parentEvents > l.value ? ', so the parent must continue as new per batch or fan out through a tree' : ''}.`,
      ),
      '',
    );
  }
  return out;
}

function metricItem(ctx: Ctx, bucket: MetricBucket, item: OutlineItem | undefined): string[] {
  const name = t(ctx, BUCKET_NAME[bucket]);
  const facts = item?.facts ?? [];
  const targets = item?.targets ?? [];
  const out: string[] = [];
  if (facts.length + targets.length > 0) {
    out.push(
      tt(
        ctx,
        `下表列出来源中的${name}数据（每行注明是来源转述还是原文）与本设计的${name}目标或估算；依据列标明出处或标签。`,
        `The table lists ${name} figures from the sources (each row says whether it paraphrases the source or quotes it) and the design's ${name} targets or estimates; the Basis column gives the source or the label.`,
      ),
      '',
      tt(ctx, '| 指标 | 数值 | 依据 |', '| Metric | Value | Basis |'),
      '|---|---|---|',
      ...factRows(ctx, facts, true),
      ...targets.map((g) => {
        const label = tt(ctx, `${name}${g.kind === 'target' ? '目标' : '估算'}`, `${name[0].toUpperCase()}${name.slice(1)} ${g.kind === 'target' ? 'target' : 'estimate'}`);
        return `| ${cell(label)} | ${cell(t(ctx, g.text))} | ${LABELS[ctx.lang][g.kind]} |`;
      }),
      '',
    );
  } else {
    out.push(
      tt(
        ctx,
        `已收集的来源中没有${name}方面的公开数据，本设计也未设定该项目标；上线前应通过压测测量并补充。`,
        `The collected sources hold no public ${name} figures and the design sets no ${name} target; measure it in load tests before go-live.`,
      ),
      '',
    );
  }
  out.push(...capacity(ctx, bucket));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Assembly

const ITEM_WRITERS: Record<string, (ctx: Ctx) => string[]> = {
  'scenario.background': background,
  'scenario.requirements': requirements,
  'scenario.challenges': challenges,
  'architecture.decisions': decisions,
};

/** The composer writes what the brief, the dossier and arithmetic give; every other item waits for a writer. */
function writeItem(ctx: Ctx, itemId: string, title: Bilingual): string[] {
  const bucket = METRIC_BUCKETS.find((b) => itemId.endsWith(`.${b}`));
  if (bucket) return metricItem(ctx, bucket, ctx.outline.items[`metrics.${bucket}`]);
  const writer = ITEM_WRITERS[itemId];
  if (writer) return writer(ctx);
  return writerNeeded(ctx, itemId, title);
}

function intro(ctx: Ctx, feedback: string[]): string[] {
  const company = ctx.brief.company;
  const out = [
    tt(
      ctx,
      `本文针对 ${company} 公开描述的业务场景，提出一套基于 Temporal 的参考设计。它是设计方案，而不是对 ${company} 现有系统的描述：除非注明来源，文中的架构、代码与流程均为我们的建议。文中的数字要么以脚注引用可查证的公开来源，要么明确标注为设计目标或估算。`,
      `This document proposes a Temporal design for the business scenario ${company} has described in public. It is a proposal, not a description of ${company}'s systems: unless a source is given, the architecture, code and flows are our suggestions. Every number either cites a public source a reader can check, in a footnote, or is labelled as a design target or an estimate.`,
    ),
    '',
  ];
  if (feedback.length > 0) {
    const quoted = feedback.map(codeSpan).join(tt(ctx, '；', '; '));
    out.push(
      tt(ctx, `**修订说明**：本修订根据以下评审意见重新生成：${quoted}。`, `**Revision notes**: this revision was regenerated in response to the review comments ${quoted}.`),
      '',
    );
  }
  return out;
}

/**
 * A footnote: title, publisher, publication date (then the date of the data when it differs), the
 * retrieval date (when the excerpt was taken, or when the page was fetched) and the URL.
 */
export function footnoteText(lang: Lang, s: CollectedSource): string {
  const url = s.url ?? (/^https?:\/\//.test(s.location) ? s.location : undefined);
  const retrieved = s.retrieved ?? (s.kind === 'snapshot' ? s.page?.fetchedAt.slice(0, 10) : undefined);
  const parts = [
    s.title,
    s.publisher,
    s.date,
    s.dataAsOf && (lang === 'zh' ? `数据截至 ${s.dataAsOf}` : `data as of ${s.dataAsOf}`),
    retrieved && (lang === 'zh' ? `检索于 ${retrieved}` : `retrieved ${retrieved}`),
    url,
  ];
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .join(', ');
}

function sourcesSection(lang: Lang, body: string, dossier: Dossier): string[] {
  const cited = new Set([...body.matchAll(/\[\^([^\]\s]+)\]/g)].map((m) => m[1]));
  const lines = dossier.sources.filter((s) => s.status === 'ok' && cited.has(s.id)).map((s) => `[^${s.id}]: ${footnoteText(lang, s)}`);
  return [`## ${SOURCES_HEADING[lang]}`, '', ...(lines.length > 0 ? lines : [lang === 'zh' ? '本文未引用外部来源。' : 'This document cites no external source.'])];
}

function uniqueStrings(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}

/**
 * Composes the case document. Deterministic: the same input always gives the same Markdown, byte
 * for byte. Feedback from the outline and from the input is quoted, once each, in the revision notes.
 */
export function composeMarkdown(input: ComposeInput): string {
  const { brief, outline, dossier, template, language } = input;
  const patterns = outline.patterns
    .map((c) => PATTERNS.find((p) => p.id === c.id))
    .filter((p): p is Pattern => p !== undefined);
  const ctx: Ctx = { lang: language, brief, outline, dossier, patterns, chosen: new Set(patterns.map((p) => p.id)) };

  const front = [
    '---',
    `case: ${yamlScalar(brief.id)}`,
    `company: ${yamlScalar(brief.company)}`,
    `industry: ${yamlScalar(brief.industry)}`,
    `themes: [${brief.themes.map(yamlScalar).join(', ')}]`,
    `patterns: [${patterns.map((p) => p.id).join(', ')}]`,
    `language: ${language}`,
    `plan: ${yamlScalar(input.planVersion)}`,
    '---',
    '',
    `# ${brief.title[language]}`,
    '',
  ];
  const body: string[] = [...intro(ctx, uniqueStrings([...outline.feedback, ...input.feedback]))];
  template.sections.forEach((section: TemplateSection, i) => {
    body.push(`## ${i + 1}. ${section.title[language]}`, '');
    section.items.forEach((item, j) => {
      body.push(`### ${i + 1}.${j + 1} ${item.title[language]}`, '', ...writeItem(ctx, item.id, item.title));
    });
  });
  const bodyText = body.join('\n');
  return [...front, bodyText, ...sourcesSection(language, bodyText, dossier)].join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Figures

/** A unit of text that a citation or a label covers: a table row or a sentence. */
interface Statement {
  text: string;
  line: number;
  isRow: boolean;
}

/** Removes the parts of a line that are not prose: inline code, link and bare URLs. */
function proseOf(line: string): string {
  return line
    .replace(/(`+)[\s\S]*?\1/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<https?:[^>]*>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ');
}

/**
 * The statements of a document outside the places the convention excludes (frontmatter, fenced
 * code, headings, footnote definitions, the sources section): table rows whole, prose split into
 * sentences. A footnote reference just after a sentence end stays with that sentence.
 */
function statementsOf(markdown: string): Statement[] {
  const lines = markdown.split(/\r?\n/);
  const out: Statement[] = [];
  let fence: string | undefined;
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, k) => k > 0 && l.trim() === '---');
    if (end > 0) i = end + 1;
  }
  for (; i < lines.length; i++) {
    const line = lines[i];
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length && line.trim() === fenceMatch[1]) fence = undefined;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      continue;
    }
    if (/^#{1,6}\s/.test(line)) {
      if (/^##\s/.test(line) && SOURCES_TITLE.test(line.slice(3).trim())) break;
      continue;
    }
    if (/^\s*\[\^[^\]]+\]:/.test(line)) continue;
    const prose = proseOf(line);
    if (/^\s*\|/.test(line)) {
      if (!/^\s*\|?\s*:?-{2,}/.test(line)) out.push({ text: prose, line: i + 1, isRow: true });
      continue;
    }
    const withoutMarker = prose.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').replace(/^\s*>\s?/, '');
    const parts = splitSentences(withoutMarker);
    for (let k = 0; k < parts.length; k++) {
      let text = parts[k];
      const lead = /^((?:\[\^[^\]\s]+\]\s*)+)/.exec(parts[k + 1] ?? '');
      if (lead) {
        text += lead[1];
        parts[k + 1] = parts[k + 1].slice(lead[1].length);
      }
      if (text.trim()) out.push({ text, line: i + 1, isRow: false });
    }
  }
  return out;
}

/** What a statement's numbers rest on: the source ids it cites, and the labels it carries. */
function basesOf(statement: Statement): string[] {
  const bases = [...new Set([...statement.text.matchAll(FOOTNOTE_REF)].map((m) => m[1]))];
  const text = statement.text;
  const labels = statement.isRow
    ? text.split('|').map((c) => labelCell(c) ?? suffixLabelIn(c))
    : [suffixLabelIn(text), prefixLabelIn(text)];
  for (const kind of ['target', 'estimate'] as const) if (labels.includes(kind)) bases.push(kind);
  return bases;
}

function plainText(text: string, isRow: boolean): string {
  const stripped = text.replace(FOOTNOTE_REF, '').replace(/\*\*|__/g, '');
  const cells = isRow ? stripped.split(/(?<!\\)\|/).map((c) => c.trim()).filter((c) => c !== '') : [stripped.trim()];
  return cells.join(' | ').replace(/\\\|/g, '|').replace(/\s+/g, ' ').trim();
}

/**
 * The facts of a source that a statement's figures restate: for each figure of the statement, the
 * source's fact with the same value and unit (rounding allowed). Figures no fact matches are
 * returned as `undefined`.
 */
export function factsBehind(statementText: string, sourceId: string, dossier: Pick<Dossier, 'facts'>): (Fact | undefined)[] {
  const facts = dossier.facts.filter((f) => f.sourceId === sourceId);
  return scanNumbers(statementText.replace(FOOTNOTE_REF, ' '))
    .filter(isFigure)
    .map((n) => facts.find((f) => f.raw.trim() === n.raw) ?? facts.find((f) => sameFigure(f, n)));
}

/**
 * The status of a statement's figures: mismatch when any is, verified when every figure is a
 * verified fact, otherwise unverified (not checked, or not found among the source's facts).
 */
export function statusOf(facts: readonly (Fact | undefined)[]): FactStatus {
  if (facts.some((f) => f?.status === 'mismatch')) return 'mismatch';
  if (facts.length > 0 && facts.every((f) => f?.status === 'verified')) return 'verified';
  return 'unverified';
}

/**
 * The figures of a case document that rest on a source or carry a label, for the review packet: one
 * entry per statement (sentence or table row) and basis. Numbers that are not figures (years, dates,
 * versions, numbering, ids) and numbers in excluded places are ignored; figures with no citation or
 * label are not listed here (QA reports them). A figure cited to a source carries the page check of
 * the facts behind it (`status`).
 */
export function figuresOf(markdown: string, dossier: Dossier): CitedFigure[] {
  const out: CitedFigure[] = [];
  for (const statement of statementsOf(markdown)) {
    const withoutRefs = statement.text.replace(FOOTNOTE_REF, ' ');
    if (!scanNumbers(withoutRefs).some(isFigure)) continue;
    const text = plainText(statement.text, statement.isRow);
    for (const basis of basesOf(statement)) {
      const src = dossier.sources.find((s) => s.id === basis);
      const url = src?.url ?? (src && /^https?:\/\//.test(src.location) ? src.location : undefined);
      const behind = src ? factsBehind(withoutRefs, basis, dossier) : [];
      const original = [...new Set(behind.flatMap((f) => (f ? [f.restatement?.en ?? f.sentence] : [])))];
      out.push({
        text,
        basis,
        ...(src ? { source: { title: src.title, ...(url ? { url } : {}), ...(src.date ? { date: src.date } : {}) } } : {}),
        line: statement.line,
        ...(src ? { status: statusOf(behind) } : {}),
        ...(original.length > 0 ? { original } : {}),
      });
    }
  }
  return out;
}
