/**
 * Page checks of local excerpts, through the real research path: the excerpt's URL is served by a
 * local HTTP server (allowed with CASEBOOK_SOURCE_ALLOW), research fetches and stores it, and each
 * figure of the excerpt is marked verified, mismatch or unverified; QA then blocks a mismatch, warns
 * about unverified figures and reports two sources that disagree on one metric.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { analyzeCase } from '../activities/analysis';
import { composeDraft } from '../activities/composing';
import { checkDraft } from '../activities/qa';
import { collectSources } from '../activities/sources';
import { getArtifact, getJson } from '../activities/store';
import { getSnapshotRecord } from '../src/store';
import type { Dossier, DossierSummary, DraftInfo, Lang, OutlineSummary, QaSummary, SourceRef } from '../src/domain/types';
import type { QaReport } from '../src/qa';
import { testBrief } from './helpers/fakes';

const TEMPLATE = path.join(__dirname, '..', 'plan', 'template.yaml');

const PAGES: Record<string, string> = {
  '/release': '<html><body><h1>Results</h1><p>Full-year 2023 revenue increased 8% to $29.8 billion.</p></body></html>',
  '/release-misquoted': '<html><body><h1>Results</h1><p>Full-year 2023 revenue increased 7% to $29.8 billion.</p></body></html>',
  '/analysis': '<html><body><p>For FY 23 it reached $29.8bn in revenue, an 8.6% increase on 2022.</p></body></html>',
};

const RELEASE_ITEM = '- Full-year 2023 revenue increased 8% to $29.8 billion.\n  zh: 2023 年全年营收增长 8%，达到 298 亿美元。\n';
const ANALYSIS_ITEM = '- Full-year 2023 revenue reached $29.8bn, an 8.6% increase on 2022.\n  zh: 2023 年全年营收达到 298 亿美元，比 2022 年增长 8.6%。\n';

let server: http.Server;
let base: string;
let tmp: string;
let planFile: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const page = PAGES[req.url ?? ''];
    if (page === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-source-checks-'));
  await fs.mkdir(path.join(tmp, 'plan', 'sources'), { recursive: true });
  planFile = path.join(tmp, 'plan', 'plan.yaml');
  await fs.writeFile(planFile, '# Stand-in plan file: only its folder is used.\nversion: test\n');
  await fs.writeFile(path.join(tmp, 'plan', 'sources', 'release.md'), `---\ntitle: Results release\n---\nOur restatement.\n\n${RELEASE_ITEM}`);
  await fs.writeFile(path.join(tmp, 'plan', 'sources', 'analysis.md'), `---\ntitle: Analysis\n---\nOur restatement.\n\n${ANALYSIS_ITEM}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  process.env = savedEnv;
});

let home: string;
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(tmp, 'home-'));
  process.env = {
    ...savedEnv,
    CASEBOOK_HOME: home,
    CASEBOOK_SOURCE_ALLOW: '127.0.0.1',
    CASEBOOK_FETCH_TIMEOUT_MS: '2000',
    CASEBOOK_FETCH_ATTEMPTS: '1',
  };
  delete process.env.CASEBOOK_SOURCE_HOSTS;
});

function excerpt(id: string, file: string, page: string, title: string): SourceRef {
  return { id, kind: 'excerpt', location: `file:sources/${file}`, url: `${base}${page}`, title, publisher: 'Example Corp', date: '2024-02-07', retrieved: '2026-11-25' };
}

const env = new MockActivityEnvironment();

async function research(sources: SourceRef[]): Promise<{ ref: string; dossier: Dossier }> {
  const summary: DossierSummary = await env.run(collectSources, { caseId: 'acme', planFile, sources, notes: [] });
  return { ref: summary.ref, dossier: await getJson<Dossier>(summary.ref) };
}

/** Analysis, writing and QA with the real activities: what the case workflow runs after research. */
async function writeAndCheck(sources: SourceRef[], dossierRef: string, language: Lang = 'zh'): Promise<{ draft: DraftInfo; markdown: string; qa: QaSummary; report: QaReport }> {
  const brief = testBrief({ sources });
  const outline: OutlineSummary = await env.run(analyzeCase, { caseId: 'acme', brief, dossierRef, feedback: [] });
  const draft: DraftInfo = await env.run(composeDraft, {
    caseId: 'acme',
    brief,
    planVersion: 'test',
    outlineRef: outline.ref,
    dossierRef,
    templateFile: TEMPLATE,
    language,
    feedback: [],
    author: 'erin',
  });
  const qa: QaSummary = await env.run(checkDraft, { caseId: 'acme', draftRef: draft.ref, dossierRef, templateFile: TEMPLATE, language, revision: draft.revision });
  return { draft, markdown: await getArtifact(draft.ref), qa, report: await getJson<QaReport>(qa.reportRef) };
}

describe('page checks of local excerpts', () => {
  test('a page that states the figures marks them verified, and stores the page with its SHA-256 and fetch time', async () => {
    const sources = [excerpt('S1', 'release.md', '/release', 'Results release')];
    const { ref, dossier } = await research(sources);
    const source = dossier.sources[0];
    expect(source).toMatchObject({ kind: 'excerpt', status: 'ok', page: { url: `${base}/release` } });
    // The local file is an excerpt, never called a snapshot.
    expect(source.snapshot).toBeUndefined();
    expect(source.excerpt).toMatch(/^[0-9a-f]{64}$/);
    expect(source.page?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(source.page?.fetchedAt ?? ''))).toBe(false);
    expect(readFileSync(path.join(home, 'snapshots', source.page!.sha256), 'utf8')).toBe(PAGES['/release']);
    // The fetch record is kept in the store beside the snapshot (local directory or PostgreSQL).
    const record = await getSnapshotRecord(source.page!.sha256);
    expect(record).toMatchObject({ url: `${base}/release`, fetchedAt: source.page!.fetchedAt });

    expect(dossier.facts.map((f) => [f.raw, f.status])).toEqual([
      ['8', 'verified'],
      ['29.8 billion', 'verified'],
    ]);
    // The Chinese restatement travels with the fact; the English sentence stays for reviewers.
    expect(dossier.facts[0].restatement).toEqual({ en: 'Full-year 2023 revenue increased 8% to $29.8 billion.', zh: '2023 年全年营收增长 8%，达到 298 亿美元。' });

    // Fetching the same bytes again keeps the first fetch time, so research stays idempotent.
    expect((await research(sources)).ref).toBe(ref);

    const { draft, markdown, qa, report } = await writeAndCheck(sources, ref);
    expect(markdown).toContain('| 来源转述（非原文） | 数值 | 依据 |');
    expect(markdown).toContain('| 2023 年全年营收增长 **8%**，达到 **298 亿**美元。 | 8%；298 亿美元 | [^S1] |');
    expect(markdown).toContain(`[^S1]: Results release, Example Corp, 2024-02-07, 检索于 2026-11-25, ${base}/release`);
    const cited = draft.figures.filter((f) => f.basis === 'S1');
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.every((f) => f.status === 'verified')).toBe(true);
    // Reviewers get the excerpt's own (English) statement beside the Chinese row.
    expect(cited.some((f) => f.original?.includes('Full-year 2023 revenue increased 8% to $29.8 billion.'))).toBe(true);
    expect(report.findings.filter((f) => f.rule.startsWith('sources/'))).toEqual([]);
    // The composer leaves gaps for a writer (issue 16), which block publishing by design; nothing else does.
    expect(report.findings.filter((f) => f.severity === 'error' && !/waits for a writer/.test(f.message))).toEqual([]);
    expect(qa.errors).toBe(report.findings.filter((f) => f.severity === 'error').length);
  });

  test('a page whose figure differs from the excerpt marks it mismatch, and QA blocks publishing', async () => {
    const sources = [excerpt('S1', 'release.md', '/release-misquoted', 'Results release')];
    const { ref, dossier } = await research(sources);
    const [growth, revenue] = dossier.facts;
    expect(growth).toMatchObject({ raw: '8', unit: '%', status: 'mismatch' });
    expect(growth.check).toContain(`${base}/release-misquoted`);
    expect(revenue).toMatchObject({ raw: '29.8 billion', status: 'verified' });

    const { draft, qa, report } = await writeAndCheck(sources, ref);
    expect(draft.figures.some((f) => f.basis === 'S1' && f.status === 'mismatch')).toBe(true);
    const mismatch = report.findings.find((f) => f.rule === 'sources/mismatch');
    expect(mismatch).toMatchObject({ severity: 'error', message: expect.stringContaining('8%') });
    expect(mismatch?.fix).toContain('sources/release.md');
    // An error in the QA summary is what keeps the workflow from publishing.
    expect(qa.errors).toBeGreaterThan(0);
  });

  test('a page that cannot be read leaves the figures unverified: a warning for reviewers, not an error', async () => {
    const sources = [excerpt('S1', 'release.md', '/gone', 'Results release')];
    const { ref, dossier } = await research(sources);
    expect(dossier.sources[0]).toMatchObject({ status: 'ok', kind: 'excerpt', pageError: expect.stringContaining('HTTP 404') });
    expect(dossier.sources[0].page).toBeUndefined();
    expect(dossier.facts.map((f) => f.status)).toEqual(['unverified', 'unverified']);

    const { draft, report } = await writeAndCheck(sources, ref, 'en');
    expect(draft.figures.filter((f) => f.basis === 'S1').every((f) => f.status === 'unverified')).toBe(true);
    const warnings = report.findings.filter((f) => f.rule === 'sources/unverified');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((f) => f.severity === 'warning')).toBe(true);
    expect(report.findings.filter((f) => f.rule === 'sources/mismatch')).toEqual([]);
  });

  test('two sources that give one metric different values are a finding naming both', async () => {
    const sources = [excerpt('S1', 'release.md', '/release', 'Results release'), excerpt('S2', 'analysis.md', '/analysis', 'Analysis')];
    const { ref, dossier } = await research(sources);
    expect(dossier.facts.every((f) => f.status === 'verified')).toBe(true);
    const { report } = await writeAndCheck(sources, ref);
    const conflicts = report.findings.filter((f) => f.rule === 'sources/conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].message).toMatch(/\[\^S1\] \(Results release, Example Corp\) gives 8%/);
    expect(conflicts[0].message).toMatch(/\[\^S2\] \(Analysis, Example Corp\) gives 8\.6%/);
    expect(conflicts[0].severity).toBe('warning');
  });

  test('sources that agree after rounding are not a conflict', async () => {
    await fs.writeFile(path.join(tmp, 'plan', 'sources', 'rounded.md'), '- Full-year 2023 revenue rose 8.2% to $29.8bn.\n  zh: 2023 年全年营收增长 8.2%，达到 298 亿美元。\n');
    const sources = [excerpt('S1', 'release.md', '/release', 'Results release'), excerpt('S2', 'rounded.md', '/analysis', 'Analysis')];
    const { ref } = await research(sources);
    const { report } = await writeAndCheck(sources, ref);
    expect(report.findings.filter((f) => f.rule === 'sources/conflict')).toEqual([]);
    expect(existsSync(path.join(home, 'snapshots'))).toBe(true);
  });
});
