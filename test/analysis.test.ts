/**
 * Analysis: facts mapped onto template items, patterns chosen from the catalogue, the outline stored
 * deterministically. Activities run in MockActivityEnvironment against a temporary artifact store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { analyzeCase, type Outline } from '../activities/analysis';
import { getJson, putJson } from '../activities/store';
import { choosePatterns, PATTERNS } from '../src/domain/patterns';
import type { CaseBrief, Dossier } from '../src/domain/types';

const FIXTURES = path.join(__dirname, 'fixtures', 'composing');
const load = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-analysis-'));
  process.env.CASEBOOK_HOME = home;
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const env = new MockActivityEnvironment(undefined, { logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
/** `env.run` with the activity's own argument and result types. */
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args) as Promise<R>;

async function analyze(brief: CaseBrief, dossier: Dossier, feedback: string[] = []) {
  const dossierRef = await putJson(dossier);
  const summary = await run(analyzeCase, { caseId: brief.id, brief, dossierRef, feedback });
  return { summary, outline: await getJson<Outline>(summary.ref) };
}

describe('analyzeCase', () => {
  const brief = load<CaseBrief>('brief-payments.json');
  const dossier = load<Dossier>('dossier-payments.json');

  test('maps a latency fact into the latency item and a scale fact into the business background', async () => {
    const { outline } = await analyze(brief, dossier);
    expect(outline.items['metrics.latency'].facts.map((f) => f.id)).toEqual(['S1-f1']);
    expect(outline.items['metrics.throughput'].facts.map((f) => f.id)).toEqual(['S1-f2']);
    expect(outline.items['scenario.background'].facts.map((f) => f.id)).toEqual(['S1-f3', 'S1-f4']);
    expect(outline.items['metrics.latency'].facts.map((f) => f.id)).not.toContain('S1-f2');
  });

  test('keeps money figures that are not costs (revenue) out of the cost item', async () => {
    const { outline } = await analyze(brief, dossier);
    expect(outline.items['metrics.cost'].facts.map((f) => f.id)).toEqual(['S1-f5']);
  });

  test('drops facts of sources that were not collected', async () => {
    const { outline } = await analyze(brief, dossier);
    const all = Object.values(outline.items).flatMap((i) => i.facts.map((f) => f.id));
    expect(all).not.toContain('S3-f1');
    expect(outline.sources).toEqual(['S1', 'S2']);
  });

  test('puts design targets into their metric items', async () => {
    const { outline } = await analyze(brief, dossier);
    expect(outline.items['metrics.throughput'].targets).toHaveLength(1);
    expect(outline.items['metrics.cost'].targets[0].kind).toBe('estimate');
    expect(outline.items['metrics.latency'].targets).toHaveLength(0);
  });

  test('is deterministic: the same input stores the same outline', async () => {
    const a = await analyze(brief, dossier, ['more sources please']);
    const b = await analyze(brief, dossier, ['more sources please']);
    expect(b.summary).toEqual(a.summary);
    const c = await analyze(brief, dossier, ['something else']);
    expect(c.summary.ref).not.toBe(a.summary.ref);
    expect(c.outline.feedback).toEqual(['something else']);
  });

  test('chooses saga for a payments brief and heartbeats for a large-files brief', async () => {
    const pay = await analyze(brief, dossier);
    expect(pay.summary.patterns).toContain('saga');
    expect(pay.summary.patterns).not.toContain('heartbeats');
    const files = load<CaseBrief>('brief-files.json');
    const got = await analyze(files, load<Dossier>('dossier-files.json'));
    expect(got.summary.patterns).toContain('heartbeats');
    expect(got.summary.patterns).not.toContain('saga');
  });

  test('rejects a dossier of another case, without retries', async () => {
    const other = { ...dossier, caseId: 'someone-else' };
    const err = await analyze(brief, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('CaseMismatch');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });

  test('a dossier reference that is not stored fails permanently', async () => {
    const err = await run(analyzeCase, { caseId: brief.id, brief, dossierRef: `${'0'.repeat(64)}.json`, feedback: [] })
      .catch((e: unknown) => e);
    expect((err as ApplicationFailure).type).toBe('ArtifactMissing');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });
});

describe('pattern catalogue', () => {
  test('holds every required pattern with texts free of digits', () => {
    const ids = PATTERNS.map((p) => p.id);
    for (const id of ['saga', 'signals-updates', 'child-workflows', 'heartbeats', 'continue-as-new', 'schedules', 'versioning', 'timers', 'idempotency', 'rate-limiting']) {
      expect(ids).toContain(id);
    }
    for (const p of PATTERNS) {
      for (const text of [p.name, p.rationale, p.component, p.pitfall, p.excerpt.title]) {
        expect(text.zh).not.toMatch(/\d/);
        expect(text.en).not.toMatch(/\d/);
      }
      expect(p.matches.keywords.zh.length).toBeGreaterThan(0);
      expect(p.matches.keywords.en.length).toBeGreaterThan(0);
    }
  });

  const bare = { themes: [] as string[], features: [], requirements: [] };

  test('always chooses at least three patterns', () => {
    const chosen = choosePatterns(bare);
    expect(chosen.map((c) => c.id)).toEqual(['idempotency', 'signals-updates', 'timers']);
    expect(chosen.every((c) => c.reason.zh && c.reason.en)).toBe(true);
  });

  test('matches themes, Chinese and English keywords, and gives the reason', () => {
    expect(choosePatterns({ ...bare, themes: ['iot'] })[0].id).toBe('continue-as-new');
    const zh = choosePatterns({ ...bare, features: [{ zh: '夜间对账报表', en: '' }] });
    expect(zh[0].id).toBe('schedules');
    expect(zh[0].reason.zh).toContain('对账');
    const en = choosePatterns({ ...bare, requirements: [{ zh: '', en: 'Scheduling of nightly jobs' }] });
    expect(en[0].id).toBe('schedules');
    // "file" is matched at a word start only: "profile" must not select heartbeats.
    expect(choosePatterns({ ...bare, features: [{ zh: '', en: 'User profile pages' }] }).map((c) => c.id)).not.toContain('heartbeats');
  });

  test('is deterministic and ordered by score, then catalogue order', () => {
    const brief = { themes: ['payments', 'high-concurrency'], features: [{ zh: '支付与退款', en: 'payments and refunds at peak' }], requirements: [] };
    const a = choosePatterns(brief);
    expect(choosePatterns(brief)).toEqual(a);
    expect(a[0].id).toBe('saga');
    expect(a.length).toBeLessThanOrEqual(6);
  });
});
