/**
 * Rendering the campaign's live state (src/report.ts), the stage arithmetic (src/domain/campaign.ts)
 * and `watch` without a server, from fixture rows.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkVersion, parseConcurrency } from '../src/cli/commands/campaign';
import { watchCampaign } from '../src/cli/commands/watch';
import { UsageError } from '../src/cli/errors';
import { campaignStages, furthestPhase } from '../src/domain/campaign';
import type { CampaignProgress } from '../src/messages';
import {
  type CampaignReport,
  formatDuration,
  phaseDurations,
  renderProgressTable,
  renderReport,
  renderStages,
  renderSummaryMarkdown,
  statusMarker,
  watchLines,
} from '../src/report';

const fixture = (): CampaignProgress => JSON.parse(readFileSync(path.join(__dirname, 'fixtures/report/progress.json'), 'utf8'));
const labels = { fintech: '金融科技', iot: '物联网' };

function report(): CampaignReport {
  return {
    progress: fixture(),
    industryLabels: labels,
    generatedAt: '2024-05-04T00:00:00.000Z',
    details: {
      square: {
        reworkLoops: 1,
        timings: [
          { phase: 'research', startedAt: '2024-05-01T08:00:00.000Z', endedAt: '2024-05-01T09:00:00.000Z' },
          { phase: 'writing', startedAt: '2024-05-01T09:00:00.000Z', endedAt: '2024-05-01T09:10:00.000Z' },
          { phase: 'writing', startedAt: '2024-05-02T09:00:00.000Z', endedAt: '2024-05-02T09:05:00.000Z' },
        ],
        responseTimes: [{ reviewer: 'alice', ms: 3_600_000 + 120_000 }],
      },
      paypal: { reworkLoops: 0, timings: [{ phase: 'review', startedAt: '2024-05-03T00:00:00.000Z' }], responseTimes: [] },
      tesla: undefined,
    },
  };
}

describe('stages', () => {
  test('count the furthest phase each case reached; planning is done once the campaign runs', () => {
    const stages = campaignStages(['published', 'review', 'qa', 'pending']);
    expect(Object.fromEntries(stages.map((s) => [s.id, s.percent]))).toEqual({
      planning: 100,
      collection: 75,
      analysis: 75,
      documentation: 25,
      quality: 50,
    });
    expect(campaignStages(['pending'], false)[0].percent).toBe(0);
    expect(campaignStages([]).map((s) => s.percent)).toEqual([100, 0, 0, 0, 0]);
  });

  test('rework and attention do not take a stage back', () => {
    expect(furthestPhase('review', 'research')).toBe('review');
    expect(furthestPhase('review', 'attention')).toBe('review');
    expect(furthestPhase('review', 'publish')).toBe('publish');
  });
});

describe('progress table and stages', () => {
  test('status markers', () => {
    expect(statusMarker({ phase: 'pending' })).toBe('⏳ 待开始');
    expect(statusMarker({ phase: 'review' })).toBe('🔄 进行中（评审）');
    expect(statusMarker({ phase: 'attention' })).toBe('🔄 进行中（需关注）');
    expect(statusMarker({ phase: 'published' })).toBe('✅ 已完成');
    expect(statusMarker({ phase: 'failed' })).toBe('❌ 失败');
  });

  test('the 当前进度 table has the plan\'s columns and a total row computed from the cases', () => {
    expect(renderProgressTable(fixture().cases, labels).split('\n')).toEqual([
      '| 行业 | 案例 | 状态 | 完成度 |',
      '|------|------|------|--------|',
      '| 金融科技 | Square | ✅ 已完成 | 100% |',
      '| 金融科技 | PayPal | 🔄 进行中（评审） | 65% |',
      '| 物联网 | Tesla | ⏳ 待开始 | 0% |',
      '| **总计** | **3个** | **1个已完成** | **55%** |',
    ]);
    expect(renderProgressTable(fixture().cases, {})).toContain('| fintech | Square |');
  });

  test('the 实施阶段 list marks done, started and untouched stages', () => {
    const lines = renderStages(fixture().stages).split('\n');
    expect(lines[0]).toBe('- **阶段1：计划制定**：✅ 100%完成');
    expect(lines[1]).toBe('- **阶段2：案例收集**：🔄 67%完成');
    expect(renderStages([{ id: 'quality', label: '质量检查', percent: 0, rule: '' }])).toBe('- **质量检查**：⏳ 0%完成');
  });
});

describe('timings', () => {
  test('durations sum rework loops and measure an open phase up to now', () => {
    const d = phaseDurations(report().details.square!.timings, '2024-05-04T00:00:00.000Z');
    expect(d).toEqual({ research: 3_600_000, writing: 15 * 60_000 });
    expect(phaseDurations([{ phase: 'review', startedAt: '2024-05-03T00:00:00.000Z' }], '2024-05-03T02:00:00.000Z')).toEqual({ review: 7_200_000 });
  });

  test('formatDuration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(12_500)).toBe('12s');
    expect(formatDuration(250_000)).toBe('4m 10s');
    expect(formatDuration(3_720_000)).toBe('1h 2m');
    expect(formatDuration(93_600_000)).toBe('1d 2h');
  });
});

describe('report', () => {
  test('markdown: progress table, stages and a row per case with phase times, rework loops and response times', () => {
    const md = renderReport(report(), 'md');
    expect(md).toContain('# 活动进度报告（v15.0）');
    expect(md).toContain('| 金融科技 | PayPal | 🔄 进行中（评审） | 65% |');
    expect(md).toContain('- **阶段4：文档更新**：🔄 33%完成');
    expect(md).toContain('| 案例 | 调研 | 分析 | 撰写 | 质量检查 | 评审 | 发布 | 返工次数 | 评审响应时间 |');
    expect(md).toContain('| Square | 1h 0m | — | 15m 0s | — | — | — | 1 | alice 1h 2m |');
    expect(md).toContain('| PayPal | — | — | — | — | 1d 0h | — | 0 | — |');
    expect(md).toContain('| Tesla | — | — | — | — | — | — | 0 | — |');
  });

  test('json: the same content, machine-readable', () => {
    const json = JSON.parse(renderReport(report(), 'json'));
    expect(json.version).toBe('v15.0');
    expect(json.total).toEqual({ cases: 3, published: 1, percent: 55 });
    expect(json.cases[0]).toMatchObject({
      caseId: 'square',
      industryLabel: '金融科技',
      status: '✅ 已完成',
      percent: 100,
      reworkLoops: 1,
      phaseDurationsMs: { research: 3_600_000, writing: 900_000 },
      responseTimes: [{ reviewer: 'alice', ms: 3_720_000 }],
    });
    expect(json.cases[2].phaseDurationsMs).toBeUndefined();
    expect(json.stages.map((s: { percent: number }) => s.percent)).toEqual([100, 67, 67, 33, 67]);
  });
});

describe('summary document', () => {
  test('in progress: done work, tables and a next step per open case', () => {
    const md = renderSummaryMarkdown(fixture(), labels, '2024-05-04T00:00:00.000Z');
    for (const heading of ['## 📋 概述', '## ✅ 已完成工作', '### 当前进度', '### 实施阶段', '## 📋 下一步工作']) expect(md).toContain(heading);
    expect(md).toContain('- ✅ Square：Square - 支付（发布于 2024-05-03T10:00:00.000Z）');
    expect(md).toContain('- PayPal：评审人审阅并批准当前修订');
    expect(md).toContain('- Tesla：等待开始（并发上限）');
    expect(md).toContain('**状态**：🔄 进行中（1/3 已完成）');
  });

  test('completed: every case published, no open work', () => {
    const done = fixture();
    done.status = 'completed';
    done.completedAt = '2024-05-05T00:00:00.000Z';
    done.cases = done.cases.map((r) => ({ ...r, phase: 'published', furthest: 'published', percent: 100 }));
    done.stages = campaignStages(done.cases.map((r) => r.furthest));
    const md = renderSummaryMarkdown(done, labels, done.completedAt);
    expect(md).toContain('**状态**：✅ 全部完成');
    expect(md).toContain('- 所有案例均已发布，案例文档已更新');
    expect(md).not.toContain('等待开始');
    expect(md).toContain('| **总计** | **3个** | **3个已完成** | **100%** |');
  });
});

describe('watch', () => {
  test('watchLines: every case the first time, then only what changed', () => {
    const first = fixture();
    expect(watchLines(undefined, first)).toEqual([
      'square published 100% rev aaaaaaaaaaaa',
      'paypal review 65% rev bbbbbbbbbbbb',
      'tesla pending 0%',
      'stages: 阶段1：计划制定 100%, 阶段2：案例收集 67%, 阶段3：案例分析 67%, 阶段4：文档更新 33%, 质量检查 67%',
    ]);
    expect(watchLines(first, fixture())).toEqual([]);
    const next = fixture();
    next.cases[2] = { ...next.cases[2], phase: 'research', furthest: 'research', percent: 5 };
    expect(watchLines(first, next)).toEqual(['tesla research 5%']);
  });

  test('not a terminal: plain lines, no escape codes, and it stops when the campaign completes', async () => {
    const states = [fixture(), fixture(), fixture()];
    states[1].cases[1] = { ...states[1].cases[1], phase: 'published', furthest: 'published', percent: 100 };
    states[2] = { ...states[1], status: 'completed' };
    let reads = 0;
    const written: string[] = [];
    let sleeps = 0;
    const final = await watchCampaign(async () => states[reads++], { isTTY: false, write: (c: string) => written.push(c) }, {
      intervalMs: 5,
      sleep: async () => void sleeps++,
    });
    expect(final.status).toBe('completed');
    expect(reads).toBe(3);
    expect(sleeps).toBe(2);
    const text = written.join('');
    expect(text.includes(String.fromCharCode(27))).toBe(false);
    expect(text.split('\n').filter(Boolean)).toEqual([
      'square published 100% rev aaaaaaaaaaaa',
      'paypal review 65% rev bbbbbbbbbbbb',
      'tesla pending 0%',
      'stages: 阶段1：计划制定 100%, 阶段2：案例收集 67%, 阶段3：案例分析 67%, 阶段4：文档更新 33%, 质量检查 67%',
      'paypal published 100% rev bbbbbbbbbbbb',
      'campaign v15.0 completed',
    ]);
  });
});

describe('watch on a terminal', () => {
  function terminal(columns: number) {
    const written: string[] = [];
    return {
      written,
      out: Object.assign(new (require('node:stream').Writable)({ write: (c: Buffer, _e: string, done: () => void) => (written.push(String(c)), done()) }), {
        isTTY: true,
        columns,
      }),
    };
  }

  test('draws a progress bar per case and ends at 100%', async () => {
    const done = fixture();
    done.status = 'completed';
    done.cases = done.cases.map((c) => ({ ...c, phase: 'published' as const, furthest: 'published' as const, percent: 100 }));
    const states = [fixture(), done];
    let reads = 0;
    const { out, written } = terminal(100);
    await watchCampaign(async () => states[reads++], out, { intervalMs: 5, sleep: async () => undefined });
    const text = written.join('');
    expect(text).toMatch(/square\s+\[[█░]+\] 100% published/);
    expect(text).toMatch(/paypal\s+\[█+\] 100% published/);
  });

  test('a terminal that reports no width gets plain lines', async () => {
    const done = { ...fixture(), status: 'completed' as const };
    const { out, written } = terminal(0);
    await watchCampaign(async () => done, out, { intervalMs: 5, sleep: async () => undefined });
    expect(written.join('')).toContain('campaign v15.0 completed');
    expect(written.join('').includes(String.fromCharCode(27))).toBe(false);
  });
});

describe('campaign CLI checks', () => {
  test('the campaign version must be the plan\'s', () => {
    expect(() => checkVersion('v15.0', 'v15.0', 'plan.yaml')).not.toThrow();
    expect(() => checkVersion('v16.0', 'v15.0', 'plan.yaml')).toThrow(UsageError);
  });

  test('--concurrency is a whole number from 1 to 50', () => {
    expect(parseConcurrency(undefined)).toBeUndefined();
    expect(parseConcurrency('2')).toBe(2);
    for (const bad of ['0', '-1', '2.5', 'many', '51']) expect(() => parseConcurrency(bad)).toThrow(/--concurrency must be/);
  });
});

describe('writeCampaignSummary activity', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'casebook-campaign-'));
    process.env.CASEBOOK_LIBRARY_DIR = dir;
  });
  afterEach(() => {
    delete process.env.CASEBOOK_LIBRARY_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes <library>/campaigns/<version>.md with the plan\'s industry labels, the same bytes every time', async () => {
    const { writeCampaignSummary } = await import('../activities/campaign');
    const written = await writeCampaignSummary({ planFile: 'plan/v15.0.yaml', progress: fixture() });
    expect(written.path).toBe(path.join('campaigns', 'v15.0.md'));
    const first = readFileSync(path.join(dir, written.path), 'utf8');
    expect(first).toContain('| 金融科技 | Square | ✅ 已完成 | 100% |');
    await writeCampaignSummary({ planFile: 'plan/v15.0.yaml', progress: fixture() });
    expect(readFileSync(path.join(dir, written.path), 'utf8')).toBe(first);
    expect(readdirSync(path.join(dir, 'campaigns'))).toEqual(['v15.0.md']);
  });

  test('refuses a version that would leave the campaigns folder', async () => {
    const { writeCampaignSummary } = await import('../activities/campaign');
    await expect(writeCampaignSummary({ planFile: 'plan/v15.0.yaml', progress: { ...fixture(), version: '../x' } })).rejects.toMatchObject({
      type: 'UnsafePath',
      nonRetryable: true,
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
