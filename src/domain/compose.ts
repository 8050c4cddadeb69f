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
import { GENERIC_EXCERPTS, PATTERNS, type Bilingual, type Pattern, type PatternExcerpt, type PatternId } from './patterns';
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

function inlineLabel(lang: Lang, kind: 'target' | 'estimate'): string {
  return lang === 'zh' ? `（${LABELS.zh[kind]}）` : ` (${LABELS.en[kind]})`;
}

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

function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
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

function requirements(ctx: Ctx): string[] {
  return [
    tt(ctx, '本设计需要满足以下需求：', 'The design has to meet these requirements:'),
    '',
    ...ctx.brief.requirements.map((r) => `- ${t(ctx, r)}`),
    '',
    tt(ctx, '案例特征：', 'Case features:'),
    '',
    ...ctx.brief.features.map((f) => `- ${t(ctx, f)}`),
    '',
  ];
}

function challenges(ctx: Ctx): string[] {
  return [
    tt(ctx, '公开资料与需求分析指出的主要挑战：', 'The main challenges, from the public material and the requirements:'),
    '',
    ...ctx.brief.painPoints.map((p) => `- ${t(ctx, p)}`),
    '',
    tt(
      ctx,
      '下一节的关键技术决策说明每个挑战由哪种 Temporal 模式应对。',
      'The key technical decisions in the next section say which Temporal pattern answers each challenge.',
    ),
    '',
  ];
}

// ---------------------------------------------------------------------------------------------
// Section 2: architecture

function diagram(ctx: Ctx): string[] {
  const company = ctx.brief.company;
  const has = (id: PatternId) => ctx.chosen.has(id);
  const comp = (id: PatternId) => mermaidLabel(t(ctx, PATTERNS.find((p) => p.id === id)!.component));
  const lines = [
    '```mermaid',
    'flowchart LR',
    `  entry[${mermaidLabel(tt(ctx, `${company} 业务入口`, `${company} entry point`))}] --> client[${mermaidLabel('Temporal Client')}]`,
    `  client -->|${mermaidLabel(tt(ctx, '启动 Workflow', 'start workflow'))}| service[(${mermaidLabel('Temporal Service')})]`,
    `  service -->|${mermaidLabel(tt(ctx, '任务队列', 'task queue'))}| worker[${mermaidLabel('Worker')}]`,
    `  worker --> wf[${mermaidLabel(tt(ctx, '业务 Workflow', 'Business workflow'))}]`,
    `  wf --> acts[${mermaidLabel('Activities')}]`,
    has('idempotency')
      ? `  acts -->|${mermaidLabel(tt(ctx, '幂等键', 'idempotency key'))}| ext[${mermaidLabel(tt(ctx, '外部系统与 API', 'External systems and APIs'))}]`
      : `  acts --> ext[${mermaidLabel(tt(ctx, '外部系统与 API', 'External systems and APIs'))}]`,
  ];
  if (has('saga')) lines.push(`  wf -.->|${mermaidLabel(tt(ctx, '失败时', 'on failure'))}| comp[${comp('saga')}]`, '  comp --> ext');
  if (has('signals-updates')) lines.push(`  human[${comp('signals-updates')}] -->|${mermaidLabel('Signal / Update')}| service`);
  if (has('child-workflows')) lines.push(`  wf --> child[${comp('child-workflows')}]`, '  child --> acts');
  if (has('heartbeats')) lines.push(`  wf --> long[${comp('heartbeats')}]`, `  long -.->|${mermaidLabel(tt(ctx, '心跳', 'heartbeat'))}| service`);
  if (has('continue-as-new')) lines.push(`  wf -.->|${mermaidLabel('Continue-As-New')}| wf`);
  if (has('schedules')) lines.push(`  sched[${comp('schedules')}] -.-> service`);
  if (has('versioning')) lines.push(`  deploy[${comp('versioning')}] -.-> worker`);
  if (has('timers')) lines.push(`  service -.->|${mermaidLabel(tt(ctx, '定时器触发', 'timer fires'))}| wf`);
  if (has('rate-limiting')) lines.push(`  service --> limited[${comp('rate-limiting')}]`, '  limited --> ext');
  lines.push('```');
  return lines;
}

function design(ctx: Ctx): string[] {
  return [
    tt(
      ctx,
      `本设计以 Temporal 为编排核心。在本设计中，${ctx.brief.company} 的业务入口通过 Temporal Client 启动 Workflow；Workflow 只做编排，每个有副作用的步骤都是 Activity，由 Worker 从任务队列领取执行；Temporal Service 持久化事件历史、定时器和任务队列，Worker 崩溃或重新部署后，执行从历史中恢复，继续停在原来的位置。`,
      `Temporal is the orchestration core of this design. In this design, ${ctx.brief.company}'s entry point starts workflows through the Temporal Client; a workflow only orchestrates, and every step with side effects is an activity that workers take from a task queue; the Temporal Service persists event histories, timers and task queues, so after a worker crash or a redeployment an execution resumes from its history exactly where it stood.`,
    ),
    '',
    tt(ctx, '架构图（虚线为所选模式加入的交互）：', 'Architecture (dashed lines are interactions added by the chosen patterns):'),
    '',
    ...diagram(ctx),
    '',
  ];
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0].toLowerCase()}${text.slice(1)}` : text;
}

/**
 * The requirement, challenge or feature of the brief that a pattern answers (the first that names
 * one of the pattern's words), so a decision is explained in the case's own terms.
 */
function needAnswered(ctx: Ctx, p: Pattern): { what: Bilingual; text: Bilingual } | undefined {
  const mentions = (b: Bilingual) =>
    p.matches.keywords.zh.some((k) => b.zh.includes(k)) ||
    p.matches.keywords.en.some((k) => new RegExp(`(?:^|[^a-z])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').toLowerCase()}`).test(b.en.toLowerCase()));
  const lists: [Bilingual, Bilingual[]][] = [
    [{ zh: '本案例的需求', en: "the case's requirement" }, ctx.brief.requirements],
    [{ zh: '本案例的挑战', en: "the case's challenge" }, ctx.brief.painPoints],
    [{ zh: '本案例的特征', en: "the case's feature" }, ctx.brief.features],
  ];
  for (const [what, items] of lists) {
    const found = items.find(mentions);
    if (found) return { what, text: { zh: found.zh.replace(/[。.]$/, ''), en: found.en.replace(/\.$/, '') } };
  }
  return undefined;
}

function decisions(ctx: Ctx): string[] {
  const out = [
    tt(ctx, '根据案例特征选用的 Temporal 模式：', 'Temporal patterns chosen for the features of this case:'),
    '',
  ];
  for (const chosen of ctx.outline.patterns) {
    const p = PATTERNS.find((x) => x.id === chosen.id);
    if (!p) continue;
    const need = needAnswered(ctx, p);
    const why = need ? tt(ctx, `在本设计中，它回应${need.what.zh}：${need.text.zh}。`, ` In this design it answers ${need.what.en}: ${lowerFirst(need.text.en)}.`) : '';
    out.push(`- **${t(ctx, p.name)}**${tt(ctx, '：', ': ')}${t(ctx, p.rationale)}${why}`);
  }
  out.push(
    '',
    tt(ctx, '通用决策：', 'General decisions:'),
    '',
    tt(
      ctx,
      '- Workflow 代码保持确定性，所有 I/O 都放在 Activity 中，Activity 的类型只以类型方式导入 Workflow。',
      '- Workflow code stays deterministic; all I/O lives in activities, whose types the workflow imports as types only.',
    ),
    tt(
      ctx,
      '- Signal 与 Update 只接收一个 JSON 对象参数，Web UI、命令行和代码都能以同样方式发送。',
      '- Signals and updates take one JSON object, so the Web UI, the command line and code send them the same way.',
    ),
    tt(
      ctx,
      '- 业务规则失败抛出不可重试的 ApplicationFailure，瞬时故障交给带上限的重试策略。',
      '- Business-rule failures throw a non-retryable ApplicationFailure; transient faults go to a bounded retry policy.',
    ),
    '',
  );
  return out;
}

function components(ctx: Ctx): string[] {
  const out = [
    tt(ctx, '- **Temporal Service**：持久化事件历史、定时器、任务队列与可见性索引。', '- **Temporal Service**: persists event histories, timers, task queues and the visibility index.'),
    tt(ctx, '- **Worker**：无状态进程，从任务队列领取 Workflow 与 Activity 任务，可水平扩容。', '- **Workers**: stateless processes that take workflow and activity tasks from task queues and scale out horizontally.'),
    tt(ctx, '- **Workflow**：业务流程的持久化编排逻辑，可通过 Query 查询状态。', '- **Workflows**: the durable orchestration of the business process, with state readable through queries.'),
    tt(ctx, '- **Activity**：调用外部系统的步骤，按策略超时与重试。', '- **Activities**: the steps that call external systems, with timeouts and retries by policy.'),
    tt(ctx, '- **搜索属性与 Web UI**：按业务标识筛选执行，查看历史与待处理步骤。', '- **Search attributes and the Web UI**: filter executions by business id, inspect histories and pending steps.'),
  ];
  for (const p of ctx.patterns) out.push(`- **${t(ctx, p.component)}**${tt(ctx, '：', ': ')}${t(ctx, p.name)}${tt(ctx, '。', '.')}`);
  out.push('');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 3: metrics

const BUCKET_TEXT: Record<MetricBucket, { name: Bilingual; analysis: Bilingual }> = {
  throughput: {
    name: { zh: '吞吐量', en: 'throughput' },
    analysis: {
      zh: '吞吐量由 Worker 数量、任务队列的分区和下游限速共同决定：Workflow 只做编排，增加 Worker 即可提升 Activity 的处理能力，直到下游系统或限速成为瓶颈。',
      en: 'Throughput depends on the number of workers, task-queue partitions and downstream rate limits: workflows only orchestrate, so adding workers raises activity capacity until a downstream system or a rate limit becomes the bottleneck.',
    },
  },
  latency: {
    name: { zh: '延迟', en: 'latency' },
    analysis: {
      zh: '每个 Activity 会增加一次任务调度的往返；对延迟敏感的步骤可合并为一个 Activity 或使用 Local Activity，需要同步结果的调用方用 Update 等待处理完成。',
      en: 'Every activity adds a task-dispatch round trip; latency-sensitive steps can be merged into one activity or run as local activities, and callers that need a synchronous answer wait on an update.',
    },
  },
  reliability: {
    name: { zh: '可靠性', en: 'reliability' },
    analysis: {
      zh: 'Workflow 的状态由事件历史持久化，Worker 崩溃后由其他 Worker 重放恢复；整体可靠性的上限取决于外部调用的幂等性与补偿设计。',
      en: 'Workflow state is persisted as event history and another worker replays it after a crash; the ceiling on overall reliability is set by the idempotency and compensation of the external calls.',
    },
  },
  cost: {
    name: { zh: '成本', en: 'cost' },
    analysis: {
      zh: '成本主要来自 Temporal 的动作数与历史存储（托管服务按动作计费）以及 Worker 的计算资源；减少不必要的 Activity、合理设置心跳频率可直接降低成本。',
      en: 'Cost comes mainly from Temporal actions and history storage (the hosted service bills by action) and from worker compute; avoiding needless activities and tuning heartbeat frequency lower it directly.',
    },
  },
};

function metricItem(ctx: Ctx, bucket: MetricBucket, item: OutlineItem | undefined): string[] {
  const name = t(ctx, BUCKET_TEXT[bucket].name);
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
  out.push(t(ctx, BUCKET_TEXT[bucket].analysis), '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 4: implementation

function excerptBlock(ctx: Ctx, excerpt: PatternExcerpt, pattern?: Pattern): string[] {
  const title = pattern ? `**${t(ctx, excerpt.title)}**${tt(ctx, `（${t(ctx, pattern.name)}）`, ` (${t(ctx, pattern.name)})`)}` : `**${t(ctx, excerpt.title)}**`;
  return [`${title}${tt(ctx, '：', ':')}`, '', '```ts', excerpt.code.trimEnd(), '```', ''];
}

function workflowsItem(ctx: Ctx): string[] {
  const out = [
    tt(
      ctx,
      '以下代码是设计示意，不是公司的生产代码。每个片段都是独立的 TypeScript 模块：Workflow 通过 proxyActivities 调用只以类型声明的 Activity 接口，并为每类调用设置明确的超时。',
      'The code below illustrates the design; it is not the company\'s production code. Each excerpt is a standalone TypeScript module: the workflow calls activities through proxyActivities over an interface declared as a type only, with explicit timeouts for each kind of call.',
    ),
    '',
  ];
  const shown = ctx.patterns.filter((p) => p.excerpt.kind === 'workflow' || p.excerpt.kind === 'client');
  if (!shown.some((p) => p.excerpt.kind === 'workflow')) out.push(...excerptBlock(ctx, GENERIC_EXCERPTS.workflow));
  for (const p of shown) out.push(...excerptBlock(ctx, p.excerpt, p));
  return out;
}

function activitiesItem(ctx: Ctx): string[] {
  const out = [
    tt(
      ctx,
      'Activity 至少执行一次，因此每个 Activity 都必须可以安全重试：对外调用携带由业务标识派生的幂等键，长时间运行的 Activity 通过心跳报告进度，依赖通过工厂函数注入以便测试。',
      'Activities run at least once, so each must be safe to retry: external calls carry an idempotency key derived from the business id, long-running activities report progress through heartbeats, and dependencies are injected through a factory so they can be tested.',
    ),
    '',
  ];
  const shown = ctx.patterns.filter((p) => p.excerpt.kind === 'activity' || p.excerpt.kind === 'worker');
  if (!shown.some((p) => p.excerpt.kind === 'activity')) {
    const idem = PATTERNS.find((p) => p.id === 'idempotency')!;
    out.push(...excerptBlock(ctx, idem.excerpt, idem));
  }
  for (const p of shown) out.push(...excerptBlock(ctx, p.excerpt, p));
  return out;
}

function errorsItem(ctx: Ctx): string[] {
  return [
    tt(
      ctx,
      '错误分为两类：瞬时故障（网络中断、下游超时、限流）由重试策略以指数退避自动重试，并设置重试上限；业务规则失败（参数无效、余额不足、审批被拒）抛出不可重试的 ApplicationFailure，立即结束该步骤并保留完整的原因链。',
      'Errors fall into two kinds: transient faults (dropped connections, downstream timeouts, throttling) are retried automatically with exponential backoff up to a bound; business-rule failures (invalid input, insufficient funds, a rejected approval) throw a non-retryable ApplicationFailure that ends the step at once and keeps the whole cause chain.',
    ),
    '',
    ...excerptBlock(ctx, GENERIC_EXCERPTS.errors),
  ];
}

function compensationItem(ctx: Ctx): string[] {
  const out: string[] = [];
  if (ctx.chosen.has('saga')) {
    out.push(
      tt(
        ctx,
        '补偿采用 Saga：上文的支付 Saga 示例在每个步骤成功后登记对应的撤销操作，失败时按相反顺序执行。补偿 Activity 与正向 Activity 一样幂等、可重试；补偿仍失败时，Workflow 记录状态并转入人工处理，而不是静默结束。',
        'Compensation follows the saga above: each successful step registers its undo, and on failure the undos run in reverse order. Compensating activities are idempotent and retryable like forward ones; if a compensation still fails, the workflow records the state and hands over to a human instead of ending silently.',
      ),
    );
  } else {
    out.push(
      tt(
        ctx,
        '本案例的步骤以幂等重试为主，不需要完整的 Saga；对于确实需要撤销的步骤，Workflow 在捕获失败后调用对应的撤销 Activity，并把无法自动撤销的情况转入人工处理。',
        'The steps of this case rely mainly on idempotent retries and need no full saga; where a step must be undone, the workflow catches the failure, calls the matching undo activity, and hands cases that cannot be undone automatically to a human.',
      ),
    );
  }
  if (ctx.chosen.has('signals-updates')) {
    out.push(
      '',
      tt(
        ctx,
        '需要人工判断的补偿（例如争议或例外审批）通过 Signal 或 Update 把决定送回等待中的 Workflow。',
        'Compensations that need human judgement (disputes, exception approvals) send the decision back to the waiting workflow through a signal or an update.',
      ),
    );
  }
  out.push('');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 5: optimization

const OPTIMIZATION: Partial<Record<PatternId, Bilingual>> = {
  'child-workflows': {
    zh: '按分片或区域分批扇出子 Workflow，控制父历史大小与下游并发。',
    en: 'Fan out child workflows by shard or region in waves, bounding the parent history and downstream concurrency.',
  },
  heartbeats: {
    zh: '长时间 Activity 以心跳记录进度，失败后断点续传，避免重复处理已完成的部分。',
    en: 'Long activities record progress in heartbeats and resume after a failure instead of redoing finished work.',
  },
  'continue-as-new': {
    zh: '长生命周期实体在服务端建议时 Continue-As-New，保持历史有界、重放快速。',
    en: 'Long-lived entities continue as new when the server suggests it, keeping histories bounded and replay fast.',
  },
  'rate-limiting': {
    zh: '对有配额的下游使用专用任务队列与服务端限速，削平高峰流量。',
    en: 'Quota-bound downstream calls go through a dedicated task queue with a server-side rate limit that flattens peaks.',
  },
  schedules: {
    zh: '周期任务交给 Schedule，并设置重叠策略，避免同一批数据被并发处理。',
    en: 'Periodic work runs from schedules with an overlap policy, so one batch is never processed twice at once.',
  },
  idempotency: {
    zh: '幂等键让重试可以放心地积极配置，减少人工对账。',
    en: 'Idempotency keys make aggressive retries safe and cut manual reconciliation.',
  },
  timers: {
    zh: '用持久化定时器替代轮询数据库的定时任务，减少无效查询。',
    en: 'Durable timers replace jobs that poll a database, removing idle queries.',
  },
};

function strategies(ctx: Ctx): string[] {
  const out = [
    tt(ctx, '- 按负载类型拆分任务队列，让慢调用与快调用互不阻塞，并分别扩容 Worker。', '- Split task queues by kind of load so slow calls do not block fast ones, and scale their workers separately.'),
    tt(ctx, '- 大负载存放在对象存储中，Workflow 只传递引用，保持事件历史精简。', '- Keep large payloads in object storage and pass references through the workflow, keeping histories small.'),
    tt(ctx, '- 调整 Worker 的并发上限与缓存大小，使其与下游容量和内存相匹配。', '- Tune worker concurrency limits and cache size to downstream capacity and memory.'),
  ];
  for (const p of ctx.patterns) {
    const text = OPTIMIZATION[p.id];
    if (text) out.push(`- ${t(ctx, text)}`);
  }
  out.push('');
  return out;
}

function effects(ctx: Ctx): string[] {
  const targets = METRIC_BUCKETS.flatMap((b) => ctx.outline.items[`metrics.${b}`]?.targets ?? []);
  if (targets.length === 0) {
    return [
      tt(
        ctx,
        '本设计未设定量化目标；优化效果应在压测中测量，测得的数据连同来源一并写入本节。',
        'The design sets no quantitative targets; measure the effect of each optimization in load tests and record the results here with their source.',
      ),
      '',
    ];
  }
  return [
    tt(ctx, '优化需要达到的目标如下，均为设计目标或估算，需在压测与灰度发布中验证，本文不声称任何实测效果：', 'The optimizations aim at the following, all design targets or estimates to be verified in load tests and staged rollouts; this document claims no measured effect:'),
    '',
    ...targets.map((g) => `- ${t(ctx, g.text)}${inlineLabel(ctx.lang, g.kind)}`),
    '',
  ];
}

function optimizationLessons(ctx: Ctx): string[] {
  return [
    tt(ctx, '- 先测量再优化：用 Temporal 的指标与 Web UI 找出真正的瓶颈（调度等待、下游延迟或 Worker 资源）。', '- Measure before optimizing: Temporal metrics and the Web UI show the real bottleneck (schedule-to-start waits, downstream latency or worker resources).'),
    tt(ctx, '- Workflow 的开销主要在往返次数，而不是代码本身；合并细碎的 Activity 往往比优化代码更有效。', '- Workflow overhead lies in round trips, not in the code; merging tiny activities usually helps more than optimizing code.'),
    tt(ctx, '- 限速与扩容要一起设计：只扩容 Worker 而不限速，会把压力转移给下游。', '- Design rate limits and scaling together: adding workers without a limit only moves the pressure downstream.'),
    '',
  ];
}

// ---------------------------------------------------------------------------------------------
// Section 6: recovery

function failureScenarios(ctx: Ctx): string[] {
  const out = [
    tt(ctx, '- Worker 进程崩溃或所在节点下线。', '- A worker process crashes or its node goes away.'),
    tt(ctx, '- 下游服务不可用、超时或开始限流。', '- A downstream service is unavailable, times out or starts throttling.'),
    tt(ctx, '- 部署的新代码与正在运行的执行不兼容。', '- Newly deployed code is incompatible with running executions.'),
  ];
  if (ctx.chosen.has('saga')) out.push(tt(ctx, '- 多步操作只完成了一部分。', '- A multi-step operation completes only in part.'));
  if (ctx.chosen.has('signals-updates')) out.push(tt(ctx, '- 人工步骤长时间无人响应。', '- Nobody answers a human step for a long time.'));
  if (ctx.chosen.has('heartbeats')) out.push(tt(ctx, '- 大文件或长任务在中途中断。', '- A large file transfer or a long task stops half way.'));
  out.push('');
  return out;
}

function recoveryStrategies(ctx: Ctx): string[] {
  const out = [
    tt(ctx, '- Worker 崩溃：任务超时后由其他 Worker 领取，Workflow 从事件历史重放，无需人工介入。', '- Worker crash: after the task timeout another worker takes the task and replays the workflow from its history, with no human involved.'),
    tt(ctx, '- 下游故障：重试策略以指数退避重试；超过上限后 Workflow 转入补偿或人工处理。', '- Downstream fault: the retry policy backs off exponentially; past its bound the workflow compensates or hands over to a human.'),
    tt(ctx, '- 不兼容的部署：用 patched() 或 Worker Versioning 保护变更，发布前用录制的历史做重放测试。', '- Incompatible deployment: guard changes with patched() or worker versioning and run replay tests over recorded histories before release.'),
  ];
  if (ctx.chosen.has('saga')) out.push(tt(ctx, '- 部分完成：Saga 按相反顺序执行已登记的补偿。', '- Partial completion: the saga runs the registered compensations in reverse.'));
  if (ctx.chosen.has('signals-updates')) out.push(tt(ctx, '- 人工步骤超时：持久化定时器触发提醒，随后升级给备用处理人，从不自动批准。', '- Human step overdue: a durable timer sends a reminder, then escalates to a backup, never approving automatically.'));
  if (ctx.chosen.has('heartbeats')) out.push(tt(ctx, '- 长任务中断：心跳超时让中断被及时发现，重试从最后一次心跳的进度继续。', '- Long task interrupted: the heartbeat timeout detects it promptly and the retry resumes from the last heartbeat.'));
  out.push('');
  return out;
}

function recoveryTime(ctx: Ctx): string[] {
  const out = [
    tt(
      ctx,
      '恢复时间由配置决定，而不是经验值：故障被发现的时间取决于 Activity 的心跳超时或执行超时，重试间隔由退避策略决定，Workflow 在其他 Worker 上的重放通常不需要人工介入。每个超时都应在压测中验证后再写入运行手册。',
      'Recovery time is set by configuration rather than by luck: how fast a fault is noticed depends on the activity heartbeat or start-to-close timeout, retry spacing on the backoff policy, and replaying a workflow on another worker needs no human. Verify each timeout in load tests before writing it into the runbook.',
    ),
    '',
  ];
  const targets = ctx.outline.items['metrics.reliability']?.targets ?? [];
  if (targets.length > 0) {
    out.push(tt(ctx, '相关的可靠性目标：', 'Related reliability targets:'), '', ...targets.map((g) => `- ${t(ctx, g.text)}${inlineLabel(ctx.lang, g.kind)}`), '');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 7: lessons

function successes(ctx: Ctx): string[] {
  return [
    tt(
      ctx,
      `以下是本设计所依据的 Temporal 实践经验，并不代表 ${ctx.brief.company} 的实际经历：`,
      `These are the Temporal practices the design builds on; they are not ${ctx.brief.company}'s own experience:`,
    ),
    '',
    ...ctx.patterns.map((p) => `- **${t(ctx, p.name)}**${tt(ctx, '：', ': ')}${t(ctx, p.rationale)}`),
    '',
  ];
}

function failures(ctx: Ctx): string[] {
  return [
    tt(ctx, '采用这些模式时常见的陷阱：', 'Common pitfalls with these patterns:'),
    '',
    ...ctx.patterns.map((p) => `- **${t(ctx, p.name)}**${tt(ctx, '：', ': ')}${t(ctx, p.pitfall)}`),
    '',
  ];
}

function recommendations(ctx: Ctx): string[] {
  return [
    tt(ctx, '- 从一条边界清晰的业务流程开始试点，再逐步扩展到其他流程。', '- Start with one business process with clear boundaries, then extend to others.'),
    tt(ctx, '- 为每个 Workflow 编写基于录制历史的重放测试，并在持续集成中运行。', '- Write replay tests over recorded histories for every workflow and run them in CI.'),
    tt(ctx, '- 把业务规则失败定义为不可重试的错误类型，其余错误交给有上限的重试。', '- Define business-rule failures as non-retryable error types and leave the rest to bounded retries.'),
    tt(ctx, '- 所有对外调用都携带幂等键，所有补偿都可重试。', '- Give every external call an idempotency key and make every compensation retryable.'),
    tt(ctx, '- 用搜索属性标记业务标识，让运维人员在 Web UI 中直接定位执行。', '- Tag executions with business ids as search attributes, so operators find them directly in the Web UI.'),
    '',
  ];
}

// ---------------------------------------------------------------------------------------------
// Assembly

const ITEM_WRITERS: Record<string, (ctx: Ctx) => string[]> = {
  'scenario.background': background,
  'scenario.requirements': requirements,
  'scenario.challenges': challenges,
  'architecture.design': design,
  'architecture.decisions': decisions,
  'architecture.components': components,
  'implementation.workflows': workflowsItem,
  'implementation.activities': activitiesItem,
  'implementation.errors': errorsItem,
  'implementation.compensation': compensationItem,
  'optimization.strategies': strategies,
  'optimization.effects': effects,
  'optimization.lessons': optimizationLessons,
  'recovery.scenarios': failureScenarios,
  'recovery.strategies': recoveryStrategies,
  'recovery.time': recoveryTime,
  'lessons.successes': successes,
  'lessons.failures': failures,
  'lessons.recommendations': recommendations,
};

function writeItem(ctx: Ctx, itemId: string, title: Bilingual): string[] {
  const bucket = METRIC_BUCKETS.find((b) => itemId.endsWith(`.${b}`));
  if (bucket) return metricItem(ctx, bucket, ctx.outline.items[`metrics.${bucket}`]);
  const writer = ITEM_WRITERS[itemId];
  if (writer) return writer(ctx);
  const names = ctx.patterns.map((p) => t(ctx, p.name)).join(tt(ctx, '、', ', '));
  return [
    tt(
      ctx,
      `关于“${title.zh}”，本设计沿用上文选定的 Temporal 模式：${names}。`,
      `For "${title.en}", the design follows the Temporal patterns chosen above: ${names}.`,
    ),
    '',
  ];
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
