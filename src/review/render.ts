/**
 * Draft Markdown to safe HTML: unified / remark (GFM: tables, footnotes; the YAML frontmatter is
 * metadata, not shown) / rehype, with the raw HTML
 * of a draft parsed and then sanitised by rehype-sanitize (drafts are untrusted), code highlighted
 * by rehype-highlight, Mermaid blocks left for the page's own mermaid.js, and QA findings placed
 * after the block that holds their line.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';
import type { Root as MdRoot, RootContent as MdContent } from 'mdast';
import rehypeHighlight from 'rehype-highlight';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import type { Finding } from '../domain/types';

const schema = {
  ...defaultSchema,
  attributes: {
    ...defaultSchema.attributes,
    '*': [...(defaultSchema.attributes?.['*'] ?? []), 'dataLineStart', 'dataLineEnd'],
  },
};

/** Raw HTML in the draft becomes visible text: inert, and the reviewer sees what the writer wrote. */
function htmlAsText() {
  return (tree: MdRoot) => {
    const visit = (node: MdRoot | MdContent) => {
      if (node.type === 'html') (node as unknown as { type: string }).type = 'text';
      if ('children' in node) for (const child of node.children) visit(child);
    };
    visit(tree);
  };
}

/** Marks each top-level block with the Markdown lines it came from (before sanitising drops positions). */
function markLines() {
  return (tree: Root) => {
    for (const node of tree.children) {
      if (node.type === 'element' && node.position) {
        node.properties.dataLineStart = node.position.start.line;
        node.properties.dataLineEnd = node.position.end.line;
      }
    }
  };
}

function text(value: string): ElementContent {
  return { type: 'text', value };
}

/** `<pre><code class="language-mermaid">` becomes `<pre class="mermaid">`, which mermaid.js draws. */
function mermaidBlocks() {
  return (tree: Root) => {
    const visit = (parent: Root | Element) => {
      parent.children.forEach((child, i) => {
        if (child.type !== 'element') return;
        const code = child.tagName === 'pre' ? child.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code') : undefined;
        const classes = code?.properties.className;
        if (code && Array.isArray(classes) && classes.includes('language-mermaid')) {
          const source = code.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
          parent.children[i] = { type: 'element', tagName: 'pre', properties: { ...child.properties, className: ['mermaid'] }, children: [text(source)] };
          return;
        }
        visit(child);
      });
    };
    visit(tree);
  };
}

/** Footnote links point at the ids rehype-sanitize prefixed with `user-content-`. */
function prefixFragmentLinks() {
  return (tree: Root) => {
    const visit = (node: Root | Element) => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        const href = child.properties.href;
        if (child.tagName === 'a' && typeof href === 'string' && href.startsWith('#') && !href.startsWith('#user-content-')) {
          child.properties.href = `#user-content-${href.slice(1)}`;
        }
        visit(child);
      }
    };
    visit(tree);
  };
}

function findingNode(f: Finding): Element {
  return {
    type: 'element',
    tagName: 'aside',
    properties: { className: ['finding', f.severity], dataRule: f.rule },
    children: [
      { type: 'element', tagName: 'strong', properties: {}, children: [text(`QA ${f.severity} · ${f.rule}${f.line ? ` · line ${f.line}` : ''}`)] },
      text(' '),
      text(f.message),
      ...(f.fix ? [{ type: 'element', tagName: 'div', properties: { className: ['fix'] }, children: [text(`Fix: ${f.fix}`)] } as Element] : []),
    ],
  };
}

/** Puts each finding right after the top-level block whose lines hold it; the rest go first. */
function placeFindings(findings: Finding[]) {
  return (tree: Root) => {
    const placed = new Set<Finding>();
    const out: RootContent[] = [];
    for (const node of tree.children) {
      out.push(node);
      if (node.type !== 'element') continue;
      const start = Number(node.properties.dataLineStart);
      const end = Number(node.properties.dataLineEnd);
      for (const f of findings) {
        if (!placed.has(f) && f.line !== undefined && f.line >= start && f.line <= end) {
          out.push(findingNode(f));
          placed.add(f);
        }
      }
    }
    const unplaced = findings.filter((f) => !placed.has(f));
    tree.children = [...unplaced.map(findingNode), ...out];
  };
}

/** Renders a draft to HTML that is safe to put in a page, with its QA findings beside their lines. */
export async function renderDraft(markdown: string, findings: Finding[] = []): Promise<string> {
  const file = await unified()
    .use(remarkParse)
    .use(remarkFrontmatter, ['yaml'])
    .use(remarkGfm)
    .use(htmlAsText)
    // Ids are prefixed once, by rehype-sanitize (against DOM clobbering); links follow below.
    .use(remarkRehype, { clobberPrefix: '' })
    .use(markLines)
    .use(rehypeSanitize, schema)
    .use(mermaidBlocks)
    .use(prefixFragmentLinks)
    .use(rehypeHighlight, { detect: false })
    .use(placeFindings, findings)
    .use(rehypeStringify)
    .process(markdown);
  return String(file);
}
