/**
 * Similarity gate: a case shares at most {@link MAX_SHARED_PROSE} of its prose, and no code block,
 * with any other case of the library. What the shared appendix says is exempt.
 *
 * How it is measured: the reader-facing prose of each paragraph, table cell and heading is
 * normalised (company names removed, whitespace, punctuation and Markdown marks dropped, lower
 * case) and cut into overlapping {@link SHINGLE}-character shingles. A character of the case is
 * shared when a shingle covering it also occurs in the other case (and not in the appendix). The
 * shared share is shared characters / all characters, so it reads as "N % of this case's prose is
 * word for word in that case". Code blocks are compared whole, after trimming each line and
 * dropping blank lines.
 */
import type { Finding } from '../../domain/types';
import { parseMarkdown, type ParsedDoc } from '../markdown';
import type { GateContext } from './context';
import { codeBlocks, proseBlocks } from './text';

/** Largest share of a case's prose that may also be in another case. */
export const MAX_SHARED_PROSE = 0.4;
/** Shingle length in characters (after normalisation; a CJK character counts as one). */
export const SHINGLE = 8;

const RULE = 'gates/similarity';

function normalise(text: string, names: string[]): string {
  let t = text;
  for (const name of names) if (name) t = t.split(name).join('');
  return t
    .toLowerCase()
    .replace(/\[\^[^\]]+\]/g, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

function shinglesOf(units: string[]): Set<string> {
  const out = new Set<string>();
  for (const u of units) for (let i = 0; i + SHINGLE <= u.length; i++) out.add(u.slice(i, i + SHINGLE));
  return out;
}

function proseUnits(doc: ParsedDoc, names: string[]): string[] {
  return proseBlocks(doc)
    .map((b) => normalise(b.text, names))
    // Shorter than a shingle: a template heading or a table label, not prose anyone wrote.
    .filter((u) => u.length >= SHINGLE);
}

/** Share of `units`' characters covered by a shingle that is in `other` and not in `exempt`. */
export function sharedShare(units: string[], other: Set<string>, exempt: Set<string>): number {
  let total = 0;
  let shared = 0;
  for (const u of units) {
    const covered = new Uint8Array(u.length);
    for (let i = 0; i + SHINGLE <= u.length; i++) {
      const s = u.slice(i, i + SHINGLE);
      if (other.has(s) && !exempt.has(s)) covered.fill(1, i, i + SHINGLE);
    }
    total += u.length;
    shared += covered.reduce((a, b) => a + b, 0);
  }
  return total === 0 ? 0 : shared / total;
}

function normaliseCode(code: string): string {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}

function companyOf(doc: ParsedDoc): string | undefined {
  const c = doc.frontmatter?.company;
  return typeof c === 'string' ? c : undefined;
}

/** Prose and code this case shares with each other case of the library. */
export function checkSimilarity(doc: ParsedDoc, ctx: GateContext): Finding[] {
  const out: Finding[] = [];
  const others = ctx.library.map((c) => ({ ...c, doc: parseMarkdown(c.markdown) }));
  const names = [companyOf(doc), ctx.brief?.company, ...others.map((o) => companyOf(o.doc))].filter((n): n is string => !!n);
  const appendixDoc = ctx.appendix ? parseMarkdown(ctx.appendix.markdown) : undefined;
  const exempt = appendixDoc ? shinglesOf(proseUnits(appendixDoc, names)) : new Set<string>();
  const exemptCode = new Set([
    ...(appendixDoc ? codeBlocks(appendixDoc).map((b) => normaliseCode(b.code)) : []),
    ...(ctx.appendix?.code ?? []).map(normaliseCode),
  ]);
  const units = proseUnits(doc, names);
  const mine = codeBlocks(doc);
  for (const other of others) {
    const share = sharedShare(units, shinglesOf(proseUnits(other.doc, names)), exempt);
    if (share > MAX_SHARED_PROSE) {
      out.push({
        rule: RULE,
        severity: 'error',
        line: 1,
        message: `${Math.round(share * 100)}% of this case's prose is word for word in ${other.file} (at most ${Math.round(MAX_SHARED_PROSE * 100)}% allowed)`,
        fix: `write this case in its own terms; move text every case needs into the shared appendix (docs/${ctx.appendix?.file ?? 'patterns.md'}) and link it once`,
      });
    }
    const theirs = new Set(codeBlocks(other.doc).map((b) => normaliseCode(b.code)));
    for (const block of mine) {
      const norm = normaliseCode(block.code);
      if (norm && theirs.has(norm) && !exemptCode.has(norm)) {
        out.push({
          rule: RULE,
          severity: 'error',
          line: block.line,
          message: `this ${block.lang || 'code'} block is also in ${other.file}`,
          fix: 'write the code in this case\'s own domain, or link the shared appendix instead of copying a sample',
        });
      }
    }
  }
  return out;
}
