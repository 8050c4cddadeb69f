/**
 * The QA engine: technical accuracy, data accuracy and format consistency of a Markdown document.
 *
 * Every document gets the generic rules (markdownlint, table shape and totals, typography, footnote
 * references, placeholders, metric consistency, the Temporal glossary). A case document (frontmatter
 * with `case:`) also gets the convention's rules: frontmatter, template structure, metrics tables,
 * cited or labelled figures, citations resolved against the dossier, and type-checked TypeScript.
 */
import { templateFile } from '../config';
import type { Finding, Lang, Template } from '../domain/types';
import { loadTemplate } from '../plan';
import { checkCitations, checkFigures, checkMetricConsistency, checkMetricsTables, checkPlaceholders } from './data';
import { checkGlossary } from './glossary';
import { caseGates, type GateOptions } from './gates';
import { markdownlintFindings } from './lint';
import { codeBlocksOf, lineOf, type ParsedDoc, parseMarkdown, sectionAt, textOf } from './markdown';
import { buildReport, type QaOptions, type QaReport } from './report';
import { checkFrontmatter, checkStructure } from './structure';
import { checkTableShape, checkTableTotals } from './tables';
import { typographyFindings } from './typography';
import { checkTypeScriptBlocks } from './typescript';

export { renderQaJson, renderQaMarkdown, type QaOptions, type QaReport } from './report';
export { warmTypeChecker } from './typescript';

const templates = new Map<string, Promise<Template>>();

function defaultTemplate(): Promise<Template> {
  const file = templateFile();
  let t = templates.get(file);
  if (!t) {
    t = loadTemplate(file);
    templates.set(file, t);
    t.catch(() => templates.delete(file));
  }
  return t;
}

/** The document language: the option, else the frontmatter, else the share of CJK characters. */
function languageOf(doc: ParsedDoc, option?: Lang): Lang {
  if (option) return option;
  const fm = doc.frontmatter?.language;
  if (fm === 'zh' || fm === 'en') return fm;
  const cjk = doc.text.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
  return cjk > doc.text.length * 0.05 ? 'zh' : 'en';
}

/** True when the document is a case: frontmatter with a `case` key (even if the YAML is broken). */
function isCaseDoc(doc: ParsedDoc): boolean {
  if (doc.frontmatter) return 'case' in doc.frontmatter;
  const first = doc.tree.children[0];
  return first?.type === 'yaml' && /^case\s*:/m.test(first.value);
}

const TS_LANGS = new Set(['ts', 'typescript']);

/** Lines of the headings that spell a template section or sub-item title. */
function templateHeadingLines(doc: ParsedDoc, template: Template): Set<number> {
  const titles = new Set<string>();
  const squash = (s: string): string => s.replace(/\s+/g, '');
  template.sections.forEach((section, i) => {
    for (const lang of ['zh', 'en'] as const) {
      titles.add(squash(`${i + 1}. ${section.title[lang]}`));
      section.items.forEach((item, j) => titles.add(squash(`${i + 1}.${j + 1} ${item.title[lang]}`)));
    }
  });
  const lines = new Set<number>();
  for (const node of doc.tree.children) {
    if (node.type === 'heading' && titles.has(squash(textOf(node)))) lines.add(lineOf(node));
  }
  return lines;
}

/** Runs every QA rule that applies to the document and returns the sorted report. */
export async function runQa(markdown: string, options: QaOptions & GateOptions = {}): Promise<QaReport> {
  const doc = parseMarkdown(markdown);
  const lang = languageOf(doc, options.language);
  const isCase = isCaseDoc(doc);
  const template = isCase ? (options.template ?? (await defaultTemplate())) : undefined;
  const templateLines = template ? templateHeadingLines(doc, template) : new Set<number>();
  const findings: Finding[] = [
    ...(await markdownlintFindings(markdown)),
    ...checkTableShape(doc),
    ...checkTableTotals(doc),
    // Template titles are written as the plan spells them; their spacing is not the writer's to fix.
    ...typographyFindings(markdown).filter((f) => !templateLines.has(f.line ?? 0)),
    ...checkCitations(doc, { isCase, ...(options.dossier ? { dossier: options.dossier } : {}) }),
    ...checkPlaceholders(doc),
    ...checkMetricConsistency(doc),
    ...checkGlossary(doc),
  ];
  if (template) {
    if (doc.frontmatterError) {
      findings.push({ rule: 'structure/frontmatter', severity: 'error', line: doc.frontmatterError.line, message: doc.frontmatterError.message, fix: 'fix the YAML between the two `---` lines' });
    } else {
      findings.push(...checkFrontmatter(doc));
    }
    findings.push(...checkStructure(doc, template, lang), ...checkMetricsTables(doc, lang), ...checkFigures(doc, lang));
    const blocks = codeBlocksOf(doc.tree)
      .filter((c) => TS_LANGS.has((c.lang ?? '').toLowerCase()))
      .map((c) => ({ code: c.value, line: lineOf(c) + 1 }));
    if (blocks.length) findings.push(...checkTypeScriptBlocks(blocks));
    findings.push(...(await caseGates(doc, options)));
  }
  for (const f of findings) {
    if (f.section === undefined && f.line) f.section = sectionAt(doc, f.line);
    if (f.section === undefined) delete f.section;
  }
  return buildReport(findings, options.file);
}
