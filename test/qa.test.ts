/**
 * The QA engine, rule by rule: each rule is run on a document that passes (the clean case fixture,
 * or a corrected copy) and on one broken on purpose, and the finding's rule, severity and line are
 * checked. Mutations assert that the text they replace exists, so a fixture edit cannot turn a failing
 * case into a silent pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dossier, Finding, Template } from '../src/domain/types';
import { loadTemplate } from '../src/plan';
import { figuresOf } from '../src/domain/compose';
import { renderQaJson, renderQaMarkdown, runQa, type QaReport } from '../src/qa';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'qa');
const SEED = [path.resolve(ROOT, '..', 'shared', 'seeds', '000_c9cfb9bebd724089.txt'), '/work/shared/seeds/000_c9cfb9bebd724089.txt'].find((f) => fs.existsSync(f)) ?? '';
const read = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

let template: Template;
let dossier: Dossier;
let ok: string;
beforeAll(async () => {
  template = await loadTemplate(path.join(ROOT, 'plan', 'template.yaml'));
  dossier = JSON.parse(read('dossier.json')) as Dossier;
  ok = read('case-ok.md');
});

/** Replaces `from` (which must occur) in the clean case. */
function mutate(from: string, to: string, text = ok): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

/** 1-based line of the first occurrence of `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split('\n').length;
}

const qa = (text: string, opts: { dossier?: Dossier } = { dossier: undefined }): Promise<QaReport> =>
  runQa(text, { template, ...(opts.dossier ? { dossier: opts.dossier } : {}) });
const byRule = (report: QaReport, rule: string): Finding[] => report.findings.filter((f) => f.rule === rule);

describe('the clean case', () => {
  test('has no findings at all, with the dossier', async () => {
    const report = await runQa(ok, { template, dossier, file: 'case-ok.md' });
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ file: 'case-ok.md', errors: 0, warnings: 0 });
  });
});

describe('format consistency', () => {
  test('markdownlint: a heading without a blank line below it', async () => {
    const bad = mutate('### 1.2 核心需求\n\n', '### 1.2 核心需求\n');
    const found = byRule(await qa(bad), 'markdownlint/MD022');
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', line: lineOf(bad, '### 1.2 核心需求') })]);
    expect(byRule(await qa(ok), 'markdownlint/MD022')).toEqual([]);
  });

  test('frontmatter: a missing field and broken YAML', async () => {
    const missing = await qa(mutate('industry: logistics\n', ''));
    expect(byRule(missing, 'structure/frontmatter')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('`industry`') }),
    ]);
    const broken = await qa(mutate('themes: [order-fulfillment, saga]', 'themes: [order-fulfillment, saga'));
    expect(byRule(broken, 'structure/frontmatter')).toEqual([expect.objectContaining({ severity: 'error', line: 1 })]);
    expect(byRule(await qa(ok), 'structure/frontmatter')).toEqual([]);
  });

  test('sections: missing, out of order, misnamed, and the sources section', async () => {
    const missing = await qa(mutate('## 5. 性能优化深度分析\n\n', ''));
    expect(byRule(missing, 'structure/sections')).toEqual([
      expect.objectContaining({ severity: 'error', message: 'section "5. 性能优化深度分析" is missing' }),
    ]);

    const s6 = ok.slice(ok.indexOf('## 6.'), ok.indexOf('## 7.'));
    const swapped = mutate(s6, '').replace('## 5. 性能优化深度分析', `${s6}## 5. 性能优化深度分析`);
    const order = byRule(await qa(swapped), 'structure/sections');
    expect(order.length).toBeGreaterThan(0);
    expect(order.map((f) => f.message).join('\n')).toMatch(/out of order/);

    const misnamed = await qa(mutate('## 2. Temporal实现架构', '## 2. 系统架构'));
    expect(byRule(misnamed, 'structure/sections')).toEqual([
      expect.objectContaining({ line: lineOf(ok, '## 2. Temporal实现架构'), message: 'section 2 is titled "2. 系统架构"' }),
    ]);

    const noSources = await qa(mutate('## 参考来源', '## 附录'));
    expect(byRule(noSources, 'structure/sections').map((f) => f.message)).toEqual(
      expect.arrayContaining(['the document has no `## 参考来源` section', '"附录" is not a template section']),
    );
    expect(byRule(await qa(ok), 'structure/sections')).toEqual([]);
  });

  test('sub-items: a missing template item', async () => {
    const bad = await qa(mutate('### 6.2 恢复策略\n\nActivity 按退避策略重试。\n\n', ''));
    expect(byRule(bad, 'structure/items')).toEqual([
      expect.objectContaining({ severity: 'error', section: '6. 故障处理和恢复深度分析', message: 'sub-item "6.2 恢复策略" is missing' }),
    ]);
    expect(byRule(await qa(ok), 'structure/items')).toEqual([]);
  });

  test('metrics tables: figures in section 3 need the 指标 | 数值 | 依据 table', async () => {
    const bad = mutate('| 指标 | 数值 | 依据 |\n| --- | --- | --- |\n| 履约延迟 P95 | 2 秒 | 估算 |', '履约延迟 P95 约 2 秒（估算）。');
    expect(byRule(await runQa(bad, { template, pipeline: true }), 'structure/metrics-table')).toEqual([
      expect.objectContaining({ severity: 'error', line: lineOf(bad, '### 3.2 延迟指标') }),
    ]);
    // A writer's own document may keep its figures in prose: a warning, not an error.
    expect(byRule(await qa(bad), 'structure/metrics-table')).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(byRule(await qa(ok), 'structure/metrics-table')).toEqual([]);
  });

  test('table shape: a row with an extra cell and a table without its delimiter row', async () => {
    const extra = mutate('| 可用性 | 99.9% | 设计目标 |', '| 可用性 | 99.9% | 设计目标 | 多余 |');
    expect(byRule(await qa(extra), 'table/shape')).toEqual([
      expect.objectContaining({ severity: 'error', line: lineOf(extra, '| 可用性 |'), message: 'this table row has 4 cell(s), the header has 3' }),
    ]);
    const noDelimiter = mutate('| 指标 | 数值 | 依据 |\n| --- | --- | --- |\n| 可用性', '| 指标 | 数值 | 依据 |\n| 可用性');
    const found = byRule(await qa(noDelimiter), 'table/shape');
    expect(found.map((f) => f.line)).toEqual([lineOf(noDelimiter, '| 指标 | 数值 | 依据 |\n| 可用性'), lineOf(noDelimiter, '| 可用性')]);
    expect(byRule(await qa(ok), 'table/shape')).toEqual([]);
  });

  test('typography: missing spaces between Chinese and Latin text', async () => {
    const bad = mutate('本文仅用于测试 QA 引擎。', '本文仅用于测试QA引擎。');
    expect(byRule(await qa(bad), 'typography/cjk-spacing')).toEqual([
      expect.objectContaining({ severity: 'warning', line: lineOf(bad, '本文仅用于测试QA引擎'), fix: expect.stringContaining('测试 QA 引擎') }),
    ]);
    expect(byRule(await qa(ok), 'typography/cjk-spacing')).toEqual([]);
  });
});

describe('data accuracy', () => {
  test('uncited figures in prose and in metrics rows', async () => {
    const prose = mutate('每天 1,200 个订单[^S1]。', '每天 1,200 个订单。');
    const proseFound = byRule(await qa(prose), 'data/uncited-figure');
    expect(proseFound).toEqual([expect.objectContaining({ severity: 'error', line: lineOf(prose, '每天 1,200'), section: '1. 业务场景定义' })]);
    expect(proseFound[0].message).toContain('1,200');

    const row = mutate('| 履约延迟 P95 | 2 秒 | 估算 |', '| 履约延迟 P95 | 2 秒 | |');
    expect(byRule(await qa(row), 'data/uncited-figure')).toEqual([
      expect.objectContaining({ line: lineOf(row, '| 履约延迟 P95'), message: expect.stringContaining('in this table row (column "数值")') }),
    ]);
    expect(byRule(await qa(ok), 'data/uncited-figure')).toEqual([]);
  });

  test('citations: undefined reference, unknown to the dossier, other URL, uncollected source', async () => {
    const undefinedRef = mutate('每天 1,200 个订单[^S1]', '每天 1,200 个订单[^S9]');
    expect(byRule(await qa(undefinedRef, { dossier }), 'data/citation')).toContainEqual(
      expect.objectContaining({ severity: 'error', line: lineOf(undefinedRef, '[^S9]'), message: 'the footnote reference [^S9] has no definition' }),
    );

    const otherDossier: Dossier = { ...dossier, sources: dossier.sources.map((s) => ({ ...s, id: 'S2' })) };
    expect(byRule(await qa(ok, { dossier: otherDossier }), 'data/citation')).toEqual([
      expect.objectContaining({ severity: 'error', line: lineOf(ok, '[^S1]:'), message: expect.stringContaining('not a source of the research dossier') }),
    ]);

    const otherUrl = mutate('https://example.com/northwind-notes', 'https://example.com/other');
    expect(byRule(await qa(otherUrl, { dossier }), 'data/citation')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('dossier source S1 is https://example.com/northwind-notes') }),
    ]);

    const unreachable: Dossier = { ...dossier, sources: dossier.sources.map((s) => ({ ...s, status: 'unreachable' as const, error: 'timeout' })) };
    expect(byRule(await qa(ok, { dossier: unreachable }), 'data/citation')).toEqual([expect.objectContaining({ severity: 'warning' })]);

    expect(byRule(await qa(ok, { dossier }), 'data/citation')).toEqual([]);
  });

  test('placeholders: TODO and 待补充', async () => {
    const bad = mutate('先测量，再优化。', '先测量，再优化。TODO：待补充数据来源。');
    const found = byRule(await qa(bad), 'data/placeholder');
    expect(found.map((f) => [f.line, f.severity])).toEqual([
      [lineOf(bad, 'TODO'), 'error'],
      [lineOf(bad, 'TODO'), 'error'],
    ]);
    expect(found.map((f) => f.message).join(' ')).toMatch(/"TODO".*"待补充"|"待补充".*"TODO"/);
    expect(byRule(await qa(ok), 'data/placeholder')).toEqual([]);
  });

  test('the same metric with two values', async () => {
    const bad = mutate('| 履约延迟 P95 | 2 秒 | 估算 |', '| 履约延迟 P95 | 2 秒 | 估算 |\n| 每日订单量 | 1,500 个订单 | 估算 |');
    expect(byRule(await qa(bad), 'data/inconsistent-metric')).toEqual([
      expect.objectContaining({ severity: 'error', line: lineOf(bad, '| 每日订单量 | 1,200'), message: expect.stringContaining(`on line ${lineOf(bad, '| 每日订单量 | 1,500')}`) }),
      expect.objectContaining({ severity: 'error', line: lineOf(bad, '| 每日订单量 | 1,500'), message: expect.stringContaining(`on line ${lineOf(bad, '| 每日订单量 | 1,200')}`) }),
    ]);
    const same = mutate('| 履约延迟 P95 | 2 秒 | 估算 |', '| 履约延迟 P95 | 2 秒 | 估算 |\n| 每日订单量 | 1,200 个订单 | [^S1] |');
    expect(byRule(await qa(same), 'data/inconsistent-metric')).toEqual([]);
  });

  test('rows whose labels name two different peaks are two metrics; the same peak label twice is one', async () => {
    const two = mutate('| 履约延迟 P95 | 2 秒 | 估算 |', '| 履约延迟 P95 | 2 秒 | 估算 |\n| 2023 年日活峰值 | 3,610 万 | 估算 |\n| 2020 年同时在线峰值 | 1,300 万 | 估算 |');
    expect(byRule(await qa(two), 'data/inconsistent-metric')).toEqual([]);
    const clash = mutate('| 履约延迟 P95 | 2 秒 | 估算 |', '| 履约延迟 P95 | 2 秒 | 估算 |\n| 2023 年日活峰值 | 3,610 万 | 估算 |\n| 2023 年日活峰值 | 1,300 万 | 估算 |');
    expect(byRule(await qa(clash), 'data/inconsistent-metric').map((f) => f.line)).toEqual([lineOf(clash, '| 2023 年日活峰值 | 3,610'), lineOf(clash, '| 2023 年日活峰值 | 1,300')]);
  });

  test('table totals: counted names (the plan excerpt) and summed numbers', async () => {
    const seed = read('seed-table.md');
    const report = await runQa(seed);
    expect(byRule(report, 'data/table-total')).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: lineOf(seed, '| **总计** | **5个**'),
        message: expect.stringContaining('list 6: Coinbase, Stripe, Amazon, Alibaba, Riot Games, AWS IoT Core'),
      }),
    ]);
    expect(byRule(await runQa(read('seed-table-fixed.md')), 'data/table-total')).toEqual([]);

    const numeric = read('numeric-totals.md');
    expect(byRule(await runQa(numeric), 'data/table-total')).toEqual([
      expect.objectContaining({ line: lineOf(numeric, '| Total | 2,100'), message: expect.stringContaining('add up to 2000') }),
    ]);
  });
});

describe('labels and citations as people write them (one definition, shared with the composer)', () => {
  const caseOf = (body: string): Promise<QaReport> => runQa(`# T\n\n${body}\n`, { template, case: true });
  const uncited = async (body: string): Promise<string[]> => byRule(await caseOf(body), 'data/uncited-figure').map((f) => f.message);

  test.each([
    ['设计目标：p99 300 ms，峰值每秒 2,000 笔支付。'],
    ['**估算**：每月 40 美元。'],
    ['峰值 2,000 TPS（目标值）。'],
    ['Target: 500 transfers per second.'],
    ['estimate: about $0.002 per transfer.'],
    ['A p95 of 10 minutes (design target).'],
    ['Recovery time objective (design target): 15 minutes.'],
    ['The store had 270 million users[^S1].\n\n## Sources\n\n[^S1]: Report, https://example.com/r'],
    ['The store had 270 million users. [^S1]\n\n## Sources\n\n[^S1]: Report, https://example.com/r'],
    ['According to [the report](https://example.com/r), 270 million users and 36 million daily.\n\n## Sources\n\n- https://example.com/r'],
    ['| Metric | Value | Basis |\n| --- | --- | --- |\n| Peak | 500 per second | Design target |'],
    ['| Metric | Target |\n| --- | --- |\n| Peak | 500 per second |'],
  ])('accepted: %s', async (body) => {
    expect(await uncited(body)).toEqual([]);
  });

  test.each([
    ['峰值每秒 2,000 笔支付。', '2,000'],
    // A footnote belongs to the figure it follows; it does not cover a later one.
    ['The store had 270 million users[^S1], each playing 12 hours a week.\n\n## Sources\n\n[^S1]: Report, https://example.com/r', '12'],
    ['See [a blog](https://example.com/blog): 270 million users.\n\n## Sources\n\n- https://example.com/r', '270 million'],
    ['| Metric | Value | Notes |\n| --- | --- | --- |\n| Peak | 500 per second | peak hour |', '500'],
  ])('not accepted: %s', async (body, figure) => {
    expect((await uncited(body)).join('\n')).toContain(`"${figure}`);
  });

  test('the composer reads the same labels: figuresOf lists an inline-labelled figure with its basis', () => {
    const figures = figuresOf('# T\n\n设计目标：峰值每秒 2,000 笔支付。\n\nA p95 of 10 minutes (estimate).\n', { caseId: 'x', sources: [], facts: [], notes: [] });
    expect(figures.map((f) => f.basis)).toEqual(['target', 'estimate']);
  });

  test('sub-items with or without numbers, sections in Chinese numbering, and a missing one named', async () => {
    const headings = template.sections.flatMap((s, i) => [`## ${'一二三四五六七'[i]}、${s.title.zh}`, '', ...s.items.map((it) => `### ${it.title.zh}\n\n内容。\n`)]);
    const body = headings.join('\n').replace('### 恢复策略\n\n内容。\n', '');
    const found = (await caseOf(`${body}\n## 参考来源\n\n无。`)).findings.filter((f) => f.rule.startsWith('structure/'));
    expect(found).toEqual([expect.objectContaining({ rule: 'structure/items', severity: 'error', message: 'sub-item "6.2 恢复策略" is missing' })]);
  });
});

describe('technical accuracy', () => {
  test('TypeScript blocks: the compiler message at the document line, deprecated options, missing timeouts, untyped upserts', async () => {
    const bad = read('case-bad-ts.md');
    const report = await runQa(bad, { template, dossier });
    expect(byRule(report, 'tech/typecheck')).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: lineOf(bad, "staticSummary: 'Reserve stock'"),
        message: expect.stringContaining("TS2353: Object literal may only specify known properties, and 'staticSummary' does not exist"),
        fix: expect.stringContaining('`summary`'),
      }),
      expect.objectContaining({ line: lineOf(bad, 'await handle.signal();'), message: expect.stringContaining('TS2555: Expected at least 1 arguments, but got 0') }),
    ]);
    expect(byRule(report, 'tech/deprecated-api')).toEqual([
      expect.objectContaining({ severity: 'error', line: lineOf(bad, 'searchAttributes: {'), message: expect.stringContaining("'searchAttributes' is deprecated") }),
    ]);
    expect(byRule(report, 'tech/activity-timeout')).toEqual([expect.objectContaining({ line: lineOf(bad, 'proxyActivities<{ ship') })]);
    expect(byRule(report, 'tech/glossary')).toEqual([expect.objectContaining({ line: lineOf(bad, 'upsertSearchAttributes({') })]);
    expect(report.errors).toBe(5);
  });

  test('TypeScript blocks of the clean case compile (checked together, then again warm)', async () => {
    for (let i = 0; i < 2; i++) {
      const report = await qa(ok);
      expect(report.findings.filter((f) => f.rule.startsWith('tech/'))).toEqual([]);
    }
  });

  test('glossary: the auto-setup image, tctl and an activity staticSummary in prose and config blocks', async () => {
    const bad = mutate(
      '先测量，再优化。',
      '先测量，再优化。本地用 `tctl` 查看历史。\n\n```yaml\nimage: temporalio/auto-setup:1.24\n```\n\n为 Activity 设置 `staticSummary` 以便在界面中显示。',
    );
    const found = byRule(await qa(bad), 'tech/glossary');
    expect(found.map((f) => [f.line, f.severity])).toEqual([
      [lineOf(bad, '`tctl`'), 'warning'],
      [lineOf(bad, 'image: temporalio'), 'error'],
      [lineOf(bad, '为 Activity 设置'), 'error'],
    ]);
    expect(byRule(await qa(ok), 'tech/glossary')).toEqual([]);
  });
});

describe('documents that are not cases', () => {
  test('get only the generic rules: no structure, figure or code judgment', async () => {
    const plain = '# Notes\n\nWe handled 300 requests per second.\n\n```ts\nconst x: number = "not checked";\n```\n';
    const report = await runQa(plain);
    expect(report.findings.filter((f) => /^(structure|tech\/typecheck|data\/uncited)/.test(f.rule))).toEqual([]);
  });

  const seedTest = SEED ? test : test.skip;
  seedTest('the v15.0 plan: exactly one error, the 总计 row of the case-library table, with its line', async () => {
    const text = fs.readFileSync(SEED, 'utf8');
    const report = await runQa(text, { file: SEED });
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ rule: 'data/table-total', line: lineOf(text, '| **总计** | **5个**'), message: expect.stringContaining('says 5个 in column "已有案例"') }),
    ]);
    expect(report.errors).toBe(1);
  });
});

describe('reports', () => {
  test('Markdown and JSON renderings carry every finding; findings are sorted by line', async () => {
    const report = await runQa(read('seed-table.md'), { file: 'seed-table.md' });
    const lines = report.findings.map((f) => f.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    const md = renderQaMarkdown(report);
    expect(md).toContain(`${report.errors} error(s), ${report.warnings} warning(s).`);
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Line') && !l.startsWith('| ---'))).toHaveLength(report.findings.length);
    expect(JSON.parse(renderQaJson(report))).toEqual(report);
    expect(renderQaMarkdown({ findings: [], errors: 0, warnings: 0 })).toContain('No findings.');
  });
});
