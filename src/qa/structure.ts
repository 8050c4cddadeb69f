/**
 * Template structure of a case document, checked on the syntax tree: frontmatter, one title, the
 * seven template sections in order with their sub-items, and one trailing sources section.
 */
import type { Heading } from 'mdast';
import type { Finding, Lang, Template } from '../domain/types';
import { isSourcesTitle, lineOf, type ParsedDoc, textOf } from './markdown';

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
  line: number;
}

/** Checks the title, the seven sections, their sub-items and the trailing sources section. */
export function checkStructure(doc: ParsedDoc, template: Template, lang: Lang): Finding[] {
  const out: Finding[] = [];
  const headings: H[] = doc.tree.children
    .filter((n): n is Heading => n.type === 'heading')
    .map((node) => ({ node, depth: node.depth, title: textOf(node).trim(), line: lineOf(node) }));
  const sourcesTitle = lang === 'zh' ? '参考来源' : 'Sources';
  const err = (line: number | undefined, message: string, fix: string, section?: string): void => {
    out.push({ rule: 'structure/sections', severity: 'error', ...(line ? { line } : {}), ...(section ? { section } : {}), message, fix });
  };

  const titles = headings.filter((h) => h.depth === 1);
  if (titles.length !== 1) {
    err(titles[1]?.line ?? 1, `the document has ${titles.length} level-1 titles`, 'keep exactly one `# <title>` after the frontmatter');
  }

  const h2 = headings.filter((h) => h.depth === 2);
  const sourcesIdx = h2.findIndex((h) => isSourcesTitle(h.title));
  const body = sourcesIdx >= 0 ? h2.slice(0, sourcesIdx) : h2;
  if (sourcesIdx < 0) {
    err(undefined, `the document has no \`## ${sourcesTitle}\` section`, `end the document with \`## ${sourcesTitle}\` holding one footnote definition per source`);
  } else {
    if (h2[sourcesIdx].title !== sourcesTitle) {
      err(h2[sourcesIdx].line, `the sources section is titled "${h2[sourcesIdx].title}"`, `title it \`## ${sourcesTitle}\` (document language: ${lang})`);
    }
    if (sourcesIdx !== h2.length - 1) {
      err(h2[sourcesIdx + 1].line, `"${h2[sourcesIdx + 1].title}" comes after the sources section`, `move it before \`## ${sourcesTitle}\`; the sources section is the last one`);
    }
  }

  // Match each template section to the body's `## n. title` headings, in order.
  const expected = template.sections.map((s, i) => ({ n: i + 1, section: s, title: `${i + 1}. ${s.title[lang]}` }));
  let cursor = 0;
  for (const exp of expected) {
    const at = body.findIndex((h, i) => i >= cursor && norm(h.title) === norm(exp.title));
    if (at < 0) {
      const elsewhere = body.find((h) => norm(h.title) === norm(exp.title));
      const sameNumber = body.find((h) => h.title.startsWith(`${exp.n}.`) || h.title.startsWith(`${exp.n} `));
      if (elsewhere) err(elsewhere.line, `section "${exp.title}" is out of order`, `put the seven sections in template order (1 to 7)`, elsewhere.title);
      else if (sameNumber) err(sameNumber.line, `section ${exp.n} is titled "${sameNumber.title}"`, `title it \`## ${exp.title}\``, sameNumber.title);
      else err(undefined, `section "${exp.title}" is missing`, `add \`## ${exp.title}\` with its sub-items`);
      continue;
    }
    cursor = at + 1;
    checkItems(headings, body[at], exp.n, exp.section.items.map((it) => it.title[lang]), out);
  }
  const known = new Set(expected.map((e) => norm(e.title)));
  for (const h of body) {
    if (!known.has(norm(h.title))) {
      if (!out.some((f) => f.line === h.line)) {
        err(h.line, `"${h.title}" is not a template section`, 'fold its content into one of the seven template sections', h.title);
      }
    }
  }
  return out;
}

/** Checks the `### n.m title` sub-items of one section. */
function checkItems(headings: H[], section: H, n: number, items: string[], out: Finding[]): void {
  const start = headings.indexOf(section);
  const inside: H[] = [];
  for (let i = start + 1; i < headings.length && headings[i].depth > 2; i++) if (headings[i].depth === 3) inside.push(headings[i]);
  let cursor = 0;
  items.forEach((title, j) => {
    const exp = `${n}.${j + 1} ${title}`;
    const at = inside.findIndex((h, i) => i >= cursor && norm(h.title) === norm(exp));
    if (at >= 0) {
      cursor = at + 1;
      return;
    }
    const elsewhere = inside.find((h) => norm(h.title) === norm(exp));
    out.push({
      rule: 'structure/items',
      severity: 'error',
      line: elsewhere?.line ?? section.line,
      section: section.title,
      message: elsewhere ? `sub-item "${exp}" is out of order` : `sub-item "${exp}" is missing`,
      fix: elsewhere ? 'put the sub-items in template order' : `add \`### ${exp}\` under \`## ${section.title}\``,
    });
  });
}
