/**
 * Parsing and walking Markdown for the QA rules: one mdast syntax tree per document (CommonMark + GFM
 * tables and footnotes + YAML frontmatter), and helpers that turn nodes into text with line numbers.
 *
 * The unified parsers are ESM-only. The compiled CommonJS code loads them with `require`, which Node
 * 20.19+ supports for ES modules; under jest they are transpiled to CommonJS (see jest.config.js).
 */
import type { Code, FootnoteDefinition, Heading, Nodes, Root, RootContent, Table, TableRow } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import YAML from 'yaml';
import { SOURCES_TITLE } from '../domain/conventions';

/** A parsed document: its tree, its lines and its frontmatter (when it has valid YAML frontmatter). */
export interface ParsedDoc {
  text: string;
  lines: string[];
  tree: Root;
  frontmatter?: Record<string, unknown>;
  /** Set when the frontmatter block is not valid YAML or not a mapping. */
  frontmatterError?: { line: number; message: string };
}

/** Parses a Markdown document. Never throws: unparsable frontmatter is reported, not raised. */
export function parseMarkdown(text: string): ParsedDoc {
  const tree = fromMarkdown(text, {
    extensions: [gfm(), frontmatter(['yaml'])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])],
  });
  const doc: ParsedDoc = { text, lines: text.split(/\r?\n/), tree };
  const first = tree.children[0];
  if (first?.type === 'yaml') {
    try {
      const value: unknown = YAML.parse(first.value);
      if (value && typeof value === 'object' && !Array.isArray(value)) doc.frontmatter = value as Record<string, unknown>;
      else doc.frontmatterError = { line: 1, message: 'the frontmatter is not a YAML mapping' };
    } catch (err) {
      doc.frontmatterError = { line: 1, message: `the frontmatter is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  return doc;
}

/** First line of a node (1-based), or 0 when the parser gave it no position. */
export function lineOf(node: { position?: { start: { line: number } } }): number {
  return node.position?.start.line ?? 0;
}

/** The line of `offset` in `text`, a text that starts on `firstLine`. */
export function lineIn(text: string, firstLine: number, offset = text.length): number {
  return firstLine + (text.slice(0, offset).match(/\n/g)?.length ?? 0);
}

/** Plain text of a node: text, inline code and footnote references (as `[^id]`), without URLs. */
export function textOf(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
      return node.value;
    case 'footnoteReference':
      return `[^${node.label ?? node.identifier}]`;
    case 'break':
      return '\n';
    default:
      return 'children' in node ? (node.children as Nodes[]).map(textOf).join('') : '';
  }
}

/** A run of prose with a way back to document lines. */
export interface ProseRun {
  text: string;
  /** Line of each character of `text`. */
  lineAt(offset: number): number;
}

/**
 * The prose of a phrasing container (paragraph, table cell, heading) as one string. Inline code is
 * replaced by spaces of the same length, footnote references become `[^id]`, links keep their text only,
 * followed by what `linkMark` returns for them (QA marks a link to a listed source as a citation).
 */
export function proseOf(node: Nodes, linkMark?: (node: Nodes) => string | undefined): ProseRun {
  const parts: { start: number; line: number; value: string }[] = [];
  let text = '';
  const visit = (n: Nodes): void => {
    if (n.type === 'text') {
      parts.push({ start: text.length, line: lineOf(n), value: n.value });
      text += n.value;
    } else if (n.type === 'inlineCode') {
      text += ' '.repeat(n.value.length);
    } else if (n.type === 'footnoteReference') {
      text += `[^${n.label ?? n.identifier}]`;
    } else if (n.type === 'break') {
      text += '\n';
    } else if ('children' in n) {
      for (const c of n.children as Nodes[]) visit(c);
      const mark = linkMark?.(n);
      if (mark) text += mark;
    }
  };
  visit(node);
  const fallback = lineOf(node);
  return {
    text,
    lineAt(offset: number): number {
      let best: { start: number; line: number; value: string } | undefined;
      for (const p of parts) if (p.start <= offset) best = p;
      if (!best || !best.line) return fallback;
      return lineIn(best.value, best.line, Math.max(0, offset - best.start));
    },
  };
}

/** Visits every node of the tree, depth first, with its ancestors. */
export function walk(tree: Root, visit: (node: Nodes, ancestors: Nodes[]) => void): void {
  const go = (node: Nodes, ancestors: Nodes[]): void => {
    visit(node, ancestors);
    if ('children' in node) {
      const next = [...ancestors, node];
      for (const child of node.children as Nodes[]) go(child, next);
    }
  };
  go(tree, []);
}

/** Top-level sections: every `##` heading with the top-level nodes that follow it up to the next `#`/`##`. */
export interface Section {
  heading: Heading;
  title: string;
  line: number;
  nodes: RootContent[];
}

/** Splits the document at its level-2 headings. */
export function sectionsOf(tree: Root): Section[] {
  const out: Section[] = [];
  let current: Section | undefined;
  for (const node of tree.children) {
    if (node.type === 'heading' && node.depth <= 2) {
      current = node.depth === 2 ? { heading: node, title: textOf(node).trim(), line: lineOf(node), nodes: [] } : undefined;
      if (current) out.push(current);
    } else if (current) {
      current.nodes.push(node);
    }
  }
  return out;
}

/** The title of the section a line belongs to (the nearest `##` above it). */
export function sectionAt(doc: ParsedDoc, line: number): string | undefined {
  let title: string | undefined;
  for (const node of doc.tree.children) {
    if (lineOf(node) > line) break;
    if (node.type === 'heading' && node.depth === 2) title = textOf(node).trim();
  }
  return title;
}

/** Cells of a table row as plain text (with `[^id]` for footnote references), trimmed. */
export function cellsOf(row: TableRow): string[] {
  return row.children.map((cell) => textOf(cell).trim());
}

/** Every table of the document. */
export function tablesOf(tree: Root): Table[] {
  const out: Table[] = [];
  walk(tree, (n) => {
    if (n.type === 'table') out.push(n);
  });
  return out;
}

/** Every fenced code block of the document. */
export function codeBlocksOf(tree: Root): Code[] {
  const out: Code[] = [];
  walk(tree, (n) => {
    if (n.type === 'code') out.push(n);
  });
  return out;
}

/** Every footnote definition of the document. */
export function footnoteDefinitionsOf(tree: Root): FootnoteDefinition[] {
  const out: FootnoteDefinition[] = [];
  walk(tree, (n) => {
    if (n.type === 'footnoteDefinition') out.push(n);
  });
  return out;
}

/** True for the heading of the trailing sources section (参考来源, 参考资料, Sources, References …). */
export function isSourcesTitle(title: string): boolean {
  return SOURCES_TITLE.test(title.trim().replace(/^(?:\d+[.、]?\s*)/, ''));
}
