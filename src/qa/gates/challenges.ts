/**
 * Challenges answered: every challenge listed in 1.3 is answered in a challenge → decision → code
 * table (a row naming the challenge, the decision, and an identifier of the case's own code in
 * backticks), or its row marks it as outside Temporal's scope.
 *
 * A row names a challenge by its number (`挑战 2`, `C2`, `#2`) or by its text (at least half of the
 * challenge's character bigrams, so a shortened restatement matches).
 */
import type { List, Nodes, Table } from 'mdast';
import { CHALLENGE_TABLE, OUT_OF_SCOPE } from '../../domain/drafting';
import type { Finding } from '../../domain/types';
import { cellsOf, lineOf, type ParsedDoc, tablesOf, textOf } from '../markdown';
import { codeBlocks, identifiersOf, isTs } from './text';

const RULE = 'gates/challenges';
const OUT_OF_SCOPE_RE = /不在\s*Temporal\s*(?:的)?(?:职责|范围)|超出\s*Temporal\s*(?:的)?(?:职责|范围)|Temporal\s*(?:范围)?之外|outside (?:of )?Temporal'?s? scope|out of Temporal'?s? scope/i;

/** The challenges listed under the `### 1.3` heading (list items), with their lines. */
export function challengesOf(doc: ParsedDoc): { text: string; line: number }[] {
  const nodes = doc.tree.children;
  const at = nodes.findIndex((n) => n.type === 'heading' && n.depth === 3 && /^1\.3(?:\s|$)/.test(textOf(n).trim()));
  if (at < 0) return [];
  const out: { text: string; line: number }[] = [];
  for (const node of nodes.slice(at + 1)) {
    if (node.type === 'heading') break;
    if (node.type === 'list') for (const item of (node as List).children) out.push({ text: textOf(item).trim(), line: lineOf(item) });
  }
  return out;
}

function bigrams(text: string): Set<string> {
  const t = text.replace(/[\s\p{P}\p{S}]+/gu, '').toLowerCase();
  const out = new Set<string>();
  for (let i = 0; i + 2 <= t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

function covers(cell: string, challenge: string): number {
  const c = bigrams(challenge);
  if (c.size === 0) return 0;
  const r = bigrams(cell);
  let hit = 0;
  for (const b of c) if (r.has(b)) hit++;
  return hit / c.size;
}

interface Columns {
  table: Table;
  challenge: number;
  decision: number;
  code: number;
}

function challengeTables(doc: ParsedDoc): Columns[] {
  const out: Columns[] = [];
  const find = (head: string[], words: readonly string[]) => head.findIndex((h) => words.some((w) => h.toLowerCase().includes(w.toLowerCase())));
  for (const table of tablesOf(doc.tree)) {
    const head = cellsOf(table.children[0]);
    const challenge = find(head, [CHALLENGE_TABLE.zh[0], CHALLENGE_TABLE.en[0]]);
    const decision = find(head, [CHALLENGE_TABLE.zh[1], CHALLENGE_TABLE.en[1]]);
    const code = find(head, [CHALLENGE_TABLE.zh[2], CHALLENGE_TABLE.en[2]]);
    if (challenge >= 0 && decision >= 0 && code >= 0) out.push({ table, challenge, decision, code });
  }
  return out;
}

function walkInline(node: Nodes, spans: string[]): void {
  if (node.type === 'inlineCode') spans.push(node.value);
  else if ('children' in node) for (const c of node.children as Nodes[]) walkInline(c, spans);
}

function namesNumber(cell: string, n: number): boolean {
  return new RegExp(`(?:挑战\\s*|C|#|Challenge\\s*)${n}(?!\\d)`, 'i').test(cell);
}

/** Findings for challenges with no row, and rows with no decision or no code of the case's own. */
export function checkChallenges(doc: ParsedDoc): Finding[] {
  const challenges = challengesOf(doc);
  if (challenges.length === 0) return [];
  const tables = challengeTables(doc);
  const lang = (doc.frontmatter?.language === 'en' ? 'en' : 'zh') as 'zh' | 'en';
  const head = CHALLENGE_TABLE[lang].join(' | ');
  if (tables.length === 0) {
    return [
      {
        rule: RULE,
        severity: 'error',
        line: challenges[0].line,
        message: `the ${challenges.length} challenges of 1.3 are not answered: there is no challenge → decision → code table`,
        fix: `add a table with the columns "| ${head} |" (in 2.2): one row per challenge, naming the decision and the workflow or activity (in backticks) that carries it, or "${OUT_OF_SCOPE[lang]}"`,
      },
    ];
  }
  const identifiers = new Set(codeBlocks(doc).filter(isTs).flatMap((b) => identifiersOf(b.code)));
  const rows = tables.flatMap((t) => t.table.children.slice(1).map((row) => ({ row, cells: cellsOf(row), line: lineOf(row), cols: t })));
  const out: Finding[] = [];
  challenges.forEach((ch, i) => {
    const row = rows.find((r) => namesNumber(r.cells[r.cols.challenge] ?? '', i + 1) || covers(r.cells[r.cols.challenge] ?? '', ch.text) >= 0.5);
    const short = ch.text.length > 40 ? `${ch.text.slice(0, 40)}…` : ch.text;
    if (!row) {
      out.push({ rule: RULE, severity: 'error', line: ch.line, message: `challenge ${i + 1} ("${short}") has no row in the challenge → decision → code table`, fix: `add a row for it, or mark it "${OUT_OF_SCOPE[lang]}"` });
      return;
    }
    const decision = row.cells[row.cols.decision] ?? '';
    const code = row.cells[row.cols.code] ?? '';
    if (OUT_OF_SCOPE_RE.test(decision) || OUT_OF_SCOPE_RE.test(code)) return;
    if (!decision.trim()) {
      out.push({ rule: RULE, severity: 'error', line: row.line, message: `the row for challenge ${i + 1} names no decision`, fix: 'say what the design decides for it' });
    }
    const spans: string[] = [];
    const cell = row.row.children[row.cols.code];
    if (cell) walkInline(cell, spans);
    const named = spans.flatMap((span) => span.match(/[A-Za-z_$][\w$]*/g) ?? []);
    if (!named.some((id) => identifiers.has(id))) {
      out.push({
        rule: RULE,
        severity: 'error',
        line: row.line,
        message: `the row for challenge ${i + 1} points at no code of this case${named.length ? ` (${named.map((n) => `\`${n}\``).join(', ')} is in none of its ts blocks)` : ''}`,
        fix: `name, in backticks, the workflow, activity or option of this case's code that carries the decision, or mark the challenge "${OUT_OF_SCOPE[lang]}"`,
      });
    }
  });
  return out;
}
