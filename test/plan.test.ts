import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { PlanError, UnknownCaseError, findCase, loadPlan, loadTemplate, sourcePath, type PlanIssue } from '../src/plan';

const root = path.resolve(__dirname, '..');
const shippedPlan = path.join(root, 'plan', 'v15.0.yaml');
const shippedTemplate = path.join(root, 'plan', 'template.yaml');
const fixtures = path.join(__dirname, 'fixtures', 'plan');

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-plan-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** 1-based line of the first line containing `needle` (the n-th one when `nth` > 1). */
function lineContaining(text: string, needle: string, nth = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`fixture has no line with ${needle}`);
}

/** Writes the minimal plan (after `edit`) with its local source into the tmp dir and loads it. */
async function writeMinimal(edit: (text: string) => string = (t) => t): Promise<{ file: string; text: string }> {
  const text = edit(await fs.readFile(path.join(fixtures, 'minimal-plan.yaml'), 'utf8'));
  await fs.mkdir(path.join(tmp, 'sources', 'demo'), { recursive: true });
  await fs.writeFile(path.join(tmp, 'sources', 'demo', 'S1.md'), '# Demo notes\n');
  const file = path.join(tmp, 'plan.yaml');
  await fs.writeFile(file, text);
  return { file, text };
}

async function planError(file: string): Promise<PlanError> {
  try {
    await loadPlan(file);
  } catch (err) {
    if (err instanceof PlanError) return err;
    throw err;
  }
  throw new Error('expected the plan to be rejected');
}

function issueFor(err: PlanError, field: string): PlanIssue {
  const found = err.issues.find((i) => i.field === field);
  if (!found) throw new Error(`no issue for ${field}; got:\n${err.message}`);
  return found;
}

/** The issue names the field, carries the line, and the message shows field, line and fix. */
function expectIssue(err: PlanError, field: string, line: number, message: RegExp, fix: RegExp): void {
  const issue = issueFor(err, field);
  expect(issue.line).toBe(line);
  expect(issue.message).toMatch(message);
  expect(issue.fix).toMatch(fix);
  expect(err.message).toContain(err.file);
  expect(err.message).toContain(`${field} (line ${line})`);
  expect(err.message).toContain(`fix: ${issue.fix}`);
}

describe('the shipped plan', () => {
  test('loads with the six new cases and the six existing entries', async () => {
    const plan = await loadPlan(shippedPlan);
    expect(plan.file).toBe(shippedPlan);
    expect(plan.version).toBe('v15.0');
    expect(plan.cases.map((c) => c.id)).toEqual(['square', 'paypal', 'blizzard', 'epic-games', 'tesla', 'siemens']);
    expect(plan.cases.map((c) => c.title.zh)).toEqual([
      'Square - 支付处理系统',
      'PayPal - 跨境支付工作流',
      'Blizzard Entertainment - 游戏服务器编排',
      'Epic Games - 游戏资产处理管道',
      'Tesla - 车辆数据采集和分析',
      'Siemens - 工业物联网平台',
    ]);
    expect(plan.existing.map((e) => [e.company, e.industry])).toEqual([
      ['Coinbase', 'fintech'],
      ['Stripe', 'fintech'],
      ['Amazon', 'ecommerce'],
      ['Alibaba', 'ecommerce'],
      ['Riot Games', 'gaming'],
      ['AWS IoT Core', 'iot'],
    ]);
    expect(plan.industries.map((i) => `${i.id}:${i.label.zh}`)).toEqual(['fintech:金融科技', 'ecommerce:电商', 'gaming:游戏行业', 'iot:物联网']);
  });

  test('each case carries the seed features and merges the review defaults', async () => {
    const plan = await loadPlan(shippedPlan);
    expect(findCase(plan, 'square').features.map((f) => f.zh)).toEqual(['移动支付处理', '商户服务集成', '高并发交易处理']);
    expect(findCase(plan, 'siemens').features.map((f) => f.zh)).toEqual(['工业设备监控', '预测性维护', '边缘计算集成']);
    const square = findCase(plan, 'square');
    expect(square.author).toBe('erin');
    expect(square.language).toBe('zh');
    expect(square.review.reviewers.map((r) => r.name)).toEqual(['alice', 'bob', 'carol']);
    expect(square.review.backup.name).toBe('dave');
    expect(square.review.remindAfter).toBe('2 days');
    // Overrides replace only the fields they name.
    const epic = findCase(plan, 'epic-games');
    expect(epic.review.quorum).toEqual({ roles: ['tech', 'editor'] });
    expect(epic.review.remindAfter).toBe('1 day');
    expect(epic.review.maxRevisions).toBe(5);
    expect(findCase(plan, 'tesla').review.maxRevisions).toBe(4);
    expect(findCase(plan, 'paypal').review.quorum).toEqual({ roles: ['tech', 'data'] });
  });

  test('briefs are honest design studies: sourced, excerpted locally, targets stated as numbers', async () => {
    const plan = await loadPlan(shippedPlan);
    for (const c of plan.cases) {
      expect(c.context.en).toMatch(/has not said publicly that it uses Temporal/);
      expect(c.context.zh).toMatch(/并未公开表示其使用 Temporal/);
      expect(c.sources.length).toBeGreaterThanOrEqual(2);
      // No page is listed twice under two ids (a writer's new source that the plan already had).
      const pages = c.sources.map((x) => x.url ?? x.location);
      expect(new Set(pages).size).toBe(pages.length);
      expect(c.targets.length).toBeGreaterThanOrEqual(3);
      expect(new Set(c.targets.map((t) => t.metric)).size).toBeGreaterThanOrEqual(3);
      const local = c.sources.filter((s) => s.location.startsWith('file:'));
      expect(local.length).toBeGreaterThanOrEqual(1);
      for (const s of local) {
        expect(s.url).toMatch(/^https:\/\//);
        const excerpt = await fs.readFile(sourcePath(plan, s) as string, 'utf8');
        // The excerpt names the same public page as the brief.
        expect(excerpt).toContain(`url: ${s.url}`);
        expect(excerpt).toContain(`title: ${s.title}`);
      }
      for (const s of c.sources.filter((x) => !x.location.startsWith('file:'))) {
        expect(s.location).toMatch(/^https:\/\//);
        expect(sourcePath(plan, s)).toBeUndefined();
      }
    }
  });

  test('findCase names the valid ids when the case is unknown', async () => {
    const plan = await loadPlan(shippedPlan);
    expect(findCase(plan, 'paypal').company).toBe('PayPal');
    let err: unknown;
    try {
      findCase(plan, 'paypall');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownCaseError);
    const e = err as UnknownCaseError;
    expect(e).toBeInstanceOf(PlanError);
    expect(e.caseId).toBe('paypall');
    expect(e.validIds).toEqual(['square', 'paypal', 'blizzard', 'epic-games', 'tesla', 'siemens']);
    expect(e.message).toContain('square, paypal, blizzard, epic-games, tesla, siemens');
    expect(e.message).toContain('did you mean "paypal"?');
  });
});

describe('the template', () => {
  test('has the seven sections and sub-items exactly as the seed plan lists them', async () => {
    const t = await loadTemplate(shippedTemplate);
    expect(t.sections.map((s) => s.title.zh)).toEqual([
      '业务场景定义',
      'Temporal实现架构',
      '性能指标与量化分析',
      '技术实现深度分析',
      '性能优化深度分析',
      '故障处理和恢复深度分析',
      '最佳实践和教训总结',
    ]);
    expect(t.sections.map((s) => s.items.map((i) => i.title.zh))).toEqual([
      ['业务背景', '核心需求', '挑战和痛点'],
      ['架构设计', '关键技术决策', '组件说明'],
      ['吞吐量指标', '延迟指标', '可靠性指标', '成本指标'],
      ['Workflow设计', 'Activity实现', '错误处理', '补偿机制'],
      ['优化策略', '优化效果', '优化经验'],
      ['故障场景', '恢复策略', '恢复时间'],
      ['成功经验', '失败教训', '建议'],
    ]);
    const metrics = t.sections.find((s) => s.id === 'metrics');
    expect(metrics?.items.map((i) => i.id)).toEqual(['metrics.throughput', 'metrics.latency', 'metrics.reliability', 'metrics.cost']);
    for (const s of t.sections) {
      expect(s.title.en.length).toBeGreaterThan(0);
      for (const i of s.items) expect(i.id.startsWith(`${s.id}.`)).toBe(true);
    }
  });

  test('rejects a template without the metric buckets, with the field and line', async () => {
    const text = (await fs.readFile(shippedTemplate, 'utf8')).replace('id: metrics.cost', 'id: metrics.money');
    const file = path.join(tmp, 'template.yaml');
    await fs.writeFile(file, text);
    const err = await loadTemplate(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlanError);
    expectIssue(err as PlanError, 'sections', lineContaining(text, 'sections:'), /"\.cost"/, /metrics\.cost/);
  });

  test('rejects an item id outside its section and an unknown key', async () => {
    const text = (await fs.readFile(shippedTemplate, 'utf8'))
      .replace('id: recovery.time', 'id: lessons.time')
      .replace('version: v15.0', 'version: v15.0\nsectons: []');
    const file = path.join(tmp, 'template.yaml');
    await fs.writeFile(file, text);
    const err = (await loadTemplate(file).catch((e: unknown) => e)) as PlanError;
    expect(err).toBeInstanceOf(PlanError);
    expectIssue(err, 'sectons', lineContaining(text, 'sectons:'), /unknown field "sectons"/, /did you mean "sections"/);
    const text2 = (await fs.readFile(shippedTemplate, 'utf8')).replace('id: recovery.time', 'id: lessons.time');
    await fs.writeFile(file, text2);
    const err2 = (await loadTemplate(file).catch((e: unknown) => e)) as PlanError;
    expectIssue(err2, 'sections[5].items[2].id', lineContaining(text2, 'id: lessons.time'), /does not belong to section "recovery"/, /recovery\.time/);
  });
});

describe('a plan with a seventh case', () => {
  test('loads with no code change, including a new industry', async () => {
    const doc = parseDocument(await fs.readFile(shippedPlan, 'utf8'));
    const extra = parseDocument(await fs.readFile(path.join(fixtures, 'northwind-case.yaml'), 'utf8'));
    (doc.get('cases') as { add(v: unknown): void }).add(extra.contents);
    (doc.get('industries') as { add(v: unknown): void }).add(doc.createNode({ id: 'logistics', label: { zh: '物流', en: 'Logistics' } }));
    await fs.cp(path.join(root, 'plan', 'sources'), path.join(tmp, 'sources'), { recursive: true });
    await fs.cp(path.join(fixtures, 'northwind'), path.join(tmp, 'sources', 'northwind'), { recursive: true });
    const file = path.join(tmp, 'plan.yaml');
    await fs.writeFile(file, doc.toString());

    const plan = await loadPlan(file);
    expect(plan.cases).toHaveLength(7);
    const nw = findCase(plan, 'northwind');
    expect(nw.industry).toBe('logistics');
    expect(nw.review.quorum).toEqual({ count: 1 });
    expect(nw.review.reviewers).toHaveLength(3);
    expect(nw.sources[0].date).toBe('2024');
    expect(sourcePath(plan, nw.sources[0])).toBe(path.join(tmp, 'sources', 'northwind', 'S1.md'));
  });
});

describe('plan validation', () => {
  test('the minimal fixture itself is valid', async () => {
    const { file } = await writeMinimal();
    const plan = await loadPlan(file);
    expect(findCase(plan, 'demo').review.quorum).toEqual({ count: 2 });
  });

  test('malformed YAML is reported with its line', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    company: Demo Co', '    company: [Demo Co'));
    const err = await planError(file);
    const issue = issueFor(err, '(yaml)');
    expect(issue.message).toMatch(/YAML syntax error/);
    expect(issue.line).toBeGreaterThanOrEqual(lineContaining(text, 'company: [Demo Co'));
    expect(err.message).toContain('fix: correct the YAML syntax');
  });

  test('a duplicate key is a YAML error', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    company: Demo Co', '    company: Demo Co\n    company: Other Co'));
    const err = await planError(file);
    expect(issueFor(err, '(yaml)').line).toBe(lineContaining(text, 'company: Other Co'));
    expect(issueFor(err, '(yaml)').fix).toMatch(/repeated key/);
  });

  test('an unknown top-level key gets a typo hint', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('language: zh\n', 'language: zh\nlangauge: en\n'));
    expectIssue(await planError(file), 'langauge', lineContaining(text, 'langauge:'), /unknown field "langauge"/, /did you mean "language"/);
  });

  test('an unknown nested key lists the allowed fields', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    maxRevisions: 5', '    maxRevisions: 5\n    remindEvery: 1 day'));
    expectIssue(await planError(file), 'defaults.review.remindEvery', lineContaining(text, 'remindEvery'), /unknown field/, /allowed here: reviewers, quorum, backup, remindAfter, escalateAfter, maxRevisions/);
  });

  test('a missing required field is named with an example', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    company: Demo Co\n', ''));
    expectIssue(await planError(file), 'cases[0].company', lineContaining(text, '- id: demo'), /is missing/, /company: Square/);
  });

  test('duplicate case ids are rejected', async () => {
    const { file, text } = await writeMinimal((t) => {
      const cases = t.slice(t.indexOf('  - id: demo'));
      return t + cases;
    });
    expectIssue(await planError(file), 'cases[1].id', lineContaining(text, '- id: demo', 2), /used by cases\[0\] too/, /unique id/);
  });

  test('a case id that could escape a folder is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('- id: demo', '- id: ../etc'));
    expectIssue(await planError(file), 'cases[0].id', lineContaining(text, '- id: ../etc'), /lowercase letters, digits and dashes/, /id: square/);
  });

  test('a case id that collides with an existing entry is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('- id: demo', '- id: acme-pay'));
    expectIssue(await planError(file), 'cases[0].id', lineContaining(text, '- id: acme-pay'), /already an existing library entry/, /another id/);
  });

  test('an undeclared industry is rejected with the declared ones', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    industry: fintech', '    industry: fintek'));
    expectIssue(await planError(file), 'cases[0].industry', lineContaining(text, 'industry: fintek'), /not declared/, /use one of: fintech; did you mean "fintech"\?/);
  });

  test('a quorum larger than the roster is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('      quorum: { count: 2 }', '      quorum: { count: 4 }'));
    expectIssue(await planError(file), 'cases[0].review.quorum.count', lineContaining(text, 'quorum: { count: 4 }'), /asks for 4 approvals but the roster \(defaults\.review\.reviewers\) has 3 reviewers/, /lower quorum\.count to 3 or fewer/);
  });

  test('a quorum role nobody in the roster has is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('      quorum: { count: 2 }', '      quorum:\n        roles: [tech, legal]'));
    expectIssue(await planError(file), 'cases[0].review.quorum.roles[1]', lineContaining(text, 'roles: [tech, legal]'), /role "legal"/, /tech, data, editor/);
  });

  test('a quorum with both count and roles is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('      quorum: { count: 2 }', '      quorum: { count: 2, roles: [tech] }'));
    expectIssue(await planError(file), 'cases[0].review.quorum', lineContaining(text, 'quorum: { count: 2, roles'), /not both or neither/, /count: 2/);
  });

  test('a backup reviewer who is in the roster is rejected where the defaults set it', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('backup: { name: dave, role: lead }', 'backup: { name: bob, role: lead }'));
    expectIssue(await planError(file), 'defaults.review.backup.name', lineContaining(text, 'backup: { name: bob'), /also in the roster/, /outside the roster/);
  });

  test('an author who is a reviewer is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    company: Demo Co', '    company: Demo Co\n    author: alice'));
    expectIssue(await planError(file), 'cases[0].author', lineContaining(text, 'author: alice'), /also a reviewer/, /may not approve their own draft/);
  });

  test('a duration that does not parse is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('remindAfter: 2 days', 'remindAfter: soon'));
    expectIssue(await planError(file), 'defaults.review.remindAfter', lineContaining(text, 'remindAfter: soon'), /"soon" is not a duration/, /2 days/);
  });

  test('escalation before the reminder is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('      quorum: { count: 2 }', '      quorum: { count: 2 }\n      escalateAfter: 36h'));
    expectIssue(await planError(file), 'cases[0].review.escalateAfter', lineContaining(text, 'escalateAfter: 36h'), /later than remindAfter/, /longer than remindAfter/);
  });

  test('maxRevisions below 1 is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('maxRevisions: 5', 'maxRevisions: 0'));
    expectIssue(await planError(file), 'defaults.review.maxRevisions', lineContaining(text, 'maxRevisions: 0'), /at least 1/, /1 or more/);
  });

  test('a review field set nowhere is reported for the case', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('    maxRevisions: 5\n', ''));
    expectIssue(await planError(file), 'cases[0].review.maxRevisions', lineContaining(text, '    review:'), /set(s)? it/, /defaults\.review/);
  });

  test('duplicate source ids in a case are rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('      - id: S2', '      - id: S1'));
    expectIssue(await planError(file), 'cases[0].sources[1].id', lineContaining(text, '- id: S1', 2), /used twice/, /S1, S2/);
  });

  test.each([
    ['file:../../etc/passwd', /outside the plan folder/, /without "\.\."/],
    ['file:sources/../../x.md', /outside the plan folder/, /without "\.\."/],
    ['file:/etc/passwd', /absolute path/, /relative to the plan file/],
    ['file:sources/demo/missing.md', /does not exist/, /create the excerpt/],
    ['ftp://example.com/x', /neither a file: path nor an http\(s\) URL/, /https:\/\//],
  ])('source location %s is rejected', async (location, message, fix) => {
    const { file, text } = await writeMinimal((t) => t.replace('location: https://example.com/demo', `location: ${location}`));
    expectIssue(await planError(file), 'cases[0].sources[1].location', lineContaining(text, `location: ${location}`), message, fix);
  });

  test('a source linked to a file outside the plan folder is rejected', async () => {
    const outside = path.join(tmp, '..', `casebook-outside-${path.basename(tmp)}.md`);
    await fs.writeFile(outside, 'outside\n');
    try {
      const { file, text } = await writeMinimal((t) => t.replace('location: https://example.com/demo', 'location: file:sources/link.md'));
      await fs.symlink(outside, path.join(tmp, 'sources', 'link.md'));
      expectIssue(await planError(file), 'cases[0].sources[1].location', lineContaining(text, 'file:sources/link.md'), /through a link/, /real file/);
    } finally {
      await fs.rm(outside, { force: true });
    }
  });

  test('a source url that is not http(s) and a malformed date are rejected', async () => {
    const { file, text } = await writeMinimal((t) =>
      t.replace('url: https://example.org/notes/demo', 'url: javascript:alert(1)').replace("date: '2024-05-01'", "date: '3 March'"),
    );
    const err = await planError(file);
    expectIssue(err, 'cases[0].sources[0].url', lineContaining(text, 'url: javascript'), /not an http\(s\) URL/, /https:\/\//);
    expectIssue(err, 'cases[0].sources[0].date', lineContaining(text, "date: '3 March'"), /YYYY/, /change the value/);
  });

  describe('sources say what they are', () => {
    test('a source without a kind is refused with file, line and fix', async () => {
      const { file, text } = await writeMinimal((t) => t.replace('        kind: excerpt\n', ''));
      expectIssue(await planError(file), 'cases[0].sources[0].kind', lineContaining(text, '- id: S1'), /is missing/, /kind: excerpt.*kind: quote.*kind: snapshot/);
    });

    test('an excerpt without a retrieval date, or with a partial one, is refused', async () => {
      const missing = await writeMinimal((t) => t.replace("        retrieved: '2024-06-01'\n", ''));
      expectIssue(await planError(missing.file), 'cases[0].sources[0].retrieved', lineContaining(missing.text, '- id: S1'), /must say when it was taken/, /retrieved: YYYY-MM-DD/);
      const partial = await writeMinimal((t) => t.replace("retrieved: '2024-06-01'", "retrieved: '2024-06'"));
      expectIssue(await planError(partial.file), 'cases[0].sources[0].retrieved', lineContaining(partial.text, "retrieved: '2024-06'"), /not a full date/, /YYYY-MM-DD/);
    });

    test('an excerpt without its public URL is refused', async () => {
      const { file, text } = await writeMinimal((t) => t.replace('        url: https://example.org/notes/demo\n', ''));
      expectIssue(await planError(file), 'cases[0].sources[0].url', lineContaining(text, '- id: S1'), /must name the public page/, /url: https:/);
    });

    test('a publication date without its day needs a note, and a missing one too', async () => {
      const year = await writeMinimal((t) => t.replace("date: '2024-05-01'", "date: '2024'"));
      expectIssue(await planError(year.file), 'cases[0].sources[0].date', lineContaining(year.text, "date: '2024'"), /gives no day/, /YYYY-MM-DD.*dateNote/);
      const noted = await writeMinimal((t) => t.replace("date: '2024-05-01'", "date: '2024'\n        dateNote: the page gives the year only"));
      await expect(loadPlan(noted.file)).resolves.toBeDefined();
      const none = await writeMinimal((t) => t.replace('        dateNote: a page updated in place, with no publication date\n', ''));
      expectIssue(await planError(none.file), 'cases[0].sources[1].date', lineContaining(none.text, '- id: S2'), /no publication date/, /dateNote/);
      const impossible = await writeMinimal((t) => t.replace("date: '2024-05-01'", "date: '2024-02-30'"));
      expectIssue(await planError(impossible.file), 'cases[0].sources[0].date', lineContaining(impossible.text, "date: '2024-02-30'"), /not a calendar date/, /2024-02-07/);
    });

    test('a kind that does not fit the location is refused', async () => {
      const { file, text } = await writeMinimal((t) => t.replace('        kind: snapshot', '        kind: excerpt\n        url: https://example.com/demo\n        retrieved: 2024-06-01'));
      expectIssue(await planError(file), 'cases[0].sources[1].location', lineContaining(text, 'location: https://example.com/demo'), /kept in a project-local file/, /kind: snapshot/);
    });

    test('an excerpt item with a figure needs a Chinese restatement that states the same figure', async () => {
      const { file } = await writeMinimal();
      const excerptFile = path.join(tmp, 'sources', 'demo', 'S1.md');
      await fs.writeFile(excerptFile, '---\ntitle: Demo notes\n---\nOur restatement.\n\n- Demo Co processed 1,200 orders a day in 2024.\n- Revenue rose 8% to $29.8 billion.\n  zh: 营收增长 9%，达到 298 亿美元。\n');
      const err = await planError(file);
      const issues = err.issues.filter((i) => i.file === excerptFile);
      expect(issues.map((i) => [i.line, i.field])).toEqual([
        [6, 'cases[0].sources[0]'],
        [8, 'cases[0].sources[0]'],
      ]);
      expect(issues[0].message).toMatch(/states 1,200 but has no Chinese restatement/);
      expect(issues[0].fix).toMatch(/zh: \.\.\./);
      expect(issues[1].message).toMatch(/does not state 8 \(%\)/);
      expect(err.message).toContain(`cases[0].sources[0] (${excerptFile}:6)`);
      expect(err.message).toContain(`fix: ${issues[1].fix}`);
      await fs.writeFile(excerptFile, '- Demo Co processed 1,200 orders a day in 2024.\n  zh: Demo Co 在 2024 年每天处理 1,200 笔订单。\n');
      await expect(loadPlan(file)).resolves.toBeDefined();
    });
  });

  test('a design target without a number is rejected', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('en: "p99 under 50 ms"', 'en: "fast enough"'));
    expectIssue(await planError(file), 'cases[0].targets[0].text.en', lineContaining(text, 'fast enough'), /must state its number/, /write the figure/);
  });

  test('an unknown metric gets the allowed values', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('metric: latency', 'metric: latancy'));
    expectIssue(await planError(file), 'cases[0].targets[0].metric', lineContaining(text, 'metric: latancy'), /"latancy" is not allowed/, /throughput, latency, reliability, cost; did you mean "latency"/);
  });

  test('a number where text is expected asks for quotes', async () => {
    const { file, text } = await writeMinimal((t) => t.replace('version: v0.1', 'version: 15.0'));
    expectIssue(await planError(file), 'version', lineContaining(text, 'version: 15.0'), /should be text, got a number/, /quote the value/);
  });

  test('every problem is reported at once', async () => {
    const { file } = await writeMinimal((t) => t.replace('    industry: fintech', '    industry: nope').replace('maxRevisions: 5', 'maxRevisions: 0'));
    const err = await planError(file);
    // Schema errors are reported first; cross-field rules run once the shape is right.
    expect(err.issues.map((i) => i.field)).toEqual(['defaults.review.maxRevisions']);
    const { file: file2 } = await writeMinimal((t) => t.replace('    industry: fintech', '    industry: nope').replace('      quorum: { count: 2 }', '      quorum: { count: 9 }'));
    const err2 = await planError(file2);
    expect(err2.issues.map((i) => i.field).sort()).toEqual(['cases[0].industry', 'cases[0].review.quorum.count']);
  });

  test('a missing plan file says how to point to another one', async () => {
    const err = await planError(path.join(tmp, 'nope.yaml'));
    expect(err.issues[0].message).toMatch(/does not exist/);
    expect(err.issues[0].fix).toMatch(/--plan/);
  });
});
