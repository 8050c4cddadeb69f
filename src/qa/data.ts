/**
 * Data accuracy: cited or labelled figures, citations that resolve, consistent metrics, and no
 * placeholder text. What a figure, a label, a citation and a metric are comes from
 * src/domain/conventions.ts, which the composer writes by.
 */
import type { Definition, FootnoteDefinition, Nodes, RootContent, Table } from 'mdast';
import {
  BASIS_COLUMN,
  citesIn,
  COMPARISON,
  FOOTNOTE_REF,
  isFigure,
  labelCell,
  LEADING_FOOTNOTE_REF,
  metricKeyOf,
  normalizeUrl,
  prefixLabelIn,
  suffixLabelIn,
} from '../domain/conventions';
import { scanNumbers, type ScannedNumber } from '../domain/facts';
import type { Dossier, Finding } from '../domain/types';
import {
  cellsOf,
  footnoteDefinitionsOf,
  isSourcesTitle,
  lineIn,
  lineOf,
  type ParsedDoc,
  proseOf,
  type ProseRun,
  sectionAt,
  sectionsOf,
  tablesOf,
  textOf,
  walk,
} from './markdown';
import type { QaContext } from './rule';

/** Marks a link to a listed source in prose runs; shaped like a footnote reference so one test covers both. */
const LINK_CITATION = '[^link]';
const SENTENCE_END = /[。！？!?\n]|\.(?=\s|$)/g;

/** A number that needs a basis: a figure, except a bare single-digit count ("3 个步骤"), as facts are extracted. */
function needsBasis(n: ScannedNumber): boolean {
  return isFigure(n) && !(n.unit === '' && /^\d$/.test(n.raw));
}

/** The heading of the sources section (at whatever level the document's sections sit), if any. */
function sourcesHeading(doc: ParsedDoc): { line: number; depth: number } | undefined {
  const h = doc.tree.children.find((n) => n.type === 'heading' && n.depth <= 3 && isSourcesTitle(textOf(n)));
  return h && h.type === 'heading' ? { line: lineOf(h), depth: h.depth } : undefined;
}

/** Top-level nodes of the document body: everything before the sources section, frontmatter excluded. */
function bodyNodes(doc: ParsedDoc): RootContent[] {
  const stop = sourcesHeading(doc)?.line ?? Number.POSITIVE_INFINITY;
  return doc.tree.children.filter((n) => n.type !== 'yaml' && lineOf(n) < stop);
}

/** URLs listed in the sources section (links, reference definitions, footnote definitions, bare URLs). */
export function listedSources(doc: ParsedDoc): Set<string> {
  const from = sourcesHeading(doc);
  const urls = new Set<string>();
  if (!from) return urls;
  const end = doc.tree.children.find((n) => n.type === 'heading' && n.depth <= from.depth && lineOf(n) > from.line);
  const last = end ? lineOf(end) : Number.POSITIVE_INFINITY;
  for (const line of doc.lines.slice(from.line, last - 1)) {
    for (const m of line.matchAll(/https?:\/\/[^\s<>)\]）]+/g)) urls.add(normalizeUrl(m[0]));
  }
  return urls;
}

/** Reference-style link definitions by identifier. */
function definitionsOf(doc: ParsedDoc): Map<string, Definition> {
  const defs = new Map<string, Definition>();
  walk(doc.tree, (n) => {
    if (n.type === 'definition') defs.set(n.identifier.toLowerCase(), n);
  });
  return defs;
}

/** A marker function for proseOf: links (inline or by reference) to a listed source count as citations. */
function citationLinks(doc: ParsedDoc): (node: Nodes) => string | undefined {
  const listed = listedSources(doc);
  const defs = definitionsOf(doc);
  return (node) => {
    const url = node.type === 'link' ? node.url : node.type === 'linkReference' ? defs.get(node.identifier.toLowerCase())?.url : undefined;
    return url && listed.has(normalizeUrl(url)) ? LINK_CITATION : undefined;
  };
}

/** Applies `visit` to every node under `roots`, skipping code, headings, HTML and footnote definitions. */
/** A finding, placed at its line and section, for each match of `pattern` in a text node (none for other nodes). */
function textMatches(doc: ParsedDoc, n: Nodes, pattern: RegExp, finding: (m: RegExpMatchArray) => Omit<Finding, 'line' | 'section'>): Finding[] {
  if (n.type !== 'text') return [];
  return [...n.value.matchAll(pattern)].map((m) => {
    const line = lineIn(n.value, lineOf(n), m.index);
    const { rule, severity, message, fix } = finding(m);
    return { rule, severity, line, section: sectionAt(doc, line), message, fix };
  });
}

function visitProse(roots: RootContent[], visit: (node: Nodes) => boolean | void): void {
  const go = (node: Nodes): void => {
    if (node.type === 'code' || node.type === 'heading' || node.type === 'footnoteDefinition' || node.type === 'html' || node.type === 'definition') return;
    if (visit(node) === false) return;
    if ('children' in node) for (const c of node.children as Nodes[]) go(c);
  };
  for (const r of roots) go(r);
}

/** The sentence around [start, end) of a prose run: from the previous sentence end to the next. */
function sentenceAround(text: string, start: number, end: number): { from: number; to: number } {
  let from = 0;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m && m.index < start; m = SENTENCE_END.exec(text)) from = m.index + 1;
  SENTENCE_END.lastIndex = end;
  const stop = SENTENCE_END.exec(text);
  return { from, to: stop ? stop.index + 1 : text.length };
}

/** Whether the figure at [start, end) of a prose run is cited or labelled. */
function proseBasis(text: string, start: number, end: number): boolean {
  const { from, to } = sentenceAround(text, start, end);
  // A citation or a bracketed label after the figure covers it; so does a label with a colon before it.
  if (citesIn(text.slice(end, to)) || suffixLabelIn(text.slice(end, to)) || prefixLabelIn(text.slice(from, start))) return true;
  // A citation before the figure covers it when it leads the sentence, with no figure of its own before it.
  const before = text.slice(from, start);
  const cite = before.search(new RegExp(FOOTNOTE_REF.source));
  if (cite >= 0 && !scanNumbers(before.slice(0, cite)).some(needsBasis)) return true;
  // A footnote reference may follow the sentence's closing punctuation: `…亿美元。[^S1]`.
  return LEADING_FOOTNOTE_REF.test(text.slice(to));
}

/**
 * Every figure in the body of a case carries a citation (a footnote reference, or a link to a source
 * listed in the sources section) or a label (设计目标 / 估算 / design target / estimate, written after
 * the figure in brackets or before it with a colon) in the same sentence; in a table, anywhere in the
 * same row, or in the title of its column.
 */
export function checkFigures(ctx: QaContext): Finding[] {
  const { doc, lang } = ctx;
  const out: Finding[] = [];
  const labelHint = lang === 'zh' ? '（设计目标）或（估算）' : '(design target) or (estimate)';
  const report = (raw: string, line: number, where: string): void => {
    const section = sectionAt(doc, line);
    out.push({
      rule: 'data/uncited-figure',
      severity: 'error',
      line,
      ...(section ? { section } : {}),
      message: `the figure "${raw}" ${where} has no citation and no label`,
      fix: `add a footnote reference to a listed source right after it (e.g. [^S1]) or label it ${labelHint}`,
    });
  };
  const mark = citationLinks(doc);
  visitProse(bodyNodes(doc), (node) => {
    if (node.type === 'table') {
      checkTable(node, mark, report);
      return false;
    }
    if (node.type !== 'paragraph') return;
    const run = proseOf(node, mark);
    for (const n of scanNumbers(run.text)) {
      if (needsBasis(n) && !proseBasis(run.text, n.index, n.end)) report(n.raw, run.lineAt(n.index), 'in this sentence');
    }
    return false;
  });
  return out;
}

function checkTable(table: Table, mark: (node: Nodes) => string | undefined, report: (raw: string, line: number, where: string) => void): void {
  const header = cellsOf(table.children[0]);
  for (const row of table.children.slice(1)) {
    const cells = row.children.map((c) => proseOf(c, mark).text.trim());
    const covered = cells.some((c) => citesIn(c) || labelCell(c) || suffixLabelIn(c) || prefixLabelIn(c));
    if (covered) continue;
    cells.forEach((cell, i) => {
      if (labelCell(header[i] ?? '') || suffixLabelIn(header[i] ?? '')) return;
      for (const n of scanNumbers(cell)) if (needsBasis(n)) report(n.raw, lineOf(row), `in this table row${cell ? ` (column "${header[i] ?? i + 1}")` : ''}`);
    });
  }
}

const METRIC_HEADER = { zh: ['指标', '数值', '依据'], en: ['metric', 'value', 'basis'] };

/** Section 3 of a casebook case (an error for what the pipeline publishes): each sub-item with figures holds a `| 指标 | 数值 | 依据 |` table. */
export function checkMetricsTables(ctx: QaContext): Finding[] {
  const { doc, lang } = ctx;
  const out: Finding[] = [];
  const section = sectionsOf(doc.tree).find((s) => /^3[.\s]/.test(s.title));
  // A writer's own layout (no casebook frontmatter) may keep figures in prose.
  if (!section || (!ctx.pipeline && !doc.frontmatter)) return out;
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
      if (n.type === 'paragraph') figures += scanNumbers(proseOf(n).text).filter(needsBasis).length;
    });
    // A sub-item without any figure needs no table; one with figures keeps them in a metrics table.
    if (!ok && (tables.length > 0 || figures > 0)) {
      out.push({
        rule: 'structure/metrics-table',
        severity: ctx.pipeline ? 'error' : 'warning',
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

/**
 * Footnote references resolve to definitions; for cases, definitions live in the sources section, are
 * used, and (with a dossier) name a source of the research dossier with the same URL.
 */
export function checkCitations(ctx: QaContext): Finding[] {
  const { doc, isCase, dossier } = ctx;
  const out: Finding[] = [];
  const defs = footnoteDefinitionsOf(doc.tree);
  const used = new Set<string>();
  walk(doc.tree, (n) => {
    if (n.type === 'footnoteReference') used.add(key(n.identifier));
  });
  // The parser keeps a reference to a missing definition as literal text.
  visitProse(doc.tree.children, (n) => {
    out.push(
      ...textMatches(doc, n, FOOTNOTE_REF, (m) => ({
        rule: 'data/citation',
        severity: 'error',
        message: `the footnote reference [^${m[1]}] has no definition`,
        fix: `add \`[^${m[1]}]: <title>, <publisher>, <date>, <url>\` to the sources section, or cite an existing source`,
      })),
    );
  });
  if (!isCase) return out;
  const sourcesFrom = sourcesHeading(doc)?.line ?? Number.POSITIVE_INFINITY;
  for (const def of defs) {
    const line = lineOf(def);
    const label = def.label ?? def.identifier;
    if (line < sourcesFrom) {
      out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `the footnote [^${label}] is defined outside the sources section`, fix: 'move the definition to the sources section' });
    }
    if (!used.has(key(def.identifier))) {
      out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `the source [^${label}] is never cited`, fix: 'cite it where it supports a statement, or remove it' });
    }
    if (dossier) out.push(...againstDossier(ctx.doc, def, label, dossier));
  }
  return out;
}

function againstDossier(doc: ParsedDoc, def: FootnoteDefinition, label: string, dossier: Dossier): Finding[] {
  const line = lineOf(def);
  const src = dossier.sources.find((s) => key(s.id) === key(label));
  if (!src) {
    return [
      {
        rule: 'data/citation',
        severity: 'error',
        line,
        section: sectionAt(doc, line),
        message: `[^${label}] is not a source of the research dossier (${dossier.sources.map((s) => s.id).join(', ') || 'no sources'})`,
        fix: 'cite only collected sources; add the source to the brief and run research again if it is needed',
      },
    ];
  }
  const out: Finding[] = [];
  const url = urlOf(def);
  const expectedUrl = src.url ?? (/^https?:/.test(src.location) ? src.location : undefined);
  if (url && expectedUrl && normalizeUrl(url) !== normalizeUrl(expectedUrl)) {
    out.push({ rule: 'data/citation', severity: 'error', line, section: sectionAt(doc, line), message: `[^${label}] gives ${url}, but dossier source ${src.id} is ${expectedUrl}`, fix: `use the dossier's URL: ${expectedUrl}` });
  }
  if (src.status !== 'ok') {
    out.push({ rule: 'data/citation', severity: 'warning', line, section: sectionAt(doc, line), message: `[^${label}] cites a source that research could not collect (${src.status}${src.error ? `: ${src.error}` : ''})`, fix: 'check the source by hand before approving, or replace it' });
  }
  return out;
}

const PLACEHOLDER = /\b(?:TODO|TBD|FIXME|XXX+)\b|待补充|待完善|待填写|待定|占位符|lorem ipsum|\[(?:placeholder|insert[^\]]*)\]/gi;

/** Placeholder and TODO text left in prose, headings or tables (code blocks are not judged). */
export function checkPlaceholders(ctx: QaContext): Finding[] {
  const { doc } = ctx;
  const out: Finding[] = [];
  walk(doc.tree, (n) => {
    out.push(
      ...textMatches(doc, n, PLACEHOLDER, (m) => ({
        rule: 'data/placeholder',
        severity: 'error',
        message: `placeholder text "${m[0]}" is left in the document`,
        fix: 'write the missing content, or remove the placeholder',
      })),
    );
  });
  return out;
}

const METRIC_COL = /^(?:指标|指标名称|度量|维度|metric|metrics|measure)$/i;
const VALUE_COL = /^(?:数值|值|取值|value|values|figure)$/i;

/** One statement of a metric's value. */
interface MetricValue {
  key: string;
  value: number;
  raw: string;
  line: number;
  name: string;
}

/** Time units folded to milliseconds, so `0.3 s` and `300 ms` are one value. */
const TO_MS: Record<string, number> = { 'µs': 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

function valueOf(n: ScannedNumber): { unit: string; value: number } {
  const scale = TO_MS[n.unit];
  return scale ? { unit: 'time', value: n.value * scale } : { unit: n.unit, value: n.value };
}

/** The basis a statement claims: a target is a different claim from a measured or estimated value. */
const claimOf = (text: string, header = ''): string =>
  labelCell(header) === 'target' || suffixLabelIn(text) === 'target' || prefixLabelIn(text) === 'target' || /目标|target|\bSLO\b/i.test(text) ? 'target' : 'actual';

/** Metric values in table rows: a metrics table's rows, and rows of any table whose label names a known measure. */
function tableMetrics(doc: ParsedDoc): MetricValue[] {
  const out: MetricValue[] = [];
  for (const table of tablesOf(doc.tree)) {
    const header = cellsOf(table.children[0]).map((c) => c.replace(/\*/g, '').trim());
    const metricTable = METRIC_COL.test(header[0] ?? '');
    for (const row of table.children.slice(1)) {
      const cells = cellsOf(row);
      const name = (cells[0] ?? '').replace(/\*/g, '').trim();
      const metric = metricKeyOf(name, metricTable);
      if (!metric) continue;
      const rowText = cells.join(' | ');
      cells.slice(1).forEach((cell, i) => {
        const title = header[i + 1] ?? '';
        if (BASIS_COLUMN.test(title)) return;
        const found = scanNumbers(cell).filter(needsBasis);
        if (found.length !== 1 || COMPARISON.test(cell)) return;
        const v = valueOf(found[0]);
        const column = VALUE_COL.test(title) || labelCell(title) ? '' : title.toLowerCase();
        out.push({ key: `${metric}|${column}|${v.unit}|${claimOf(rowText, title)}`, value: v.value, raw: found[0].raw, line: lineOf(row), name });
      });
    }
  }
  return out;
}

/** Metric values in prose: a clause that names a known measure and states exactly one figure, not a comparison. */
function proseMetrics(doc: ParsedDoc): MetricValue[] {
  const out: MetricValue[] = [];
  visitProse(bodyNodes(doc), (node) => {
    if (node.type === 'table') return false;
    if (node.type !== 'paragraph') return;
    const run: ProseRun = proseOf(node);
    const clauses = run.text.split(/(?<=[。！？!?；;，,\n])|(?<=\.)\s/);
    let offset = 0;
    for (const clause of clauses) {
      const at = run.text.indexOf(clause, offset);
      offset = at + clause.length;
      const metric = metricKeyOf(clause, false);
      const found = scanNumbers(clause).filter(needsBasis);
      if (!metric || found.length !== 1 || COMPARISON.test(clause)) continue;
      const { from, to } = sentenceAround(run.text, at, at + clause.length);
      const v = valueOf(found[0]);
      out.push({ key: `${metric}||${v.unit}|${claimOf(run.text.slice(from, to))}`, value: v.value, raw: found[0].raw, line: run.lineAt(at + found[0].index), name: clause.trim() });
    }
    return false;
  });
  return out;
}

/**
 * One metric (the same measure, unit and claim: target or actual) stated with two values anywhere in
 * the document, in tables or in prose (prose for cases), reported at both lines.
 */
export function checkMetricConsistency(ctx: QaContext): Finding[] {
  const { doc } = ctx;
  const values = [...tableMetrics(doc), ...(ctx.isCase ? proseMetrics(doc) : [])].sort((a, b) => a.line - b.line);
  const out: Finding[] = [];
  const first = new Map<string, MetricValue>();
  const reported = new Set<number>();
  const push = (v: MetricValue, other: MetricValue): void => {
    if (reported.has(v.line)) return;
    reported.add(v.line);
    out.push({
      rule: 'data/inconsistent-metric',
      severity: 'error',
      line: v.line,
      section: sectionAt(doc, v.line),
      message: `"${clip(v.name)}" gives ${v.raw} here but ${other.raw} on line ${other.line}`,
      fix: 'give one value, or name the two metrics differently (e.g. peak vs. average, target vs. measured)',
    });
  };
  for (const v of values) {
    const prev = first.get(v.key);
    if (!prev) first.set(v.key, v);
    else if (Math.abs(prev.value - v.value) > 1e-9 * Math.max(1, Math.abs(prev.value)) && prev.line !== v.line) {
      push(prev, v);
      push(v, prev);
    }
  }
  return out;
}

const clip = (s: string, n = 40): string => (s.length > n ? `${s.slice(0, n)}…` : s);
