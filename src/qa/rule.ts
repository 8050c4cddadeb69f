/**
 * What a QA rule set sees, and its shape. A rule set is a function from the document to findings;
 * index.ts lists them, one line each.
 */
import type { Dossier, Finding, Lang, Template } from '../domain/types';
import type { GateContext } from './gates/context';
import type { ParsedDoc } from './markdown';

/** One document under QA, with what is known about it. */
export interface QaContext {
  markdown: string;
  doc: ParsedDoc;
  lang: Lang;
  /** A case document: casebook frontmatter, headings that follow the template, or `--case`. */
  isCase: boolean;
  /**
   * The composer's convention holds in full (frontmatter required, `## 参考来源` titled in the
   * document's language, metrics tables): the pipeline publishes this document.
   */
  pipeline: boolean;
  /** The analysis template (always set for cases). */
  template?: Template;
  /** The research dossier, when the pipeline checks a draft. */
  dossier?: Dossier;
  /** The library and brief the content gates judge against; loaded from the plan and library when absent. */
  gates?: GateContext;
}

/** A set of QA rules. `cases: true` runs it on case documents only. */
export interface RuleSet {
  id: string;
  cases?: boolean;
  check(ctx: QaContext): Finding[] | Promise<Finding[]>;
}
