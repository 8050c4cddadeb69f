/**
 * Temporal terms and API names that are deprecated, archived or belong to another SDK, checked in
 * prose, inline code and code blocks. TypeScript blocks are also checked by the compiler (see
 * typescript.ts); the entries here catch what the compiler cannot see: images, CLIs, prose, JS blocks.
 */
import type { Nodes } from 'mdast';
import type { Finding, Severity } from '../domain/types';
import { lineIn, lineOf, type ParsedDoc, sectionAt, walk } from './markdown';

type Where = 'prose' | 'code' | 'ts';

interface Entry {
  id: string;
  pattern: RegExp;
  where: Where[];
  severity: Severity;
  message: string;
  fix: string;
}

/** The glossary, checked against the @temporalio 1.24 type definitions and the Temporal CLI. */
export const GLOSSARY: Entry[] = [
  {
    id: 'auto-setup-image',
    pattern: /temporalio\/auto-setup/g,
    where: ['prose', 'code', 'ts'],
    severity: 'error',
    message: 'the temporalio/auto-setup image is deprecated',
    fix: 'run temporalio/server with temporalio/admin-tools for schema setup and namespace creation, or `temporal server start-dev` for development',
  },
  {
    id: 'tctl',
    pattern: /\btctl\b/g,
    where: ['prose', 'code'],
    severity: 'warning',
    message: 'tctl is the deprecated Temporal CLI',
    fix: 'use the `temporal` CLI (for example `temporal workflow list`, `temporal operator search-attribute create`)',
  },
  {
    id: 'temporalite',
    pattern: /\btemporalite\b/gi,
    where: ['prose', 'code'],
    severity: 'warning',
    message: 'Temporalite is archived; its role is taken by the CLI dev server',
    fix: 'use `temporal server start-dev`',
  },
  {
    id: 'untyped-search-attributes',
    pattern: /(?<![A-Za-z.])searchAttributes\s*:/g,
    where: ['code'],
    severity: 'error',
    message: 'the untyped `searchAttributes` start option is deprecated',
    fix: 'use `typedSearchAttributes: [{ key: defineSearchAttributeKey(name, type), value }]`',
  },
  {
    id: 'untyped-search-attributes',
    pattern: /`searchAttributes`\s*(?:option|选项|启动选项)/g,
    where: ['prose'],
    severity: 'warning',
    message: 'the untyped `searchAttributes` start option is deprecated',
    fix: 'recommend `typedSearchAttributes` with keys from `defineSearchAttributeKey`',
  },
  {
    id: 'upsert-record',
    pattern: /upsertSearchAttributes\(\s*\{/g,
    where: ['prose', 'code'],
    severity: 'error',
    message: 'upsertSearchAttributes with a record of untyped values is deprecated',
    fix: 'pass typed pairs: `upsertSearchAttributes([{ key, value }])`',
  },
  {
    id: 'activity-static-summary',
    pattern: /(?:activit(?:y|ies)|活动)[^\n。.]{0,60}staticSummary|staticSummary[^\n。.]{0,60}(?:activit(?:y|ies)|活动)/gi,
    where: ['prose', 'code'],
    severity: 'error',
    message: '`staticSummary` is not an activity option (it does not compile in TypeScript 1.24)',
    fix: 'the activity option is `summary`; `staticSummary` is a workflow start option',
  },
  {
    id: 'external-handle-query',
    pattern: /getExternalWorkflowHandle\([^)]*\)\s*\.\s*(?:query|executeUpdate|result)\b/g,
    where: ['prose', 'code'],
    severity: 'error',
    message: 'an external workflow handle can only signal and cancel',
    fix: 'query or update the other workflow through a client handle, or send it a signal',
  },
  {
    id: 'other-sdk-sleep',
    pattern: /\b(?:Workflow\.sleep|workflow\.Sleep)\s*\(/g,
    where: ['prose'],
    severity: 'warning',
    message: 'this is the Java/Go SDK sleep, not the TypeScript one',
    fix: "in TypeScript use `sleep('1 hour')` from @temporalio/workflow",
  },
];

const TS_LANGS = new Set(['ts', 'typescript', 'tsx', 'mts', 'cts']);
const JS_LANGS = new Set(['js', 'javascript', 'mjs', 'cjs', 'jsx']);

/** Text of a phrasing container with inline code kept in backticks. */
function withCode(node: Nodes): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'inlineCode') return `\`${node.value}\``;
  if (node.type === 'break') return '\n';
  return 'children' in node ? (node.children as Nodes[]).map(withCode).join('') : '';
}

/** Glossary findings for one document. */
export function checkGlossary(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  const scan = (value: string, firstLine: number, where: Where): void => {
    for (const entry of GLOSSARY) {
      if (!entry.where.includes(where)) continue;
      entry.pattern.lastIndex = 0;
      for (const m of value.matchAll(entry.pattern)) {
        const line = lineIn(value, firstLine, m.index);
        out.push({ rule: 'tech/glossary', severity: entry.severity, line, section: sectionAt(doc, line), message: `${entry.message} ("${m[0].slice(0, 60)}")`, fix: entry.fix });
      }
    }
  };
  walk(doc.tree, (n) => {
    if (n.type === 'paragraph' || n.type === 'heading' || n.type === 'tableCell') scan(withCode(n), lineOf(n), 'prose');
    else if (n.type === 'code') {
      const lang = (n.lang ?? '').toLowerCase();
      // Code of another SDK legitimately uses its own names; only TS/JS and non-language blocks are judged.
      if (TS_LANGS.has(lang)) scan(n.value, lineOf(n) + 1, 'ts');
      else if (JS_LANGS.has(lang) || !/^(?:go|java|python|py|ruby|rb|php|csharp|cs|c#|kotlin|rust)$/.test(lang)) scan(n.value, lineOf(n) + 1, 'code');
    }
  });
  return out;
}
