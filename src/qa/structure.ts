/**
 * Template structure of a case document, checked on the syntax tree: frontmatter, one title, the
 * seven template sections in order with their sub-items, and one trailing sources section.
 *
 * Titles are matched as people write them: numbered (`## 1. 业务场景定义`, `### 1.1 业务背景`) or
 * not, in Chinese or English, whatever heading level the sections sit at.
 */
import type { Heading } from 'mdast';
import type { Finding, Severity, Template } from '../domain/types';
import { isSourcesTitle, lineOf, type ParsedDoc, textOf } from './markdown';
import type { QaContext } from './rule';

const REQUIRED_KEYS = ['case', 'company', 'industry', 'themes', 'patterns', 'language', 'plan'] as const;

/** Normalises a heading title for comparison: case, inner spaces and full-width punctuation. */
function norm(title: string): string {
  return title.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')').toLowerCase();
}

/** Checks the frontmatter fields of a case. */
export function checkFrontmatter(doc: ParsedDoc): Finding[] {
  const fm = doc.frontmatter ?? {};
  const out: Finding[] = [];
  for (const key of REQUIRED_KEYS) {
    const value = fm[key];
    const missing = value === undefined || value === null || value === '';
    const wrongType = (key === 'themes' || key === 'patterns') && !missing && !Array.isArray(value);
    if (missing || wrongType) {
      out.push({
        rule: 'structure/frontmatter',
        severity: 'error',
        line: 1,
        message: missing ? `the frontmatter has no \`${key}\`` : `the frontmatter's \`${key}\` is not a list`,
        fix: wrongType ? `write \`${key}: [a, b]\`` : `add \`${key}: …\` to the frontmatter (see the case-document convention)`,
      });
    }
  }
  if (fm.language !== undefined && fm.language !== 'zh' && fm.language !== 'en') {
    out.push({
      rule: 'structure/frontmatter',
      severity: 'error',
      line: 1,
      message: `the frontmatter's language is ${JSON.stringify(fm.language)}`,
      fix: 'use `language: zh` or `language: en`',
    });
  }
  return out;
}

interface H {
  node: Heading;
  depth: number;
  title: string;
  /** The title without its numbering, normalised. */
  bare: string;
  /** The numbering written before the title (`3`, `3.2`), if any. */
  number?: string;
  line: number;
}

const NUMBERING = /^\s*(?:第?([一二三四五六七八九十]+)[章部分节、.．]\s*|(\d+(?:\.\d+)*)[.．、)]?\s+|(\d+(?:\.\d+)+)[.．]?(?=\S))/;

/** Splits a heading into its numbering and its normalised title. */
function parseTitle(title: string): { bare: string; number?: string } {
  const m = NUMBERING.exec(title);
  const rest = m ? title.slice(m[0].length) : title;
  const number = m?.[2] ?? m?.[3];
  return { bare: norm(rest), ...(number ? { number } : {}) };
}

function headingsOf(doc: ParsedDoc): H[] {
  return doc.tree.children
    .filter((n): n is Heading => n.type === 'heading')
    .map((node) => {
      const title = textOf(node).trim();
      return { node, depth: node.depth, title, line: lineOf(node), ...parseTitle(title) };
    });
}

const titlesOf = (t: { zh: string; en: string }): string[] => [norm(t.zh), norm(t.en)];

/** Headings that name a template section, each with the index of the section. */
function sectionHeadings(headings: H[], template: Template): { h: H; index: number }[] {
  const out: { h: H; index: number }[] = [];
  for (const h of headings) {
    const index = template.sections.findIndex((s) => titlesOf(s.title).includes(h.bare));
    if (index >= 0) out.push({ h, index });
  }
  return out;
}

/**
 * Whether a document is a case by what it is: headings naming most of the template's sections
 * (at least four of seven), numbered or not, in either language.
 */
export function followsTemplate(doc: ParsedDoc, template: Template): boolean {
  const found = new Set(sectionHeadings(headingsOf(doc), template).map((s) => s.index));
  return found.size >= Math.min(4, template.sections.length);
}

/** Checks the title, the template sections, their sub-items and the trailing sources section. */
export function checkStructure(ctx: QaContext): Finding[] {
  const { doc, lang, pipeline } = ctx;
  const template = ctx.template!;
  const out: Finding[] = [];
  const headings = headingsOf(doc);
  // Where the writer does not follow the composer's convention, format preferences are warnings.
  const strict = pipeline || doc.frontmatter !== undefined;
  const soft: Severity = strict ? 'error' : 'warning';
  const sourcesTitle = lang === 'zh' ? '参考来源' : 'Sources';
  const add = (severity: Severity, line: number | undefined, message: string, fix: string, section?: string): void => {
    out.push({ rule: 'structure/sections', severity, ...(line ? { line } : {}), ...(section ? { section } : {}), message, fix });
  };

  const found = sectionHeadings(headings, template);
  const depth = mostCommon(found.map((s) => s.h.depth)) ?? 2;
  const titles = headings.filter((h) => h.depth < depth);
  if (depth === 2 && titles.length !== 1) {
    add(soft, titles[1]?.line ?? 1, `the document has ${titles.length} level-1 titles`, 'keep exactly one `# <title>` above the sections');
  }

  const level = headings.filter((h) => h.depth === depth);
  const sourcesIdx = level.findIndex((h) => isSourcesTitle(h.title));
  const body = sourcesIdx >= 0 ? level.slice(0, sourcesIdx) : level;
  const hashes = '#'.repeat(depth);
  if (sourcesIdx < 0) {
    add(soft, undefined, `the document has no \`${hashes} ${sourcesTitle}\` section`, `end the document with \`${hashes} ${sourcesTitle}\` listing every source (footnote definitions or links)`);
  } else {
    if (pipeline && level[sourcesIdx].title !== sourcesTitle) {
      add('error', level[sourcesIdx].line, `the sources section is titled "${level[sourcesIdx].title}"`, `title it \`## ${sourcesTitle}\` (document language: ${lang})`);
    }
    if (sourcesIdx !== level.length - 1) {
      add(soft, level[sourcesIdx + 1].line, `"${level[sourcesIdx + 1].title}" comes after the sources section`, `move it before \`${hashes} ${sourcesTitle}\`; the sources section is the last one`);
    }
  }

  // Match each template section to the body's headings, in order.
  let cursor = 0;
  template.sections.forEach((section, i) => {
    const n = i + 1;
    const names = titlesOf(section.title);
    const title = `${n}. ${section.title[lang]}`;
    const at = body.findIndex((h, k) => k >= cursor && names.includes(h.bare));
    if (at < 0) {
      const elsewhere = body.find((h) => names.includes(h.bare));
      const sameNumber = body.find((h) => h.number === String(n) && !template.sections.some((s) => titlesOf(s.title).includes(h.bare)));
      if (elsewhere) add('error', elsewhere.line, `section "${title}" is out of order`, 'put the seven sections in template order (1 to 7)', elsewhere.title);
      else if (sameNumber) add('error', sameNumber.line, `section ${n} is titled "${sameNumber.title}"`, `title it \`${hashes} ${title}\``, sameNumber.title);
      else add('error', undefined, `section "${title}" is missing`, `add \`${hashes} ${title}\` with its sub-items (${section.items.map((it) => it.title[lang]).join(', ')})`);
      return;
    }
    cursor = at + 1;
    checkItems(headings, body[at], n, section.items.map((it) => it.title), lang, out);
  });
  for (const h of body) {
    if (template.sections.some((s) => titlesOf(s.title).includes(h.bare)) || out.some((f) => f.line === h.line)) continue;
    add(soft, h.line, `"${h.title}" is not a template section`, 'fold its content into one of the seven template sections', h.title);
  }
  return out;
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, c] of counts) if (best === undefined || c > counts.get(best)! || (c === counts.get(best) && v < best)) best = v;
  return best;
}

/** Checks the sub-items of one section: one heading each, numbered or not, in template order. */
function checkItems(headings: H[], section: H, n: number, items: { zh: string; en: string }[], lang: QaContext['lang'], out: Finding[]): void {
  const start = headings.indexOf(section);
  const inside: H[] = [];
  for (let i = start + 1; i < headings.length && headings[i].depth > section.depth; i++) inside.push(headings[i]);
  let cursor = 0;
  items.forEach((item, j) => {
    const names = titlesOf(item);
    const exp = `${n}.${j + 1} ${item[lang]}`;
    const at = inside.findIndex((h, i) => i >= cursor && names.includes(h.bare));
    if (at >= 0) {
      cursor = at + 1;
      return;
    }
    const elsewhere = inside.find((h) => names.includes(h.bare));
    out.push({
      rule: 'structure/items',
      severity: 'error',
      line: elsewhere?.line ?? section.line,
      section: section.title,
      message: elsewhere ? `sub-item "${exp}" is out of order` : `sub-item "${exp}" is missing`,
      fix: elsewhere ? 'put the sub-items in template order' : `add \`${'#'.repeat(section.depth + 1)} ${exp}\` (or without its number) under "${section.title}"`,
    });
  });
}
