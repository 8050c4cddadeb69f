/**
 * Data accuracy: cited or labelled figures, citations that resolve, consistent metrics, and no
 * placeholder text.
 */
import type { FootnoteDefinition, Nodes, RootContent, Table, TableRow } from 'mdast';
import { scanNumbers } from '../domain/facts';
import type { Dossier, Finding, Lang } from '../domain/types';
import {
  cellsOf,
  footnoteDefinitionsOf,
  isSourcesTitle,
  lineOf,
  type ParsedDoc,
  proseOf,
  sectionAt,
  sectionsOf,
  tablesOf,
  textOf,
  walk,
} from './markdown';

const LABEL = /（\s*(?:设计目标|估算)\s*）|\(\s*(?:design target|estimate)\s*\)/i;
const LABEL_CELL = /^[（(]?\s*(?:设计目标|估算|design target|estimate)\s*[）)]?$/i;
const FOOTNOTE_REF = /\[\^[^\]\s]+\]/;
const SENTENCE_END = /[。！？；!?;\n]|\.(?=\s|$)/g;

/** Top-level nodes of the document body: everything before the sources section, frontmatter excluded. */
function bodyNodes(doc: ParsedDoc): RootContent[] {
  const out: RootContent[] = [];
  for (const node of doc.tree.children) {
    if (node.type === 'heading' && node.depth === 2 && isSourcesTitle(textOf(node))) break;
    if (node.type !== 'yaml') out.push(node);
  }
  return out;
}

/** Applies `visit` to every node under `roots`, skipping code, headings and footnote definitions. */
function visitProse(roots: RootContent[], visit: (node: Nodes, parent: Nodes | undefined) => boolean | void): void {
  const go = (node: Nodes, parent: Nodes | undefined): void => {
    if (node.type === 'code' || node.type === 'heading' || node.type === 'footnoteDefinition' || node.type === 'html') return;
    if (visit(node, parent) === false) return;
    if ('children' in node) for (const c of node.children as Nodes[]) go(c, node);
  };
  for (const r of roots) go(r, undefined);
}

/**
 * Every figure in the body of a case must carry a footnote reference or a design-target/estimate
 * label after it in the same sentence; in a table, somewhere in the same row.
 */
export function checkFigures(doc: ParsedDoc, lang: Lang): Finding[] {
  const out: Finding[] = [];
  const labelHint = lang === 'zh' ? '（设计目标）或（估算）' : '(design target) or (estimate)';
  const report = (raw: string, line: number, where: string): void => {
    const section = sectionAt(doc, line);
    const inMetrics = section ? /^3[.\s]/.test(section) : false;
    out.push({
      rule: 'data/uncited-figure',
      severity: 'error',
      line,
      ...(section ? { section } : {}),
      message: `the figure "${raw}" ${where} has no citation and no label${inMetrics ? ' (metrics section)' : ''}`,
      fix: `add a footnote reference to a dossier source right after it (e.g. [^S1]) or label it ${labelHint}`,
    });
  };
  visitProse(bodyNodes(doc), (node) => {
    if (node.type === 'table') {
      (node as Table).children.slice(1).forEach((row) => checkRow(row, report));
      return false;
    }
    if (node.type !== 'paragraph') return;
    const run = proseOf(node);
    for (const n of scanNumbers(run.text)) {
      if (n.kind !== 'quantity') continue;
      SENTENCE_END.lastIndex = n.end;
      const stop = SENTENCE_END.exec(run.text);
      const rest = run.text.slice(n.end, stop ? stop.index + 1 : run.text.length);
      // A footnote reference may follow the sentence's closing punctuation: `…亿美元。[^S1]`.
      const after = stop ? run.text.slice(stop.index + 1).match(/^\s*\[\^[^\]\s]+\]/) : null;
      if (!FOOTNOTE_REF.test(rest) && !LABEL.test(rest) && !after) report(n.raw, run.lineAt(n.index), 'in this sentence');
    }
    return false;
  });
  return out;
}

function checkRow(row: TableRow, report: (raw: string, line: number, where: string) => void): void {
  const cells = cellsOf(row);
  const cited = cells.some((c) => FOOTNOTE_REF.test(c) || LABEL.test(c) || LABEL_CELL.test(c.replace(/\*/g, '')));
  if (cited) return;
  for (const cell of cells) {
    for (const n of scanNumbers(cell)) if (n.kind === 'quantity') report(n.raw, lineOf(row), 'in this table row');
  }
}

const METRIC_HEADER = { zh: ['指标', '数值', '依据'], en: ['metric', 'value', 'basis'] };

/** Section 3: each sub-item holds a `| 指标 | 数值 | 依据 |` table (en: Metric, Value, Basis). */
export function checkMetricsTables(doc: ParsedDoc, lang: Lang): Finding[] {
  const out: Finding[] = [];
  const section = sectionsOf(doc.tree).find((s) => /^3[.\s]/.test(s.title));
  if (!section) return out;
  const expected = METRIC_HEADER[lang];
  const groups: { title: string; line: number; nodes: RootContent[] }[] = [];
  for (const node of section.nodes) {
    if (node.type === 'heading' && node.depth === 3) groups.push({ title: textOf(node).trim(), line: lineOf(node), nodes: [] });
    else groups[groups.length - 1]?.nodes.push(node);
  }
  for (const g of groups) {
    const tables: Table[] = [];
    for (const n of g.nodes) walk({ type: 'root', children: [n] }, (x) => x.type === 'table' && tables.push(x));
    const ok = tables.some((t) => {
      const header = cellsOf(t.children[0]).map((c) => c.replace(/\*/g, '').trim().toLowerCase());
      return expected.every((h, i) => header[i] === h);
    });
    let figures = 0;
    visitProse(g.nodes, (n) => {
      if (n.type === 'table') return false;
      if (n.type === 'paragraph') figures += scanNumbers(proseOf(n).text).filter((x) => x.kind === 'quantity').length;
    });
    // A sub-item without any figure needs no table; one with figures keeps them in a metrics table.
    if (!ok && (tables.length > 0 || figures > 0)) {
      out.push({
        rule: 'structure/metrics-table',
        severity: 'error',
        line: g.line,
        section: section.title,
        message: `"${g.title}" states figures but has no metrics table with the columns ${expected.join(' | ')}`,
        fix: `put its figures in a table \`| ${lang === 'zh' ? '指标 | 数值 | 依据' : 'Metric | Value | Basis'} |\`, the basis being a footnote reference or a label`,
      });
    }
  }
  return out;
}

/** Normalises a footnote label for lookups. */
const key = (label: string): string => label.trim().toLowerCase();

/** Parses the URL of a footnote definition (the last http(s) URL in it). */
function urlOf(def: FootnoteDefinition): string | undefined {
  const urls = textOf(def).match(/https?:\/\/[^\s,，)）>]+/g);
  return urls?.[urls.length - 1]?.replace(/[.。]$/, '');
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/**
 * Footnote references resolve to definitions; for cases, definitions live in the sources section, are
 * used, and (with a dossier) name a source of the research dossier with the same URL.
 */
export function checkCitations(doc: ParsedDoc, options: { isCase: boolean; dossier?: Dossier }): Finding[] {
  const out: Finding[] = [];
  const defs = footnoteDefinitionsOf(doc.tree);
  const used = new Set<string>();
  walk(doc.tree, (n) => {
    if (n.type === 'footnoteReference') used.add(key(n.identifier));
  });
  // The parser keeps a reference to a missing definition as literal text.
  visitProse(doc.tree.children, (n) => {
    if (n.type !== 'text') return;
    for (const m of n.value.matchAll(/\[\^([^\]\s]+)\](?!:)/g)) {
      const line = lineOf(n) + (n.value.slice(0, m.index).match(/\n/g)?.length ?? 0);
      out.push({
        rule: 'data/citation',
        severity: 'error',
        line,
        section: sectionAt(doc, line),
        message: `the footnote reference [^${m[1]}] has no definition`,
        fix: `add \`[^${m[1]}]: <title>, <publisher>, <date>, <url>\` to the sources section, or cite an existing source`,
      });
    }
  });
  if (!options.isCase) return out;
  const sources = sectionsOf(doc.tree).find((s) => isSourcesTitle(s.title));
  const sourcesFrom = sources?.line ?? Number.POSITIVE_INFINITY;
  for (const def of defs) {
    const line = lineOf(def);
    const label = def.label ?? def.identifier;
    if (line < sourcesFrom) {
      out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `the footnote [^${label}] is defined outside the sources section`, fix: 'move the definition to the sources section' });
    }
    if (!used.has(key(def.identifier))) {
      out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `the source [^${label}] is never cited`, fix: 'cite it where it supports a statement, or remove it' });
    }
    if (!options.dossier) continue;
    const src = options.dossier.sources.find((s) => key(s.id) === key(label));
    if (!src) {
      out.push({
        rule: 'data/citation',
        severity: 'error',
        line,
        section: sectionAt(doc, line),
        message: `[^${label}] is not a source of the research dossier (${options.dossier.sources.map((s) => s.id).join(', ') || 'no sources'})`,
        fix: 'cite only collected sources; add the source to the brief and run research again if it is needed',
      });
      continue;
    }
    const url = urlOf(def);
    const expectedUrl = src.url ?? (/^https?:/.test(src.location) ? src.location : undefined);
    if (url && expectedUrl && !sameUrl(url, expectedUrl)) {
      out.push({ rule: 'data/citation', severity: 'error', line, section: sectionAt(doc, line), message: `[^${label}] gives ${url}, but dossier source ${src.id} is ${expectedUrl}`, fix: `use the dossier's URL: ${expectedUrl}` });
    }
    if (src.status !== 'ok') {
      out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `[^${label}] cites a source that research could not collect (${src.status}${src.error ? `: ${src.error}` : ''})`, fix: 'check the source by hand before approving, or replace it' });
    }
  }
  return out;
}

const PLACEHOLDER = /\b(?:TODO|TBD|FIXME|XXX+)\b|待补充|待完善|待填写|待定|占位符|lorem ipsum|\[(?:placeholder|insert[^\]]*)\]/gi;

/** Placeholder and TODO text left in prose, headings or tables (code blocks are not judged). */
export function checkPlaceholders(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  walk(doc.tree, (n) => {
    if (n.type !== 'text') return;
    for (const m of n.value.matchAll(PLACEHOLDER)) {
      const line = lineOf(n) + (n.value.slice(0, m.index).match(/\n/g)?.length ?? 0);
      out.push({
        rule: 'data/placeholder',
        severity: 'error',
        line,
        section: sectionAt(doc, line),
        message: `placeholder text "${m[0]}" is left in the document`,
        fix: 'write the missing content, or remove the placeholder',
      });
    }
  });
  return out;
}

const METRIC_COL = /^(?:指标|指标名称|度量|metric|metrics)$/i;
const BASIS_COL = /^(?:依据|来源|出处|basis|source|sources)$/i;

/** The same metric (same label and unit) stated with different values in two metric-table rows. */
export function checkMetricConsistency(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, { value: number; raw: string; line: number }>();
  for (const table of tablesOf(doc.tree)) {
    const header = cellsOf(table.children[0]).map((c) => c.replace(/\*/g, '').trim());
    if (!METRIC_COL.test(header[0] ?? '')) continue;
    for (const row of table.children.slice(1)) {
      const cells = cellsOf(row);
      const label = (cells[0] ?? '').replace(/\*/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
      if (!label) continue;
      cells.slice(1).forEach((cell, i) => {
        if (BASIS_COL.test(header[i + 1] ?? '')) return;
        const n = scanNumbers(cell).find((x) => x.kind === 'quantity');
        if (!n) return;
        const k = `${label}|${n.unit}`;
        const prev = seen.get(k);
        const line = lineOf(row);
        if (!prev) {
          seen.set(k, { value: n.value, raw: n.raw, line });
        } else if (prev.value !== n.value) {
          out.push({
            rule: 'data/inconsistent-metric',
            severity: 'error',
            line,
            section: sectionAt(doc, line),
            message: `"${cells[0]}" is ${n.raw}${n.unit && !n.raw.includes(n.unit) ? ` ${n.unit}` : ''} here but ${prev.raw} on line ${prev.line}`,
            fix: 'give one value, or name the two metrics differently (e.g. peak vs. average)',
          });
        }
      });
    }
  }
  return out;
}
