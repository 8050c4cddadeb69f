/**
 * Citations: every source the text names is cited where it is named; footnote labels have no gaps
 * (S1, S2, S3 — not S1, S3); each figure in a metrics table sits in the right category (a latency
 * row states a time, a throughput row a rate).
 */
import type { Heading } from 'mdast';
import type { Finding } from '../../domain/types';
import { cellsOf, footnoteDefinitionsOf, lineOf, type ParsedDoc, textOf } from '../markdown';
import type { GateContext } from './context';
import { proseBlocks } from './text';

const RULE = 'gates/citations';

const TIME_UNIT = /\d[\d,.]*\s*(?:毫秒|微秒|秒|分钟|小时|天|周|ms|s|sec|seconds?|minutes?|mins?|hours?|h|days?|weeks?)(?![A-Za-z])/i;
// Units end at a non-letter, not at \b: a CJK unit such as "个/秒" has no word boundary after it.
const RATE_UNIT = /每秒|每分钟|每小时|每天|每日|每个?\S{0,6}(?:每|\/)|\/\s*(?:s|秒|min|分钟|h|小时|day|天)(?![A-Za-z])|per (?:second|minute|hour|day)|\b(?:APS|RPS|QPS|TPS)\b|并行|并发|parallel|concurren|吞吐/i;

/** Sources named in prose without a citation of that source in the same paragraph. */
function namedButUncited(doc: ParsedDoc, ctx: GateContext): Finding[] {
  const brief = ctx.brief;
  if (!brief) return [];
  const out: Finding[] = [];
  const defined = new Set(footnoteDefinitionsOf(doc.tree).map((d) => d.label ?? d.identifier));
  for (const block of proseBlocks(doc)) {
    for (const src of brief.sources) {
      const names = [src.title, src.publisher].filter((n): n is string => typeof n === 'string' && n.trim().length >= 6 && n !== brief.company);
      const named = names.find((n) => block.text.includes(n));
      if (!named || block.text.includes(`[^${src.id}]`)) continue;
      out.push({
        rule: RULE,
        severity: 'error',
        line: block.line,
        message: `"${named}" is named but not cited here`,
        fix: defined.has(src.id) ? `add [^${src.id}] after the statement that rests on it` : `cite it as [^${src.id}] and define the footnote in the sources section`,
      });
    }
  }
  return out;
}

/** Footnote labels of the form <prefix><n> must run 1..max for each prefix. */
function gaps(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  const byPrefix = new Map<string, { n: number; line: number }[]>();
  for (const def of footnoteDefinitionsOf(doc.tree)) {
    const m = /^([A-Za-z]*)(\d+)$/.exec(def.label ?? def.identifier);
    if (!m) continue;
    const list = byPrefix.get(m[1]) ?? [];
    list.push({ n: Number(m[2]), line: lineOf(def) });
    byPrefix.set(m[1], list);
  }
  for (const [prefix, list] of byPrefix) {
    const have = new Set(list.map((x) => x.n));
    const max = Math.max(...have);
    for (let n = 1; n < max; n++) {
      if (have.has(n)) continue;
      const after = list.filter((x) => x.n > n).sort((a, b) => a.n - b.n)[0];
      out.push({
        rule: RULE,
        severity: 'error',
        line: after.line,
        message: `the footnotes skip [^${prefix}${n}] before [^${prefix}${after.n}]`,
        fix: prefix ? `cite ${prefix}${n} where it supports a statement, or drop it from the case's sources (the plan) so the labels run without a gap` : 'renumber the footnotes without gaps',
      });
    }
  }
  return out;
}

/** Rows of the `### 3.x` metrics tables whose figure does not fit the category. */
function categories(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  let bucket: 'throughput' | 'latency' | undefined;
  for (const node of doc.tree.children) {
    if (node.type === 'heading') {
      const h = node as Heading;
      const title = textOf(h).trim();
      if (h.depth <= 2) bucket = undefined;
      if (h.depth === 3) bucket = /^3\.1\s/.test(title) ? 'throughput' : /^3\.2\s/.test(title) ? 'latency' : undefined;
      continue;
    }
    if (node.type !== 'table' || !bucket) continue;
    for (const row of node.children.slice(1)) {
      const text = cellsOf(row).join(' ');
      if (!/\d/.test(text)) continue;
      const ok = bucket === 'latency' ? TIME_UNIT.test(text) : RATE_UNIT.test(text) || TIME_UNIT.test(text);
      if (!ok) {
        out.push({
          rule: RULE,
          severity: 'error',
          line: lineOf(row),
          message: `this row sits under ${bucket} but states no ${bucket === 'latency' ? 'time' : 'rate'}: "${text.slice(0, 80)}"`,
          fix: `move it to the metric it measures (a count of users or sales is scale, not ${bucket}), or give its unit`,
        });
      }
    }
  }
  return out;
}

export function checkCitationGate(doc: ParsedDoc, ctx: GateContext): Finding[] {
  return [...namedButUncited(doc, ctx), ...gaps(doc), ...categories(doc)];
}
