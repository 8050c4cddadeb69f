/**
 * Writing: the built-in composer follows the case-document convention (structure, citations and
 * labels, sources), is deterministic, answers feedback, and its TypeScript excerpts compile against
 * the real @temporalio packages; uploads replace one section or the whole draft.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { analyzeCase } from '../activities/analysis';
import { applyDraftUpload, composeDraft, figuresOf, MAX_UPLOAD_BYTES } from '../activities/composing';
import { getArtifact, putJson } from '../activities/store';
import { readPatternSources } from '../src/pattern-sources';
import type { CaseBrief, Dossier, DraftInfo, Lang, Template } from '../src/domain/types';
import { loadTemplate } from '../src/plan';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'composing');
const TEMPLATE_FILE = path.join(ROOT, 'plan', 'template.yaml');
const load = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const env = new MockActivityEnvironment(undefined, { logger: quiet });
/** `env.run` with the activity's own argument and result types. */
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args) as Promise<R>;

let home: string;
let template: Template;
beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-composing-'));
  process.env.CASEBOOK_HOME = home;
  template = await loadTemplate(TEMPLATE_FILE);
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

interface Composed {
  info: DraftInfo;
  markdown: string;
  dossierRef: string;
}

async function compose(briefFile: string, dossierFile: string, language: Lang = 'zh', feedback: string[] = []): Promise<Composed> {
  const brief = load<CaseBrief>(briefFile);
  const dossierRef = await putJson(load<Dossier>(dossierFile));
  const outline = await run(analyzeCase, { caseId: brief.id, brief, dossierRef, feedback: [] });
  const info = await run(composeDraft, {
    caseId: brief.id,
    brief,
    planVersion: 'v15.0',
    outlineRef: outline.ref,
    dossierRef,
    templateFile: TEMPLATE_FILE,
    language,
    feedback,
    author: brief.author,
  });
  return { info, markdown: await getArtifact(info.ref), dossierRef };
}

const payments = (language: Lang = 'zh', feedback: string[] = []) => compose('brief-payments.json', 'dossier-payments.json', language, feedback);

// ---------------------------------------------------------------------------------------------
// An independent checker of the convention's figure rule, stricter than the convention: any digit
// outside the excluded places counts, years included.

const LABELS = ['设计目标', '估算', 'design target', 'estimate'];

function bareNumbers(markdown: string): { line: number; text: string }[] {
  const lines = markdown.split('\n');
  const found: { line: number; text: string }[] = [];
  let i = 0;
  if (lines[0] === '---') i = lines.indexOf('---', 1) + 1;
  let inFence = false;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || /^#{1,6}\s/.test(line) || /^\[\^[^\]]+\]:/.test(line)) {
      if (/^## (参考来源|Sources)\s*$/.test(line)) break;
      continue;
    }
    const prose = line
      .replace(/(`+).*?\1/g, '')
      .replace(/\]\([^)]*\)/g, ']')
      .replace(/https?:\/\/\S+/g, '')
      .replace(/^\s*\d+\.\s/, '');
    if (prose.startsWith('|')) {
      if (/^\|[-:| ]+\|$/.test(prose)) continue;
      const cells = prose.split('|').map((c) => c.trim());
      const covered = /\[\^[^\]]+\]/.test(prose) || cells.some((c) => LABELS.includes(c));
      if (!covered && /\d/.test(prose)) found.push({ line: i + 1, text: prose });
      continue;
    }
    for (const sentence of prose.split(/(?<=[。！？；]|[.!?;]\s)/)) {
      const withoutRefs = sentence.replace(/\[\^[^\]]+\]/g, '');
      if (!/\d/.test(withoutRefs)) continue;
      const cited = /\[\^[^\]]+\]/.test(sentence);
      const labelled = /（(设计目标|估算)）|\((design target|estimate)\)/.test(sentence);
      if (!cited && !labelled) found.push({ line: i + 1, text: sentence });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Type-checking TypeScript blocks with the compiler API, each block its own module.

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

function typeCheck(blocks: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(ROOT, '.casebook', 'tmp-tscheck-'));
  try {
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `block-${i}.ts`);
      fs.writeFileSync(file, code);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2022.d.ts'],
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

fs.mkdirSync(path.join(ROOT, '.casebook'), { recursive: true });

// ---------------------------------------------------------------------------------------------

describe('composeDraft', () => {
  test('writes frontmatter, title, the seven sections with their sub-items, the writer\'s gaps, capacity arithmetic and sources', async () => {
    const { markdown } = await payments();
    expect(markdown.startsWith('---\ncase: examplepay\ncompany: ExamplePay\nindustry: fintech\n')).toBe(true);
    expect(markdown).toMatch(/^themes: \[payments, high-concurrency\]$/m);
    expect(markdown).toMatch(/^patterns: \[saga(, [a-z-]+)+\]$/m);
    expect(markdown).toMatch(/^language: zh$/m);
    expect(markdown).toMatch(/^plan: v15\.0$/m);
    expect(markdown).toMatch(/^# ExamplePay - 支付处理/m);

    const h2 = [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(h2).toEqual([...template.sections.map((s, i) => `${i + 1}. ${s.title.zh}`), '参考来源']);
    const h3 = [...markdown.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    expect(h3).toEqual(template.sections.flatMap((s, i) => s.items.map((it, j) => `${i + 1}.${j + 1} ${it.title.zh}`)));

    // What only a writer can supply is marked for the writer, not filled with generic text or code.
    const section2 = markdown.slice(markdown.indexOf('## 2.'), markdown.indexOf('## 3.'));
    expect(section2).toContain('> ✍️ 待撰写（architecture.decisions）');
    expect(section2.match(/\]\(\.\.\/\.\.\/patterns\.md\)/g)).toHaveLength(1); // the shared appendix, linked once
    const section4 = markdown.slice(markdown.indexOf('## 4.'), markdown.indexOf('## 5.'));
    expect(tsBlocks(section4)).toEqual([]);
    expect(section4).toContain('> ✍️ 待撰写（implementation.workflows）');
    expect(markdown).toContain('| 指标 | 数值 | 依据 |');
    // Capacity arithmetic from the brief's target and estimate, labelled, against the documented limit.
    expect(markdown).toMatch(/2,000 × \d+ = [\d,]+ Actions\/s（估算）/);
  });

  test('lists only collected sources that are cited, and every reference resolves', async () => {
    const { markdown } = await payments();
    const sources = markdown.slice(markdown.indexOf('## 参考来源'));
    expect(sources).toContain('[^S1]: ExamplePay engineering notes, ExamplePay, 2024-03-01, https://example.com/examplepay/notes');
    expect(sources).not.toContain('[^S2]'); // collected but not cited
    expect(sources).not.toContain('[^S3]'); // unreachable
    expect(markdown).not.toContain('99.99'); // the unreachable source's fact stays out
    const defs = new Set([...sources.matchAll(/^\[\^([^\]]+)\]:/gm)].map((m) => m[1]));
    const refs = new Set([...markdown.slice(0, markdown.indexOf('## 参考来源')).matchAll(/\[\^([^\]]+)\]/g)].map((m) => m[1]));
    expect([...refs].sort()).toEqual([...defs].sort());
  });

  test('puts facts in their metric table with a citation and targets with their label', async () => {
    const { markdown } = await payments();
    const latency = markdown.slice(markdown.indexOf('### 3.2'), markdown.indexOf('### 3.3'));
    // The excerpt gives no Chinese restatement, so its sentence is shown, labelled as a paraphrase.
    expect(latency).toMatch(/^\| 来源转述（非原文）：In 2023 the p99 latency of the authorization API was \*\*120\*\* ms\. \| 120 ms \| \[\^S1\] \|$/m);
    const throughput = markdown.slice(markdown.indexOf('### 3.1'), markdown.indexOf('### 3.2'));
    expect(throughput).toMatch(/^\| 吞吐量目标 \| 峰值每秒 2,000 个支付工作流启动 \| 设计目标 \|$/m);
    const cost = markdown.slice(markdown.indexOf('### 3.4'), markdown.indexOf('## 4.'));
    expect(cost).toMatch(/\| 估算 \|$/m);
    // The figure is in bold with its currency sign or percent; a list marker from the source is dropped.
    // The background table says in its header that its rows are restatements.
    expect(markdown).toContain('| 来源转述（非原文） | 数值 | 依据 |');
    expect(markdown).toContain('| Revenue was **$40 million** in 2023. | $40 million | [^S1] |');
    expect(cost).toContain('| 来源转述（非原文）：Infrastructure cost fell by **12%** after the migration. | 12% | [^S1] |');
    // A pipe inside a quoted sentence must not break the table.
    expect(markdown).toContain('ExamplePay serves **2 million** merchants \\| worldwide.');
  });

  test('leaves no number uncited or unlabelled, in Chinese and English', async () => {
    for (const language of ['zh', 'en'] as const) {
      const { markdown } = await payments(language, ['the table has 3 rows']);
      expect(bareNumbers(markdown)).toEqual([]);
      const files = await compose('brief-files.json', 'dossier-files.json', language);
      expect(bareNumbers(files.markdown)).toEqual([]);
    }
  });

  test('the number checker itself catches a bare number and accepts a labelled one', async () => {
    const { markdown } = await payments();
    const at = markdown.indexOf('### 1.3');
    const bare = `${markdown.slice(0, at)}系统每天处理 500 万笔订单。\n\n${markdown.slice(at)}`;
    expect(bareNumbers(bare).map((f) => f.text)).toEqual(['系统每天处理 500 万笔订单。']);
    const labelled = `${markdown.slice(0, at)}系统每天处理 500 万笔订单（估算）。\n\n${markdown.slice(at)}`;
    expect(bareNumbers(labelled)).toEqual([]);
  });

  test('writes English headings, table columns and sources heading in English mode', async () => {
    const { markdown } = await payments('en');
    const h2 = [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(h2).toEqual([...template.sections.map((s, i) => `${i + 1}. ${s.title.en}`), 'Sources']);
    expect(markdown).toContain('### 3.2 Latency');
    expect(markdown).toContain('| Metric | Value | Basis |');
    expect(markdown).toMatch(/\| design target \|$/m);
    expect(markdown).toMatch(/^language: en$/m);
    expect(markdown).not.toMatch(/[业务场景定义参考来源]{4}/);
  });

  test('is deterministic: the same input gives the same bytes and revision', async () => {
    const a = await payments();
    const b = await payments();
    expect(b.info.revision).toBe(a.info.revision);
    expect(b.info.ref).toBe(a.info.ref);
    expect(b.markdown).toBe(a.markdown);
    expect(a.info.revision).toBe(createHash('sha256').update(a.markdown).digest('hex').slice(0, 12));
    expect(a.info.bytes).toBe(Buffer.byteLength(a.markdown));
    expect(a.info.author).toBe('erin');
    const en = await payments('en');
    expect(en.info.revision).not.toBe(a.info.revision);
  });

  test('quotes reviewer feedback in the next revision', async () => {
    const before = await payments();
    expect(before.markdown).not.toContain('修订说明');
    const comment = 'Cite the latency figure from a `public` page';
    const after = await payments('zh', [comment]);
    expect(after.info.revision).not.toBe(before.info.revision);
    const intro = after.markdown.slice(0, after.markdown.indexOf('## 1.'));
    expect(intro).toContain('**修订说明**');
    expect(intro).toContain('``Cite the latency figure from a `public` page``');
    const en = await payments('en', [comment]);
    expect(en.markdown.slice(0, en.markdown.indexOf('## 1.'))).toContain('**Revision notes**');
  });

  test('reports each cited and labelled figure with its basis, source and line', async () => {
    const { info, markdown } = await payments();
    const lines = markdown.split('\n');
    const latency = info.figures.find((f) => f.text.includes('120 ms'));
    expect(latency).toMatchObject({ basis: 'S1', source: { title: 'ExamplePay engineering notes', url: 'https://example.com/examplepay/notes', date: '2024-03-01' } });
    expect(lines[latency!.line - 1]).toContain('**120**');
    const target = info.figures.find((f) => f.basis === 'target' && f.text.includes('2,000'));
    expect(target).toBeDefined();
    expect(lines[target!.line - 1]).toContain('2,000');
    expect(info.figures.some((f) => f.basis === 'estimate' && f.text.includes('15'))).toBe(true);
    // Nothing outside the excluded places goes unreported: code, headings and frontmatter hold numbers too.
    expect(info.figures.every((f) => f.basis === 'S1' || f.basis === 'target' || f.basis === 'estimate')).toBe(true);
  });

  test('figuresOf leaves out figures with no citation or label', () => {
    const dossier = load<Dossier>('dossier-payments.json');
    const md = ['---', 'case: x', '---', '', '# T', '', 'Handles 400 orders per second.', '', 'Handles 500 orders per second[^S1].', '', 'Targets 900 orders per second (design target).', ''].join('\n');
    const figures = figuresOf(md, dossier);
    expect(figures.map((f) => [f.basis, f.line])).toEqual([
      ['S1', 9],
      ['target', 11],
    ]);
    expect(figures[0].source?.title).toBe('ExamplePay engineering notes');
  });
});

describe('TypeScript excerpts', () => {
  test('every code block of composed documents and of the catalogue type-checks in strict mode', async () => {
    const zh = await payments();
    const en = await compose('brief-files.json', 'dossier-files.json', 'en');
    const samples = [...readPatternSources().values()];
    const blocks = [...tsBlocks(zh.markdown), ...tsBlocks(en.markdown), ...samples];
    expect(samples.some((code) => code.includes('heartbeat('))).toBe(true);
    expect(typeCheck(blocks)).toEqual([]);
  });

  test('the type check fails on a block that misuses a Temporal API', () => {
    const broken = `import { condition, proxyActivities } from '@temporalio/workflow';
interface A { step(input: { id: string }): Promise<void> }
const { step } = proxyActivities<A>({ startToCloseTimeout: '1 minute' });
export async function wf(): Promise<void> {
  await step({ id: 42 });
  await condition('ready');
}
`;
    const diagnostics = typeCheck([broken]);
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(diagnostics.join('\n')).toMatch(/number.*string/);
  });
});

describe('applyDraftUpload', () => {
  function sections(markdown: string): Map<string, string> {
    const parts = markdown.split(/^(?=## )/m);
    return new Map(parts.map((p) => [p.split('\n')[0], p]));
  }

  test('replaces exactly one section, by id, keeping its heading', async () => {
    const base = await payments();
    const upload = '业务背景由作者重写，不含数字。\n';
    const info = await run(applyDraftUpload, { caseId: 'examplepay', baseRef: base.info.ref, markdown: upload, section: 'scenario', author: 'wendy', dossierRef: base.dossierRef });
    const markdown = await getArtifact(info.ref);
    expect(info.revision).not.toBe(base.info.revision);
    expect(info.author).toBe('wendy');
    const before = sections(base.markdown);
    const after = sections(markdown);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
    expect(changed).toEqual(['## 1. 业务场景定义']);
    expect(after.get('## 1. 业务场景定义')).toBe('## 1. 业务场景定义\n\n业务背景由作者重写，不含数字。\n\n');
  });

  test('replaces a section by number with the upload\'s own heading', async () => {
    const base = await payments();
    const upload = '## 2. Temporal实现架构\n\n### 2.1 架构设计\n\n新的架构说明。\n';
    const info = await run(applyDraftUpload, { caseId: 'examplepay', baseRef: base.info.ref, markdown: upload, section: '2', author: 'wendy', dossierRef: base.dossierRef });
    const after = sections(await getArtifact(info.ref));
    expect(after.get('## 2. Temporal实现架构')).toBe(`${upload}\n`);
    expect(after.get('## 3. 性能指标与量化分析')).toBe(sections(base.markdown).get('## 3. 性能指标与量化分析'));
  });

  test('replaces the whole draft without a section', async () => {
    const base = await payments();
    const info = await run(applyDraftUpload, { caseId: 'examplepay', baseRef: base.info.ref, markdown: '# New\r\n\r\nText 5 ms[^S1].\r\n', author: 'wendy', dossierRef: base.dossierRef });
    expect(await getArtifact(info.ref)).toBe('# New\n\nText 5 ms[^S1].\n');
    expect(info.figures).toEqual([expect.objectContaining({ basis: 'S1', line: 3 })]);
  });

  const rejects = async (overrides: { markdown?: string; section?: string }, message: RegExp) => {
    const base = await payments();
    const err = await run(applyDraftUpload, { caseId: 'examplepay', baseRef: base.info.ref, markdown: 'text', author: 'wendy', dossierRef: base.dossierRef, ...overrides })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('InvalidDraft');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(message);
  };

  test('rejects an unknown section id or number', async () => {
    await rejects({ section: 'nope' }, /unknown section "nope".*scenario \(1\)/);
    await rejects({ section: '9' }, /unknown section "9"/);
  });

  test('rejects an empty or oversized upload', async () => {
    await rejects({ markdown: '  \n' }, /empty/);
    await rejects({ markdown: 'x'.repeat(MAX_UPLOAD_BYTES + 1) }, /over/);
  });

  test('rejects a section upload whose heading names another section or that holds two sections', async () => {
    await rejects({ section: 'scenario', markdown: '## 2. Something\n\ntext\n' }, /does not match section 1/);
    await rejects({ section: '1', markdown: '## 1. A\n\ntext\n\n## 2. B\n\ntext\n' }, /holds 2/);
  });
});

describe('the brief stored in the dossier (lean engine path)', () => {
  test('analysis and writing without the brief in their input compose the same revision as with it', async () => {
    const passed = await payments();
    const brief = load<CaseBrief>('brief-payments.json');
    const dossierRef = await putJson({ ...load<Dossier>('dossier-payments.json'), brief });
    const outline = await run(analyzeCase, { caseId: brief.id, dossierRef, feedback: [] });
    const stored = await run(composeDraft, {
      caseId: brief.id,
      planVersion: 'v15.0',
      outlineRef: outline.ref,
      dossierRef,
      templateFile: TEMPLATE_FILE,
      language: 'zh',
      feedback: [],
      author: brief.author,
    });
    expect(stored.revision).toBe(passed.info.revision);
  });

  test('a dossier without a brief, and none passed, is a clear permanent failure', async () => {
    const brief = load<CaseBrief>('brief-payments.json');
    const dossierRef = await putJson(load<Dossier>('dossier-payments.json'));
    const failure = await run(analyzeCase, { caseId: brief.id, dossierRef, feedback: [] }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(/holds no brief and none was passed/);
  });
});
