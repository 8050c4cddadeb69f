/**
 * The library documents: generated from the shipped v15.0 plan and fixture published cases in a
 * temporary library folder; they list every case where it belongs, carry the published figures with
 * their citations, pass QA's generic rules, and a second regeneration changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderLibraryDocs, updateLibraryDocs } from '../activities/library';
import { loadPlan } from '../src/plan';
import { runQa } from '../src/qa';
import { checkLeaks } from '../src/qa/gates/leaks';
import { parseMarkdown } from '../src/qa/markdown';

const ROOT = path.resolve(__dirname, '..');
const PLAN = path.join(ROOT, 'plan', 'v15.0.yaml');
const CASES = path.join(__dirname, 'fixtures', 'library', 'cases');

let lib: string;
const doc = (name: string): string => fs.readFileSync(path.join(lib, name), 'utf8');
/** The body rows of the Markdown table that follows `heading`. */
function tableAfter(text: string, heading: string): string[] {
  const from = `\n${text}`.indexOf(`\n${heading}\n`);
  expect(from).toBeGreaterThanOrEqual(0);
  const lines = text.slice(from + heading.length + 1).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
}

beforeEach(() => {
  lib = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-library-'));
  process.env.CASEBOOK_LIBRARY_DIR = lib;
});
afterEach(() => {
  fs.rmSync(lib, { recursive: true, force: true });
  delete process.env.CASEBOOK_LIBRARY_DIR;
});

test('before any publication: existing cases and the six planned ones, by industry', async () => {
  const result = await updateLibraryDocs({ planFile: PLAN });
  expect(result.written.map((f) => path.relative(lib, f))).toEqual(['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md']);
  expect(result.changed).toEqual(result.written);
  const index = doc('enterprise-cases.md');
  expect(tableAfter(index, '# 企业实践案例')).toEqual([
    '| 金融科技 | Coinbase, Stripe | - | Square, PayPal |',
    '| 电商 | Amazon, Alibaba | - | - |',
    '| 游戏行业 | Riot Games | - | Blizzard Entertainment, Epic Games |',
    '| 物联网 | AWS IoT Core | - | Tesla, Siemens |',
    '| **合计** | **6** | **0** | **6** |',
  ]);
  expect(doc('case-comparison.md')).toContain('暂无已发布的案例。');
});

test('published cases are linked with their status, themes, metrics, patterns and citations; a rerun changes nothing', async () => {
  fs.cpSync(CASES, path.join(lib, 'cases'), { recursive: true });
  const first = await updateLibraryDocs({ planFile: PLAN });
  expect(first.changed).toHaveLength(3);

  const index = doc('enterprise-cases.md');
  expect(tableAfter(index, '## 金融科技')).toEqual([
    '| Coinbase | 已有 | 计划未注明 | 支付、加密资产、合规 |',
    '| Stripe | 已有 | 计划未注明 | 支付、订阅、高并发 |',
    '| [Square](cases/fintech/square.md) — Square - 支付处理系统 | 已发布 | 设计研究 | 支付、高并发、商户服务 |',
    expect.stringMatching(/^\| PayPal — .* \| 计划中 \| 设计研究 \| /),
  ]);
  // A published case outside the plan gets its own industry section.
  expect(tableAfter(index, '## logistics')).toEqual([
    '| [Northwind Traders](cases/logistics/northwind.md) — Northwind Traders - 订单履约工作流 | 已发布 | 计划未注明 | 订单履约、saga |',
  ]);
  expect(tableAfter(index, '# 企业实践案例')).toContain('| **合计** | **6** | **2** | **5** |');

  const themes = doc('scenario-themes.md');
  expect(tableAfter(themes, '## 支付')).toEqual([
    '| Coinbase | 金融科技 | 已有 |',
    expect.stringMatching(/^\| PayPal \| 金融科技 \| 计划中 \|$/),
    '| [Square](cases/fintech/square.md) | 金融科技 | 已发布 |',
    '| Stripe | 金融科技 | 已有 |',
  ]);
  expect(tableAfter(themes, '## saga')).toEqual(['| [Northwind Traders](cases/logistics/northwind.md) | logistics | 已发布 |']);

  // Reader-facing pages: no maintainer notes, no English theme headings where the plan's tag has a name.
  for (const name of ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md']) {
    expect(checkLeaks(parseMarkdown(doc(name)))).toEqual([]);
  }
  expect(themes).not.toMatch(/^## (?:payments|high-concurrency|real-time|telemetry)$/m);

  const comparison = doc('case-comparison.md');
  expect(tableAfter(comparison, '## 关键指标')).toEqual([
    '| [Square](cases/fintech/square.md) | 吞吐量指标 | 峰值支付工作流启动 | 每秒 2,000 个 | 设计目标 |',
    '| [Square](cases/fintech/square.md) | 延迟指标 | 授权步骤编排开销 p99 | 50 毫秒 | 设计目标 |',
    '| [Northwind Traders](cases/logistics/northwind.md) | 吞吐量指标 | 每日订单量 | 1,200 个订单 | [^northwind-S1] |',
    '| [Northwind Traders](cases/logistics/northwind.md) | 成本指标 | 单笔订单成本 | 0.01 美元 | 估算 |',
  ]);
  // Patterns by their names in the pattern catalogue, in the document's language.
  expect(tableAfter(comparison, '## Temporal 模式')).toEqual(['| 心跳（长时间运行与大文件处理） |   | ✓ |', '| 幂等 Activity 与幂等键 | ✓ |   |', '| Saga 与补偿 | ✓ | ✓ |']);
  expect(comparison).toContain('[^northwind-S1]: Northwind sample notes, casebook tests, 2024, https://example.com/northwind-notes');

  // The generated documents are well-formed Markdown for QA: no errors (totals, tables, citations).
  for (const name of ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md']) {
    const report = await runQa(doc(name));
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  }

  const before = fs.statSync(path.join(lib, 'enterprise-cases.md')).mtimeMs;
  const second = await updateLibraryDocs({ planFile: PLAN });
  expect(second.changed).toEqual([]);
  expect(second.written).toEqual(first.written);
  expect(fs.statSync(path.join(lib, 'enterprise-cases.md')).mtimeMs).toBe(before);
});

test('a new publication changes exactly the documents it affects', async () => {
  fs.mkdirSync(path.join(lib, 'cases', 'fintech'), { recursive: true });
  fs.copyFileSync(path.join(CASES, 'fintech', 'square.md'), path.join(lib, 'cases', 'fintech', 'square.md'));
  await updateLibraryDocs({ planFile: PLAN });
  fs.mkdirSync(path.join(lib, 'cases', 'logistics'), { recursive: true });
  fs.copyFileSync(path.join(CASES, 'logistics', 'northwind.md'), path.join(lib, 'cases', 'logistics', 'northwind.md'));
  const result = await updateLibraryDocs({ planFile: PLAN });
  expect(result.changed.map((f) => path.basename(f)).sort()).toEqual(['case-comparison.md', 'enterprise-cases.md', 'scenario-themes.md']);
  // Regeneration is deterministic: removing the documents and rebuilding gives the same bytes.
  const snapshot = ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md'].map(doc);
  for (const name of ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md']) fs.rmSync(path.join(lib, name));
  await updateLibraryDocs({ planFile: PLAN });
  expect(['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md'].map(doc)).toEqual(snapshot);
});

test('a plan that cannot be loaded fails without retry', async () => {
  await expect(updateLibraryDocs({ planFile: path.join(lib, 'missing.yaml') })).rejects.toMatchObject({ nonRetryable: true });
});

test("the comparison leaves out Temporal's own limits, which the committed cases cite alike", async () => {
  const docs = path.join(ROOT, 'docs');
  const cases = fs.readdirSync(path.join(docs, 'cases'), { recursive: true }).map(String).filter((f) => f.endsWith('.md'));
  const citing = cases.filter((f) => /^\|.*\[\^T\d+\] \|$/m.test(fs.readFileSync(path.join(docs, 'cases', f), 'utf8')));
  if (citing.length === 0) return; // nothing published yet
  const rendered = await renderLibraryDocs(await loadPlan(PLAN), docs);
  const comparison = rendered['case-comparison.md'];
  expect(comparison).not.toContain('https://docs.temporal.io/');
  expect(comparison).toContain('[Temporal 模式目录](patterns.md)');
});
