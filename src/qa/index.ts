/**
 * The QA engine: technical accuracy, data accuracy and format consistency of a Markdown document.
 *
 * Every document gets the generic rules (markdownlint, table shape and totals, typography, footnote
 * references, placeholders, metric tables, the Temporal glossary, and type-checked code when it
 * imports `@temporalio/*`). A case document, recognised by its casebook frontmatter or by headings that
 * follow the template, gets every rule: structure, cited or labelled figures in prose and tables,
 * one value per metric, and type-checked code.
 *
 * To add a rule set, write `check(ctx: QaContext): Finding[]` in its own file and add one line to
 * {@link RULE_SETS}.
 */
import { templateFile } from '../config';
import type { Finding, Lang, Template } from '../domain/types';
import { loadTemplate } from '../plan';
import { checkCitations, checkFigures, checkMetricConsistency, checkMetricsTables, checkPlaceholders } from './data';
import { checkGlossary } from './glossary';
import { caseGates } from './gates';
import { markdownlintFindings } from './lint';
import { codeBlocksOf, lineOf, type ParsedDoc, parseMarkdown, sectionAt, textOf } from './markdown';
import { buildReport, type QaOptions, type QaReport } from './report';
import type { QaContext, RuleSet } from './rule';
import { checkSourceFacts } from './sources';
import { checkFrontmatter, checkStructure, followsTemplate } from './structure';
import { checkTableShape, checkTableTotals } from './tables';
import { typographyFindings } from './typography';
import { checkTypeScriptBlocks, CODE_LANGS } from './typescript';

export { renderQaJson, renderQaMarkdown, type QaOptions, type QaReport } from './report';
export type { QaContext, RuleSet } from './rule';
export { warmTypeChecker } from './typescript';

/** Every rule set, in the order they run. One line per rule set. */
export const RULE_SETS: RuleSet[] = [
  { id: 'markdownlint', check: (c) => markdownlintFindings(c.markdown) },
  { id: 'tables', check: (c) => [...checkTableShape(c.doc), ...checkTableTotals(c.doc)] },
  { id: 'typography', check: checkTypography },
  { id: 'citations', check: checkCitations },
  { id: 'placeholders', check: checkPlaceholders },
  { id: 'metrics', check: checkMetricConsistency },
  { id: 'glossary', check: (c) => checkGlossary(c.doc) },
  { id: 'code', check: checkCode },
  { id: 'frontmatter', cases: true, check: checkCaseFrontmatter },
  { id: 'structure', cases: true, check: checkStructure },
  { id: 'metrics-tables', cases: true, check: checkMetricsTables },
  { id: 'figures', cases: true, check: checkFigures },
  { id: 'gates', cases: true, check: (c) => caseGates(c.doc, c.gates ? { gates: c.gates } : {}) },
  { id: 'sources', cases: true, check: (c) => (c.dossier ? checkSourceFacts(c.markdown, c.dossier) : []) },
];

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

/** Casebook frontmatter: a frontmatter block with a `case` key (even if the YAML is broken). */
function hasCaseFrontmatter(doc: ParsedDoc): boolean {
  if (doc.frontmatter) return 'case' in doc.frontmatter;
  const first = doc.tree.children[0];
  return first?.type === 'yaml' && /^case\s*:/m.test(first.value);
}

/** Frontmatter: required of what the pipeline publishes; checked wherever casebook frontmatter is written. */
function checkCaseFrontmatter(ctx: QaContext): Finding[] {
  const { doc } = ctx;
  if (doc.frontmatterError) {
    return [{ rule: 'structure/frontmatter', severity: 'error', line: doc.frontmatterError.line, message: doc.frontmatterError.message, fix: 'fix the YAML between the two `---` lines' }];
  }
  if (hasCaseFrontmatter(doc)) return checkFrontmatter(doc);
  if (!ctx.pipeline) return [];
  return [{ rule: 'structure/frontmatter', severity: 'error', line: 1, message: 'the document has no casebook frontmatter', fix: 'start it with `---`, the keys case, company, industry, themes, patterns, language and plan, and `---`' }];
}

/** Lines of the headings that spell a template section or sub-item title. */
function templateHeadingLines(doc: ParsedDoc, template: Template): Set<number> {
  const titles = new Set<string>();
  const squash = (s: string): string => s.replace(/\s+/g, '');
  for (const section of template.sections) {
    for (const lang of ['zh', 'en'] as const) {
      titles.add(squash(section.title[lang]));
      for (const item of section.items) titles.add(squash(item.title[lang]));
    }
  }
  const lines = new Set<number>();
  for (const node of doc.tree.children) {
    if (node.type === 'heading' && titles.has(squash(textOf(node)).replace(/^[\d.]+/, ''))) lines.add(lineOf(node));
  }
  return lines;
}

function checkTypography(ctx: QaContext): Finding[] {
  // Template titles are written as the plan spells them; their spacing is not the writer's to fix.
  const lines = ctx.template ? templateHeadingLines(ctx.doc, ctx.template) : new Set<number>();
  return typographyFindings(ctx.markdown).filter((f) => !lines.has(f.line ?? 0));
}

const IMPORTS_TEMPORAL = /(?:from\s+|require\(\s*|import\(\s*)['"]@temporalio\//;

/**
 * Type-checks the TypeScript and JavaScript blocks of a case, and of any document whose code imports
 * `@temporalio/*`, against the installed SDK.
 */
function checkCode(ctx: QaContext): Finding[] {
  const blocks = codeBlocksOf(ctx.doc.tree)
    .map((c) => ({ code: c.value, line: lineOf(c) + 1, kind: CODE_LANGS[(c.lang ?? '').toLowerCase()] }))
    .filter((b) => b.kind !== undefined);
  if (blocks.length === 0) return [];
  if (!ctx.isCase && !blocks.some((b) => IMPORTS_TEMPORAL.test(b.code))) return [];
  return checkTypeScriptBlocks(blocks);
}

/** Runs every QA rule set that applies to the document and returns the sorted report. */
export async function runQa(markdown: string, options: QaOptions = {}): Promise<QaReport> {
  const doc = parseMarkdown(markdown);
  const template = options.template ?? (await defaultTemplate());
  const isCase = options.case ?? (options.pipeline === true || hasCaseFrontmatter(doc) || followsTemplate(doc, template));
  const ctx: QaContext = {
    markdown,
    doc,
    lang: languageOf(doc, options.language),
    isCase,
    pipeline: options.pipeline === true,
    ...(isCase ? { template } : {}),
    ...(options.dossier ? { dossier: options.dossier } : {}),
    ...(options.gates ? { gates: options.gates } : {}),
  };
  const findings: Finding[] = [];
  for (const set of RULE_SETS) if (isCase || !set.cases) findings.push(...(await set.check(ctx)));
  for (const f of findings) {
    if (f.section === undefined && f.line) f.section = sectionAt(doc, f.line);
    if (f.section === undefined) delete f.section;
  }
  return buildReport(findings, options.file);
}
