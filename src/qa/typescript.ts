/**
 * Technical accuracy of TypeScript excerpts: every ```ts block of a case type-checks against the
 * @temporalio packages installed in this project, with the TypeScript compiler API in-process.
 *
 * One language service lives for the life of the process: the Temporal declaration files are parsed
 * once (a cold program takes seconds) and later calls only re-check the changed blocks. All blocks of
 * a document are checked together, as separate virtual modules in one program. Checking is synchronous
 * from writing the virtual files to reading the diagnostics, so concurrent callers cannot interleave.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../config';
import type { Finding } from '../domain/types';

/** A TypeScript or JavaScript excerpt and the document line of its first code line. */
export interface CodeBlock {
  code: string;
  line: number;
  /** The file kind it is checked as (default `ts`); JavaScript is checked with `checkJs`. */
  kind?: 'ts' | 'tsx' | 'js';
}

/** Fence languages checked as code, and the file kind each is checked as. */
export const CODE_LANGS: Record<string, 'ts' | 'tsx' | 'js'> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'js',
};

const VIRTUAL_DIR = path.join(projectRoot, '.casebook-qa-virtual');

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  noUnusedLocals: false,
  allowJs: true,
  checkJs: true,
  jsx: ts.JsxEmit.Preserve,
};

interface Virtual {
  text: string;
  version: number;
}

let service: ts.LanguageService | undefined;
const virtual = new Map<string, Virtual>();
const diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();

function languageService(): ts.LanguageService {
  if (service) return service;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [...virtual.keys()],
    getScriptVersion: (file) => String(virtual.get(file)?.version ?? 0),
    getScriptSnapshot: (file) => {
      const v = virtual.get(file);
      if (v) return ts.ScriptSnapshot.fromString(v.text);
      if (!diskSnapshots.has(file)) {
        const text = ts.sys.readFile(file);
        diskSnapshots.set(file, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
      }
      return diskSnapshots.get(file);
    },
    getCurrentDirectory: () => projectRoot,
    getCompilationSettings: () => COMPILER_OPTIONS,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => virtual.has(file) || ts.sys.fileExists(file),
    readFile: (file) => virtual.get(file)?.text ?? ts.sys.readFile(file),
    readDirectory: ts.sys.readDirectory,
    directoryExists: (dir) => dir === VIRTUAL_DIR || ts.sys.directoryExists(dir),
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return service;
}

/** Fix hints for compiler messages that come from common Temporal mistakes. */
const HINTS: [RegExp, string][] = [
  [/'staticSummary'/, 'the activity option is `summary`; `staticSummary` is a workflow start option'],
  [/'(?:query|executeUpdate|result|describe)' does not exist on type 'ExternalWorkflowHandle'/, 'an external workflow handle can only `signal` and `cancel`; query or update a workflow through a client handle'],
  [/'searchAttributes' is deprecated|SearchAttributes' is deprecated/, 'use `typedSearchAttributes` with keys from `defineSearchAttributeKey`'],
  [/Cannot find module '(@temporalio\/[^']+)'/, 'import from a published @temporalio package: activity, client, common, testing, worker, workflow'],
  [/Cannot find module/, 'excerpts may import only @temporalio packages and Node built-ins; declare other dependencies as types in the block'],
];

function hintFor(message: string): string {
  return HINTS.find(([re]) => re.test(message))?.[1] ?? 'make the excerpt compile on its own: complete imports, declared types, strict mode';
}

function walkTs(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walkTs(c, visit));
}

function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** Temporal mistakes the types allow but the SDK rejects or deprecates. */
function temporalLint(sf: ts.SourceFile, checker: ts.TypeChecker | undefined): { pos: number; rule: string; message: string; fix: string }[] {
  const out: { pos: number; rule: string; message: string; fix: string }[] = [];
  walkTs(sf, (n) => {
    // The compiler reports deprecated calls and references, not deprecated properties of an options
    // object (such as the untyped `searchAttributes` start option): look those up in the contextual type.
    if (checker && (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && ts.isObjectLiteralExpression(n.parent)) {
      const name = ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) ? n.name.text : undefined;
      const contextual = checker.getContextualType(n.parent);
      const types = contextual ? (contextual.isUnion() ? contextual.types : [contextual]) : [];
      for (const type of types) {
        const prop = name ? checker.getPropertyOfType(type, name) : undefined;
        const tag = prop?.getJsDocTags(checker).find((t) => t.name === 'deprecated');
        if (!tag) continue;
        const why = ts.displayPartsToString(tag.text).replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, '`$1`').trim();
        out.push({
          pos: n.getStart(sf),
          rule: 'tech/deprecated-api',
          message: `the option '${name}' is deprecated${why ? `: ${why}` : ''}`,
          fix: hintFor(`'${name}' is deprecated`) === hintFor('') ? `follow the deprecation note${why ? `: ${why}` : ''}` : hintFor(`'${name}' is deprecated`),
        });
        break;
      }
    }
    if (!ts.isCallExpression(n)) return;
    const name = calleeName(n);
    const arg = n.arguments[0];
    if ((name === 'proxyActivities' || name === 'proxyLocalActivities') && arg && ts.isObjectLiteralExpression(arg)) {
      const hasSpread = arg.properties.some((p) => ts.isSpreadAssignment(p));
      const keys = arg.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : ''));
      if (!hasSpread && !keys.includes('startToCloseTimeout') && !keys.includes('scheduleToCloseTimeout')) {
        out.push({
          pos: n.getStart(sf),
          rule: 'tech/activity-timeout',
          message: `${name} is called without startToCloseTimeout or scheduleToCloseTimeout; the SDK throws when such an activity is scheduled`,
          fix: "set `startToCloseTimeout` (e.g. '30 seconds') or `scheduleToCloseTimeout`",
        });
      }
    }
    if (name === 'upsertSearchAttributes' && arg && ts.isObjectLiteralExpression(arg)) {
      out.push({
        pos: n.getStart(sf),
        rule: 'tech/glossary',
        message: 'upsertSearchAttributes is given a record of untyped search attributes (deprecated)',
        fix: 'pass typed pairs: `upsertSearchAttributes([{ key: defineSearchAttributeKey(name, type), value }])`',
      });
    }
  });
  return out;
}

/**
 * Type-checks TypeScript excerpts together, each as its own module. Findings carry the compiler's
 * message and the document line it points at.
 */
export function checkTypeScriptBlocks(blocks: CodeBlock[]): Finding[] {
  const ls = languageService();
  const names = blocks.map((b, i) => path.join(VIRTUAL_DIR, `block-${i + 1}.${b.kind ?? 'ts'}`));
  for (const file of [...virtual.keys()]) if (!names.includes(file)) virtual.delete(file);
  blocks.forEach((block, i) => {
    // `export {}` keeps a block without imports a module, so blocks never share globals.
    const text = `${block.code}\nexport {};\n`;
    const prev = virtual.get(names[i]);
    if (prev?.text !== text) virtual.set(names[i], { text, version: (prev?.version ?? 0) + 1 });
  });
  const out: Finding[] = [];
  blocks.forEach((block, i) => {
    const file = names[i];
    const lineIn = (sf: ts.SourceFile | undefined, start: number | undefined): number =>
      sf && start !== undefined ? block.line + sf.getLineAndCharacterOfPosition(start).line : block.line;
    const program = ls.getProgram();
    const sf = program?.getSourceFile(file);
    // JavaScript has no annotations to add: implicit-any diagnostics (TS7xxx) are not the writer's to fix there.
    const diagnostics = [...ls.getSyntacticDiagnostics(file), ...ls.getSemanticDiagnostics(file)].filter((d) => block.kind !== 'js' || d.code < 7000 || d.code >= 8000);
    const finding = (rule: string, d: ts.Diagnostic): Finding => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      return { rule, severity: 'error', line: lineIn(sf, d.start), message: `TS${d.code}: ${message} (code block ${i + 1})`, fix: hintFor(message) };
    };
    for (const d of diagnostics) out.push(finding('tech/typecheck', d));
    for (const d of ls.getSuggestionDiagnostics(file)) if (d.reportsDeprecated) out.push(finding('tech/deprecated-api', d));
    if (sf) {
      for (const f of temporalLint(sf, program?.getTypeChecker())) out.push({ rule: f.rule, severity: 'error', line: lineIn(sf, f.pos), message: `${f.message} (code block ${i + 1})`, fix: f.fix });
    }
  });
  return out;
}

/** Builds the program over the Temporal types ahead of the first document (for the worker's start-up). */
export function warmTypeChecker(): void {
  checkTypeScriptBlocks([
    {
      line: 1,
      code: [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import { Client } from '@temporalio/client';",
        "import { Worker } from '@temporalio/worker';",
        "import { Context } from '@temporalio/activity';",
        "import { ApplicationFailure } from '@temporalio/common';",
        'export type T = [typeof proxyActivities, Client, Worker, Context, ApplicationFailure];',
      ].join('\n'),
    },
  ]);
}

/** True when the Temporal packages the excerpts are checked against are installed. */
export function temporalTypesAvailable(): boolean {
  return fs.existsSync(path.join(projectRoot, 'node_modules', '@temporalio', 'workflow', 'package.json'));
}
