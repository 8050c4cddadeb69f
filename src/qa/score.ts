/**
 * Scores the QA engine on a corpus of case documents written by hand: clean documents (no sidecar)
 * and documents with planted defects, each with a sidecar `<name>.expected.json` listing the
 * findings QA must report as errors (rule and line; line null when the defect has no line, such as
 * a missing section) and the labelled figures it must let pass.
 *
 * Recall = planted defects found as errors at their rule and line / planted defects.
 * False errors = errors on clean documents, plus errors on the must-pass lines of defective ones.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Finding, Template } from '../domain/types';
import { runQa } from './index';

interface Expected {
  source?: string;
  defects: { kind: string; rule: string; line: number | null }[];
  mustPass?: { kind: string; line: number }[];
}

/** The score of one document. */
export interface DocumentScore {
  file: string;
  clean: boolean;
  planted: number;
  found: number;
  /** Planted defects QA did not report. */
  missed: Expected['defects'];
  /** Every planted defect, and whether QA reported it. */
  results: (Expected['defects'][number] & { found: boolean })[];
  /** Errors on a clean document or on a must-pass line. */
  falseErrors: Finding[];
  /** Errors on a defective document that are not planted (reported, not scored). */
  otherErrors: Finding[];
  ms: number;
}

/** The score of a corpus. */
export interface CorpusScore {
  documents: DocumentScore[];
  clean: number;
  defective: number;
  planted: number;
  found: number;
  recall: number;
  falseErrors: number;
}

const matches = (f: Finding, d: Expected['defects'][number]): boolean => f.severity === 'error' && f.rule === d.rule && (d.line === null || f.line === d.line);

/** Runs QA on every Markdown document of `dir` and scores it against the sidecars. */
export async function scoreCorpus(dir: string, options: { template?: Template } = {}): Promise<CorpusScore> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const documents: DocumentScore[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    const sidecar = path.join(dir, file.replace(/\.md$/, '.expected.json'));
    const expected = await fs
      .readFile(sidecar, 'utf8')
      .then((s) => JSON.parse(s) as Expected)
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw new Error(`${sidecar}: ${err.message}`, { cause: err });
      });
    const t0 = performance.now();
    const report = await runQa(text, { file, ...(options.template ? { template: options.template } : {}) });
    const ms = performance.now() - t0;
    const errors = report.findings.filter((f) => f.severity === 'error');
    const defects = expected?.defects ?? [];
    const missed = defects.filter((d) => !errors.some((f) => matches(f, d)));
    const mustPass = new Set((expected?.mustPass ?? []).map((m) => m.line));
    const falseErrors = expected ? errors.filter((f) => f.line !== undefined && mustPass.has(f.line)) : errors;
    const otherErrors = expected ? errors.filter((f) => !defects.some((d) => matches(f, d)) && !falseErrors.includes(f)) : [];
    const results = defects.map((d) => ({ ...d, found: !missed.includes(d) }));
    documents.push({ file, clean: !expected, planted: defects.length, found: defects.length - missed.length, missed, results, falseErrors, otherErrors, ms });
  }
  const planted = documents.reduce((n, d) => n + d.planted, 0);
  const found = documents.reduce((n, d) => n + d.found, 0);
  return {
    documents,
    clean: documents.filter((d) => d.clean).length,
    defective: documents.filter((d) => !d.clean).length,
    planted,
    found,
    recall: planted === 0 ? 1 : found / planted,
    falseErrors: documents.reduce((n, d) => n + d.falseErrors.length, 0),
  };
}
