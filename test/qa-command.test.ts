/**
 * `casebook qa` and the checkDraft activity: the same engine behind a command (exit code, text and
 * JSON output, usage errors) and behind the pipeline (stored report, bounded summary).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { checkDraft, MAX_SUMMARY_FINDINGS } from '../activities/qa';
import { getJson, putArtifact, putJson } from '../activities/store';
import { qaCommand } from '../src/cli/commands/qa';
import { UsageError } from '../src/cli/errors';
import type { Dossier, QaSummary } from '../src/domain/types';
import type { QaReport } from '../src/qa';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'qa');
const TEMPLATE = path.join(ROOT, 'plan', 'template.yaml');
const fixture = (name: string): string => path.join(FIXTURES, name);

let home: string;
let logs: string[];
let logSpy: jest.SpyInstance;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-qa-'));
  process.env.CASEBOOK_HOME = home;
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
beforeEach(() => {
  logs = [];
  logSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
  process.exitCode = undefined;
});
afterEach(() => {
  logSpy.mockRestore();
  process.exitCode = undefined;
});

const runCli = (...args: string[]): Promise<unknown> => qaCommand().exitOverride().parseAsync(args, { from: 'user' });

describe('casebook qa', () => {
  test('a file with an error: file:line rule message and fix, exit code 1', async () => {
    await runCli(fixture('seed-table.md'));
    const out = logs.join('\n');
    const line = fs.readFileSync(fixture('seed-table.md'), 'utf8').split('\n').findIndex((l) => l.includes('**5个**')) + 1;
    expect(out).toContain(`${path.normalize(fixture('seed-table.md'))}:${line} error data/table-total the 总计 row says 5个`);
    expect(out).toMatch(/\n {4}fix: write 6 in the 总计 row/);
    expect(process.exitCode).toBe(1);
  });

  test('clean files: no errors, exit code untouched; --json prints one report per file', async () => {
    await runCli(fixture('case-ok.md'), fixture('seed-table-fixed.md'), '--json', '--template', TEMPLATE);
    const reports = JSON.parse(logs.join('\n')) as QaReport[];
    expect(reports.map((r) => [path.basename(r.file ?? ''), r.errors])).toEqual([
      ['case-ok.md', 0],
      ['seed-table-fixed.md', 0],
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  test('a missing file is a usage error', async () => {
    await expect(runCli(fixture('nope.md'))).rejects.toBeInstanceOf(UsageError);
    await expect(runCli(fixture('nope.md'))).rejects.toThrow(/no such file/);
  });

  test('a directory: every .md inside, nested too, and one summary line at the end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-qa-dir-'));
    try {
      fs.mkdirSync(path.join(dir, 'nested'));
      fs.copyFileSync(fixture('seed-table.md'), path.join(dir, 'nested', 'seed-table.md'));
      fs.copyFileSync(fixture('seed-table-fixed.md'), path.join(dir, 'fixed.md'));
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not Markdown');
      await runCli(dir);
      const out = logs.join('\n').trimEnd().split('\n');
      expect(out.filter((l) => / error\(s\), \d+ warning\(s\)$/.test(l) && l.includes('.md:')).map((l) => path.basename(l.split(':')[0]))).toEqual(['fixed.md', 'seed-table.md']);
      expect(out[out.length - 1]).toMatch(/^2 file\(s\) checked: 1 error\(s\), \d+ warning\(s\); 1 file\(s\) with errors$/);
      expect(process.exitCode).toBe(1);
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-qa-empty-'));
      await expect(runCli(empty)).rejects.toThrow(/holds no Markdown/);
      fs.rmSync(empty, { recursive: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--case and --no-case override what the document looks like', async () => {
    const notes = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-qa-case-'));
    try {
      const file = path.join(notes, 'notes.md');
      fs.writeFileSync(file, '# Notes\n\nThe queue handled 300 requests per second.\n');
      await runCli(file, '--json');
      expect((JSON.parse(logs.join('\n')) as QaReport[])[0].errors).toBe(0);
      logs = [];
      await runCli(file, '--json', '--case');
      const asCase = (JSON.parse(logs.join('\n')) as QaReport[])[0];
      expect(asCase.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['data/uncited-figure', 'structure/sections']));
      logs = [];
      await runCli(fixture('case-bad-ts.md'), '--json', '--no-case');
      const plain = (JSON.parse(logs.join('\n')) as QaReport[])[0];
      expect(plain.findings.filter((f) => /^(structure|data\/uncited)/.test(f.rule))).toEqual([]);
      // Its code still imports @temporalio/*, so it is still type-checked.
      expect(plain.findings.map((f) => f.rule)).toContain('tech/typecheck');
    } finally {
      fs.rmSync(notes, { recursive: true, force: true });
    }
  });
});

describe('checkDraft', () => {
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const env = new MockActivityEnvironment(undefined, { logger: quiet });
  const run = (input: Parameters<typeof checkDraft>[0]): Promise<QaSummary> => env.run(checkDraft, input) as Promise<QaSummary>;

  test('stores the full report and returns its counts', async () => {
    const draftRef = await putArtifact(fs.readFileSync(fixture('case-bad-ts.md'), 'utf8'), 'md');
    const dossierRef = await putJson(JSON.parse(fs.readFileSync(fixture('dossier.json'), 'utf8')) as Dossier);
    const summary = await run({ caseId: 'northwind', draftRef, dossierRef, templateFile: TEMPLATE, language: 'zh', revision: 'abc123' });
    const report = await getJson<QaReport>(summary.reportRef);
    expect(summary).toMatchObject({ revision: 'abc123', errors: report.errors, warnings: report.warnings });
    expect(summary.errors).toBeGreaterThan(0);
    expect(summary.findings).toEqual(report.findings.filter((f) => f.severity === 'error').concat(report.findings.filter((f) => f.severity === 'warning')));
    expect(report.file).toBe('northwind@abc123');
  });

  test('keeps at most 30 findings in the summary, errors first', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `数据 ${i + 11} 项。`).join('\n\n');
    const draft = fs.readFileSync(fixture('case-ok.md'), 'utf8').replace('先测量，再优化。', `先测量，再优化。\n\n${rows}`);
    const draftRef = await putArtifact(draft, 'md');
    const dossierRef = await putJson(JSON.parse(fs.readFileSync(fixture('dossier.json'), 'utf8')) as Dossier);
    const summary = await run({ caseId: 'northwind', draftRef, dossierRef, templateFile: TEMPLATE, language: 'zh', revision: 'def456' });
    expect(summary.errors).toBeGreaterThanOrEqual(40);
    expect(summary.findings).toHaveLength(MAX_SUMMARY_FINDINGS);
    expect(summary.findings.every((f) => f.severity === 'error')).toBe(true);
  });

  test('a draft missing from the store fails without retry', async () => {
    const dossierRef = await putJson({ caseId: 'x', sources: [], facts: [], notes: [] });
    await expect(
      run({ caseId: 'x', draftRef: `${'0'.repeat(64)}.md`, dossierRef, templateFile: TEMPLATE, language: 'zh', revision: 'r' }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'ArtifactMissing' });
  });
});
