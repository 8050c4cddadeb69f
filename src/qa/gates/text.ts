/**
 * What the gates read of a case: its reader-facing prose by paragraph, its code blocks, the
 * identifiers of its TypeScript, and a crude English stemmer for comparing words.
 */
import type { Nodes, RootContent } from 'mdast';
import ts from 'typescript';
import { codeBlocksOf, isSourcesTitle, lineOf, type ParsedDoc, textOf } from '../markdown';

/** A paragraph-like run of reader-facing prose (paragraph, list item text, table cell, heading). */
export interface ProseBlock {
  text: string;
  line: number;
  kind: 'paragraph' | 'cell' | 'heading';
}

/**
 * Reader-facing prose: paragraphs, table cells and headings, outside code, frontmatter, HTML and the
 * sources section (footnote definitions are bibliography, not prose).
 */
export function proseBlocks(doc: ParsedDoc): ProseBlock[] {
  const out: ProseBlock[] = [];
  let inSources = false;
  const visit = (node: Nodes): void => {
    switch (node.type) {
      case 'code':
      case 'yaml':
      case 'html':
      case 'footnoteDefinition':
      case 'definition':
        return;
      case 'heading':
        if (node.depth <= 2) inSources = isSourcesTitle(textOf(node));
        if (!inSources) out.push({ text: textOf(node), line: lineOf(node), kind: 'heading' });
        return;
      case 'paragraph':
        if (!inSources) out.push({ text: textOf(node), line: lineOf(node), kind: 'paragraph' });
        return;
      case 'tableCell':
        if (!inSources) out.push({ text: textOf(node), line: lineOf(node), kind: 'cell' });
        return;
      default:
        if ('children' in node) for (const child of node.children as Nodes[]) visit(child);
    }
  };
  for (const node of doc.tree.children as RootContent[]) visit(node);
  return out;
}

/** A fenced code block with its language and first line. */
export interface CodeBlock {
  lang: string;
  code: string;
  line: number;
}

export function codeBlocks(doc: ParsedDoc): CodeBlock[] {
  return codeBlocksOf(doc.tree).map((c) => ({ lang: (c.lang ?? '').toLowerCase(), code: c.value, line: lineOf(c) }));
}

/** True for a TypeScript block. */
export function isTs(block: CodeBlock): boolean {
  return block.lang === 'ts' || block.lang === 'typescript';
}

/**
 * Every identifier of a TypeScript text (comments and string literals are skipped). Parsed rather
 * than scanned: a bare scanner loses its place after the first `${...}` of a template literal and
 * reads the rest of the block as template text.
 */
export function identifiersOf(code: string): string[] {
  const file = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) out.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The words of an identifier: `releaseStockForOrder` → release, stock, for, order. */
export function wordsOfIdentifier(id: string): string[] {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** English words of a text, lower case. */
export function wordsOfText(text: string): string[] {
  return (text.match(/[A-Za-z][A-Za-z-]*/g) ?? []).flatMap((w) => w.toLowerCase().split('-')).filter(Boolean);
}

const SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ers', 'er', 'ed', 'es', 's', 'e'];

/**
 * A crude stem so that `charge`, `charges` and `charging`, or `settle` and `settlement`, compare
 * equal. Suffixes are stripped while the stem keeps at least three letters.
 */
export function stem(word: string): string {
  let w = word.toLowerCase();
  for (let changed = true; changed; ) {
    changed = false;
    for (const suffix of SUFFIXES) {
      if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
        w = w.slice(0, -suffix.length);
        changed = true;
        break;
      }
    }
  }
  return w;
}
