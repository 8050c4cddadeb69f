/**
 * Loading and validating the plan (cases, industries, review policy) and the analysis template.
 *
 * Both are YAML data files. Every problem is reported with the file, the field path, the line, what is
 * wrong and how to fix it, so a plan author can act on the message without reading this code.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { missingFigures, parseExcerpt } from './domain/facts';
import {
  isHttpUrl,
  parseDuration,
  planSchema,
  templateSchema,
  type CaseBrief,
  type Fix,
  type Plan,
  type PlanFile,
  type ReviewInput,
  type ReviewPolicy,
  type SourceRef,
  type Template,
} from './domain/plan-schema';
import { METRICS } from './domain/types';

/** One problem found in a plan or template file. */
export interface PlanIssue {
  file: string;
  /** 1-based line of the offending field (or of its nearest existing parent). */
  line?: number;
  /** Field path such as `cases[2].review.quorum.count`. */
  field: string;
  message: string;
  fix: string;
}

/** A plan or template file that cannot be used, with every problem found in it. */
export class PlanError extends Error {
  constructor(
    readonly file: string,
    readonly issues: PlanIssue[],
    options?: { cause?: unknown },
  ) {
    super(formatIssues(file, issues), options);
    this.name = 'PlanError';
  }
}

/** A case id that the plan does not contain. */
export class UnknownCaseError extends PlanError {
  constructor(
    file: string,
    readonly caseId: string,
    readonly validIds: string[],
  ) {
    super(file, [
      {
        file,
        field: 'cases',
        message: `the plan has no case "${caseId}"`,
        fix: validIds.length
          ? `use one of: ${validIds.join(', ')}${suggestion(caseId, validIds)}`
          : 'add the case to the plan first',
      },
    ]);
    this.name = 'UnknownCaseError';
  }
}

function formatIssues(file: string, issues: PlanIssue[]): string {
  const head = `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  const lines = issues.map((i) => {
    const at = i.file !== file ? `${i.file}${i.line !== undefined ? `:${i.line}` : ''}` : i.line !== undefined ? `line ${i.line}` : '';
    const where = at ? `${i.field} (${at})` : i.field;
    return `  - ${where}: ${i.message}\n    fix: ${i.fix}`;
  });
  return [head, ...lines].join('\n');
}

type PathSeg = string | number;

/** `['cases', 2, 'review']` -> `cases[2].review`. */
function fieldName(p: readonly PathSeg[]): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(document)';
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** `; did you mean "x"?` when a close candidate exists, else ''. */
function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3))
    ? `; did you mean "${best}"?`
    : '';
}

// ---------------------------------------------------------------------------------------------
// Schemas

/** Example values shown in fix hints for missing or mistyped fields. */
const EXAMPLES: Record<string, string> = {
  version: "version: 'v15.0'",
  title: 'title: { zh: ..., en: ... }',
  language: 'language: zh',
  industries: 'industries: [{ id: fintech, label: { zh: 金融科技, en: Fintech } }]',
  cases: 'cases: [ { id: square, ... } ]',
  id: 'id: square',
  company: 'company: Square',
  industry: 'industry: fintech',
  features: 'features: [{ zh: ..., en: ... }]',
  themes: 'themes: [payments]',
  context: 'context: { zh: ..., en: ... }',
  requirements: 'requirements: [{ zh: ..., en: ... }]',
  painPoints: 'painPoints: [{ zh: ..., en: ... }]',
  sources: 'sources: [{ id: S1, kind: excerpt, location: file:sources/<case>/S1.md, url: https://..., title: ..., date: YYYY-MM-DD, retrieved: YYYY-MM-DD }]',
  location: 'location: file:sources/<case>/S1.md  (or an https:// URL)',
  reviewers: 'reviewers: [{ name: alice, role: tech }]',
  quorum: 'quorum: { count: 2 }',
  backup: 'backup: { name: dave, role: lead }',
  remindAfter: "remindAfter: '2 days'",
  escalateAfter: "escalateAfter: '4 days'",
  maxRevisions: 'maxRevisions: 5',
  author: 'author: erin',
  name: 'name: alice',
  role: 'role: tech',
  metric: 'metric: throughput',
  kind: 'kind: target',
  text: 'text: { zh: ..., en: ... }',
  zh: 'zh: 中文文本',
  en: 'en: English text',
  sections: 'sections: [{ id: scenario, title: {...}, items: [...] }]',
  items: 'items: [{ id: scenario.background, title: {...} }]',
  label: 'label: { zh: ..., en: ... }',
};

/** Allowed keys of every object in a schema, by path pattern (`cases[].review`). */
function collectShapes(schema: z.ZodTypeAny, pattern: string, out: Map<string, string[]>): Map<string, string[]> {
  const def = schema._def as { typeName?: string; innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny; type?: z.ZodTypeAny };
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodOptional:
    case z.ZodFirstPartyTypeKind.ZodDefault:
    case z.ZodFirstPartyTypeKind.ZodNullable:
      return collectShapes(def.innerType as z.ZodTypeAny, pattern, out);
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return collectShapes(def.schema as z.ZodTypeAny, pattern, out);
    case z.ZodFirstPartyTypeKind.ZodArray:
      return collectShapes(def.type as z.ZodTypeAny, `${pattern}[]`, out);
    case z.ZodFirstPartyTypeKind.ZodObject: {
      const shape = (schema as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      out.set(pattern, Object.keys(shape));
      for (const [k, v] of Object.entries(shape)) collectShapes(v, pattern ? `${pattern}.${k}` : k, out);
      return out;
    }
    default:
      return out;
  }
}

function pathPattern(p: readonly PathSeg[]): string {
  let out = '';
  for (const seg of p) out += typeof seg === 'number' ? '[]' : out ? `.${seg}` : seg;
  return out;
}

const PLAN_SHAPES = collectShapes(planSchema, '', new Map());
const TEMPLATE_SHAPES = collectShapes(templateSchema, '', new Map());

/** A problem before line numbers are attached. */
interface RawIssue {
  path: PathSeg[];
  message: string;
  fix: string;
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
}

function zodIssues(error: z.ZodError, shapes: Map<string, string[]>): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of error.issues) {
    const last = issue.path[issue.path.length - 1];
    const key = typeof last === 'string' ? last : undefined;
    const example = key && EXAMPLES[key] ? ` (e.g. ${EXAMPLES[key]})` : '';
    switch (issue.code) {
      case z.ZodIssueCode.unrecognized_keys: {
        const allowed = shapes.get(pathPattern(issue.path)) ?? [];
        for (const k of issue.keys) {
          out.push({
            path: [...issue.path, k],
            atKey: true,
            message: `unknown field "${k}"`,
            fix: `remove it or rename it${suggestion(k, allowed)}${allowed.length ? ` (allowed here: ${allowed.join(', ')})` : ''}`,
          });
        }
        break;
      }
      case z.ZodIssueCode.invalid_type:
        if (issue.received === 'undefined' || issue.received === 'null') {
          out.push({ path: issue.path, message: 'is missing', fix: `add it${example}` });
        } else if (issue.expected === 'string' && (issue.received === 'number' || issue.received === 'boolean')) {
          out.push({ path: issue.path, message: `should be text, got a ${issue.received}`, fix: `quote the value${example}` });
        } else {
          out.push({ path: issue.path, message: `should be ${article(issue.expected)}, got ${article(issue.received)}`, fix: `write it as ${article(issue.expected)}${example}` });
        }
        break;
      case z.ZodIssueCode.invalid_enum_value:
        out.push({
          path: issue.path,
          message: `"${String(issue.received)}" is not allowed`,
          fix: `use one of: ${issue.options.join(', ')}${suggestion(String(issue.received), issue.options.map(String))}`,
        });
        break;
      case z.ZodIssueCode.too_small:
        if (issue.type === 'array') {
          out.push({ path: issue.path, message: `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}`, fix: `add entries${example}` });
        } else if (issue.type === 'string') {
          out.push({ path: issue.path, message: 'must not be empty', fix: `write a value${example}` });
        } else {
          out.push({ path: issue.path, message: `must be at least ${String(issue.minimum)}`, fix: `use a number of ${String(issue.minimum)} or more` });
        }
        break;
      case z.ZodIssueCode.invalid_string:
        out.push({ path: issue.path, message: issue.message, fix: `change the value${example}` });
        break;
      case z.ZodIssueCode.custom: {
        const fix = (issue.params as Partial<Fix> | undefined)?.fix ?? 'correct the value';
        out.push({ path: issue.path, message: issue.message, fix });
        break;
      }
      default:
        out.push({ path: issue.path, message: issue.message, fix: `correct the value${example}` });
    }
  }
  return out;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

// ---------------------------------------------------------------------------------------------
// YAML with positions

interface Located {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses YAML, turning syntax errors into issues with their line. */
async function readYaml(file: string, what: string): Promise<{ data: unknown; located: Located }> {
  let textContent: string;
  try {
    textContent = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanError(
      file,
      [
        {
          file,
          field: '(file)',
          message: code === 'ENOENT' ? `the ${what} file does not exist` : `the ${what} file cannot be read (${code ?? String(err)})`,
          fix: what === 'plan' ? 'pass an existing plan with --plan <file>, or set CASEBOOK_PLAN' : 'restore plan/template.yaml, or set CASEBOOK_TEMPLATE',
        },
      ],
      { cause: err },
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(textContent, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanError(
      file,
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line,
        field: '(yaml)',
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        fix: e.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : 'correct the YAML syntax at that line (indentation, quotes, ":" after keys)',
      })),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PlanError(file, [
      { file, line: 1, field: '(document)', message: `the ${what} must be a YAML mapping (key: value lines)`, fix: `start the file with the ${what}'s fields, e.g. "version: v15.0"` },
    ]);
  }
  return { data, located: { file, doc, lines } };
}

/** Line of the node at `p` (or of its deepest existing ancestor). */
function lineOf(loc: Located, p: readonly PathSeg[], atKey = false): number | undefined {
  let node: unknown = loc.doc.contents;
  let line: number | undefined = rangeLine(loc, node);
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) return line;
      line = rangeLine(loc, pair.key) ?? line;
      if (i === p.length - 1 && atKey) return line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) return line;
      node = item;
      line = rangeLine(loc, node) ?? line;
    } else {
      return line;
    }
  }
  return line;
}

function rangeLine(loc: Located, node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? loc.lines.linePos(range[0]).line : undefined;
}

/** Attaches lines and orders the issues as they appear in the file. */
function locate(loc: Located, raw: RawIssue[]): PlanIssue[] {
  const issues = raw.map((r) => ({
    file: loc.file,
    line: lineOf(loc, r.path, r.atKey),
    field: fieldName(r.path),
    message: r.message,
    fix: r.fix,
  }));
  return issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Absolute path of a `file:` source, or undefined for URL sources. The plan loader has already
 * checked that the path stays inside the plan's folder and exists.
 */
export function sourcePath(plan: Pick<Plan, 'file'>, src: Pick<SourceRef, 'location'>): string | undefined {
  if (!src.location.startsWith('file:')) return undefined;
  return path.resolve(path.dirname(plan.file), src.location.slice('file:'.length));
}

/** Checks a source location: a `file:` path inside `baseDir` that exists, or an http(s) URL. */
async function checkLocation(baseDir: string, location: string): Promise<{ message: string; fix: string } | undefined> {
  if (!location.startsWith('file:')) {
    if (isHttpUrl(location)) return undefined;
    return {
      message: `"${location}" is neither a file: path nor an http(s) URL`,
      fix: 'write file:<path relative to the plan file>, e.g. file:sources/square/S1.md, or a full https:// URL',
    };
  }
  const rel = location.slice('file:'.length);
  if (rel.length === 0) return { message: 'the file: location has no path', fix: 'write file:<path relative to the plan file>, e.g. file:sources/square/S1.md' };
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel) || rel.startsWith('~')) {
    return { message: `"${rel}" is an absolute path`, fix: 'use a path relative to the plan file and keep source excerpts inside the plan folder' };
  }
  const normalized = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (normalized === '..' || normalized.startsWith('../')) {
    return { message: `"${rel}" points outside the plan folder`, fix: 'copy the excerpt into the plan folder (e.g. plan/sources/<case>/) and point to it without ".."' };
  }
  const full = path.resolve(baseDir, normalized);
  let stat;
  try {
    stat = await fs.stat(full);
  } catch {
    return { message: `the file "${normalized}" does not exist (looked for ${full})`, fix: 'create the excerpt file or correct the path' };
  }
  if (!stat.isFile()) return { message: `"${normalized}" is not a file`, fix: 'point to a Markdown or text file' };
  // A symlink inside the folder may still lead outside it.
  const [realBase, realFull] = await Promise.all([fs.realpath(baseDir), fs.realpath(full)]);
  const relReal = path.relative(realBase, realFull);
  if (relReal.startsWith('..') || path.isAbsolute(relReal)) {
    return { message: `"${normalized}" resolves (through a link) outside the plan folder`, fix: 'replace the link with a real file inside the plan folder' };
  }
  return undefined;
}

/** Reads a YAML file and parses it with `schema`; throws {@link PlanError} locating every problem the schema finds. */
async function readValid<S extends z.ZodTypeAny>(
  file: string,
  kind: 'plan' | 'template',
  schema: S,
  shapes: Map<string, string[]>,
): Promise<{ abs: string; data: z.output<S>; located: Located }> {
  const abs = path.resolve(file);
  const { data, located } = await readYaml(abs, kind);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new PlanError(abs, locate(located, zodIssues(parsed.error, shapes)));
  return { abs, data: parsed.data, located };
}

// ---------------------------------------------------------------------------------------------
// Plan

const REVIEW_FIELDS = ['reviewers', 'quorum', 'backup', 'remindAfter', 'escalateAfter', 'maxRevisions'] as const;

/**
 * Reads, validates and normalises a plan file: defaults are merged into each case, and the returned
 * plan carries its absolute `file`. Throws {@link PlanError} listing every problem found.
 */
export async function loadPlan(file: string): Promise<Plan> {
  const { abs, data: input, located } = await readValid(file, 'plan', planSchema, PLAN_SHAPES);
  const raw: RawIssue[] = [];
  const merged = input.cases.map((c) => mergeCase(input, c));
  const cases = merged.flatMap((c, i) => completeCase(c, i, raw) ?? []);
  raw.push(...checkPlan(input, merged));
  raw.push(...(await checkSources(path.dirname(abs), input)));
  const excerptIssues = await checkExcerpts(path.dirname(abs), input);
  if (raw.length + excerptIssues.length > 0) throw new PlanError(abs, [...locate(located, raw), ...excerptIssues]);
  return { version: input.version, title: input.title, language: input.language, industries: input.industries, existing: input.existing, cases, file: abs };
}

/** Where a review field of case `i` was written: in the case, or inherited from the defaults. */
function reviewOrigin(input: PlanFile, i: number, field: (typeof REVIEW_FIELDS)[number]): PathSeg[] {
  return input.cases[i].review?.[field] !== undefined ? ['cases', i, 'review', field] : ['defaults', 'review', field];
}

/** A plan case with the plan's defaults merged in; `author` and review fields may still be missing. */
interface MergedCase extends Omit<CaseBrief, 'author' | 'review'> {
  author?: string;
  review: ReviewInput;
}

function mergeCase(input: PlanFile, c: PlanFile['cases'][number]): MergedCase {
  const { author, language, review, ...brief } = c;
  return {
    ...brief,
    author: author ?? input.defaults?.author,
    language: language ?? input.defaults?.language ?? input.language,
    review: { ...input.defaults?.review, ...review },
  };
}

/** The brief of a merged case, or undefined after reporting each field that neither the case nor the defaults set. */
function completeCase(c: MergedCase, i: number, raw: RawIssue[]): CaseBrief | undefined {
  for (const f of REVIEW_FIELDS) {
    if (c.review[f] === undefined) {
      raw.push({
        path: ['cases', i, 'review', f],
        message: `review.${f} is missing (neither the case nor defaults.review sets it)`,
        fix: `add it to the case's review or to defaults.review (e.g. ${EXAMPLES[f]})`,
      });
    }
  }
  if (c.author === undefined) {
    raw.push({ path: ['cases', i, 'author'], message: 'author is missing (neither the case nor defaults sets it)', fix: 'add `author: <name>` to the case or to defaults' });
  }
  const review = completeReview(c.review);
  return c.author === undefined || review === undefined ? undefined : { ...c, author: c.author, review };
}

function completeReview(r: ReviewInput): ReviewPolicy | undefined {
  const { reviewers, quorum, backup, remindAfter, escalateAfter, maxRevisions } = r;
  if (reviewers === undefined || quorum === undefined || backup === undefined || remindAfter === undefined || escalateAfter === undefined || maxRevisions === undefined) return undefined;
  return { reviewers, quorum, backup, remindAfter, escalateAfter, maxRevisions };
}

function duplicates<T>(items: readonly T[], key: (t: T) => string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  items.forEach((t, i) => seen.set(key(t), [...(seen.get(key(t)) ?? []), i]));
  return new Map([...seen].filter(([, idx]) => idx.length > 1));
}

/** Cross-field rules that a schema cannot express. */
function checkPlan(input: PlanFile, cases: MergedCase[]): RawIssue[] {
  const raw: RawIssue[] = [];
  const industryIds = input.industries.map((x) => x.id);

  for (const [id, idx] of duplicates(input.industries, (x) => x.id)) {
    for (const i of idx.slice(1)) raw.push({ path: ['industries', i, 'id'], message: `industry id "${id}" is declared more than once`, fix: 'give each industry its own id' });
  }
  for (const [id, idx] of duplicates(input.cases, (x) => x.id)) {
    for (const i of idx.slice(1)) raw.push({ path: ['cases', i, 'id'], message: `case id "${id}" is used by cases[${idx[0]}] too`, fix: 'give each case a unique id' });
  }
  for (const [id, idx] of duplicates(input.existing, (x) => x.id)) {
    for (const i of idx.slice(1)) raw.push({ path: ['existing', i, 'id'], message: `existing entry "${id}" is listed more than once`, fix: 'remove the repeated entry' });
  }
  const existingIds = new Set(input.existing.map((e) => e.id));
  input.cases.forEach((c, i) => {
    if (existingIds.has(c.id)) {
      raw.push({ path: ['cases', i, 'id'], message: `case id "${c.id}" is already an existing library entry`, fix: 'choose another id, or remove the entry from existing if this case replaces it' });
    }
  });

  const checkIndustry = (where: PathSeg[], value: string) => {
    if (!industryIds.includes(value)) {
      raw.push({ path: where, message: `industry "${value}" is not declared in industries`, fix: `use one of: ${industryIds.join(', ')}${suggestion(value, industryIds)}, or add it to industries` });
    }
  };
  input.existing.forEach((e, i) => checkIndustry(['existing', i, 'industry'], e.industry));
  input.cases.forEach((c, i) => checkIndustry(['cases', i, 'industry'], c.industry));

  cases.forEach((c, i) => {
    for (const [id, idx] of duplicates(input.cases[i].sources, (s) => s.id)) {
      for (const j of idx.slice(1)) raw.push({ path: ['cases', i, 'sources', j, 'id'], message: `source id "${id}" is used twice in this case`, fix: 'number the sources S1, S2, ... without repeats' });
    }
    const r = c.review;
    if (!r.reviewers) return;
    const at = (f: (typeof REVIEW_FIELDS)[number], ...rest: PathSeg[]): PathSeg[] => [...reviewOrigin(input, i, f), ...rest];
    const roster = r.reviewers;
    for (const [name, idx] of duplicates(roster, (x) => x.name)) {
      raw.push({ path: at('reviewers', idx[1], 'name'), message: `reviewer "${name}" is listed more than once`, fix: 'list each reviewer once' });
    }
    const names = roster.map((x) => x.name);
    const roles = [...new Set(roster.map((x) => x.role))];
    if (r.quorum && 'count' in r.quorum && r.quorum.count !== undefined && r.quorum.count > roster.length) {
      raw.push({
        path: at('quorum', 'count'),
        message: `the quorum asks for ${r.quorum.count} approvals but the roster (${fieldName(reviewOrigin(input, i, 'reviewers'))}) has ${roster.length} reviewer${roster.length === 1 ? '' : 's'}`,
        fix: `lower quorum.count to ${roster.length} or fewer, or add reviewers`,
      });
    }
    if (r.quorum && 'roles' in r.quorum && r.quorum.roles) {
      r.quorum.roles.forEach((role, k) => {
        if (!roles.includes(role)) {
          raw.push({ path: at('quorum', 'roles', k), message: `no reviewer in the roster has the role "${role}"`, fix: `use one of the roster's roles (${roles.join(', ')})${suggestion(role, roles)}, or add a reviewer with that role` });
        }
      });
    }
    if (r.backup && names.includes(r.backup.name)) {
      raw.push({ path: at('backup', 'name'), message: `the backup reviewer "${r.backup.name}" is also in the roster`, fix: 'choose a backup outside the roster: escalation must reach someone new' });
    }
    if (c.author !== undefined) {
      const authorAt: PathSeg[] = input.cases[i].author !== undefined ? ['cases', i, 'author'] : ['defaults', 'author'];
      if (names.includes(c.author)) {
        raw.push({ path: authorAt, message: `the author "${c.author}" is also a reviewer of case "${c.id}"`, fix: 'the author may not approve their own draft: choose another author or remove them from the roster' });
      } else if (r.backup && r.backup.name === c.author) {
        raw.push({ path: authorAt, message: `the author "${c.author}" is the backup reviewer of case "${c.id}"`, fix: 'choose a backup reviewer other than the author' });
      }
    }
    if (r.remindAfter && r.escalateAfter) {
      const remind = parseDuration(r.remindAfter);
      const escalate = parseDuration(r.escalateAfter);
      if (remind !== undefined && escalate !== undefined && escalate <= remind) {
        raw.push({ path: at('escalateAfter'), message: `escalateAfter (${r.escalateAfter}) must be later than remindAfter (${r.remindAfter})`, fix: 'escalate only after the reminder: make escalateAfter longer than remindAfter' });
      }
    }
  });
  return raw;
}

/** A usable location that does not fit the source's kind. */
function kindMismatch(s: { id: string; kind?: string; location: string }): { message: string; fix: string } | undefined {
  const local = s.location.startsWith('file:');
  if (s.kind === 'snapshot' && local) {
    return { message: 'a snapshot is fetched live, so its location must be an http(s) URL', fix: 'write the page address as location, or use `kind: excerpt` for a local restatement of it' };
  }
  if ((s.kind === 'excerpt' || s.kind === 'quote') && !local) {
    return { message: `an ${s.kind} is kept in a project-local file`, fix: `write \`location: file:sources/<case>/${s.id}.md\` and \`url:\` for the page, or use \`kind: snapshot\` for a page fetched live` };
  }
  return undefined;
}

async function checkSources(baseDir: string, input: PlanFile): Promise<RawIssue[]> {
  const raw: RawIssue[] = [];
  for (const [i, c] of input.cases.entries()) {
    for (const [j, s] of c.sources.entries()) {
      const problem = (await checkLocation(baseDir, s.location)) ?? kindMismatch(s);
      if (problem) raw.push({ path: ['cases', i, 'sources', j, 'location'], ...problem });
    }
  }
  return raw;
}

/**
 * Checks the files of `kind: excerpt` sources: every item that states a figure has its Chinese
 * restatement (`zh:` line), and that restatement states the same figures. Problems name the
 * excerpt file and its line.
 */
async function checkExcerpts(baseDir: string, input: PlanFile): Promise<PlanIssue[]> {
  const out: PlanIssue[] = [];
  for (const [i, c] of input.cases.entries()) {
    for (const [j, s] of c.sources.entries()) {
      if (s.kind !== 'excerpt' || !s.location.startsWith('file:')) continue;
      const file = path.resolve(baseDir, s.location.slice('file:'.length));
      let content: string;
      try {
        content = await fs.readFile(file, 'utf8');
      } catch {
        continue; // checkLocation reports a missing file.
      }
      const field = `cases[${i}].sources[${j}]`;
      for (const item of parseExcerpt(content)) {
        const figures = missingFigures(item.text, '');
        if (figures.length === 0) continue;
        if (item.zh === undefined) {
          out.push({
            file,
            line: item.line,
            field,
            message: `the item states ${figures.map((n) => n.raw).join(', ')} but has no Chinese restatement`,
            fix: 'add an indented line `  zh: ...` under the item that says the same in Chinese, with the same figures',
          });
          continue;
        }
        const missing = missingFigures(item.text, item.zh);
        if (missing.length > 0) {
          out.push({
            file,
            line: item.zhLine ?? item.line,
            field,
            message: `the Chinese restatement does not state ${missing.map((n) => `${n.raw}${n.unit ? ` (${n.unit})` : ''}`).join(', ')} of the item`,
            fix: 'write the same figures in the zh: line as in the item (e.g. $29.8 billion as 298 亿美元)',
          });
        }
      }
    }
  }
  return out;
}

/** The brief of one case; throws {@link UnknownCaseError} (listing the valid ids) when absent. */
export function findCase(plan: Plan, caseId: string): CaseBrief {
  const found = plan.cases.find((c) => c.id === caseId);
  if (!found) throw new UnknownCaseError(plan.file, caseId, plan.cases.map((c) => c.id));
  return found;
}

// ---------------------------------------------------------------------------------------------
// Template

/** The metric buckets every template must offer, as suffixes of item ids. */
export const METRIC_ITEMS = METRICS;

/** Reads and validates the analysis template. Throws {@link PlanError} listing every problem found. */
export async function loadTemplate(file: string): Promise<Template> {
  const { abs, data: t, located } = await readValid(file, 'template', templateSchema, TEMPLATE_SHAPES);
  const raw: RawIssue[] = [];
  for (const [id, idx] of duplicates(t.sections, (s) => s.id)) {
    for (const i of idx.slice(1)) raw.push({ path: ['sections', i, 'id'], message: `section id "${id}" is used more than once`, fix: 'give each section its own id' });
  }
  const itemIds = new Set<string>();
  t.sections.forEach((s, i) =>
    s.items.forEach((it, j) => {
      if (!it.id.startsWith(`${s.id}.`)) {
        raw.push({ path: ['sections', i, 'items', j, 'id'], message: `item id "${it.id}" does not belong to section "${s.id}"`, fix: `start it with "${s.id}.", e.g. ${s.id}.${it.id.split('.').pop() ?? 'item'}` });
      }
      if (itemIds.has(it.id)) raw.push({ path: ['sections', i, 'items', j, 'id'], message: `item id "${it.id}" is used more than once`, fix: 'give each item its own id' });
      itemIds.add(it.id);
    }),
  );
  const suffixes = [...itemIds].map((id) => id.split('.').pop());
  const missing = METRIC_ITEMS.filter((m) => !suffixes.includes(m));
  if (missing.length > 0) {
    raw.push({
      path: ['sections'],
      message: `no item id ends in ${missing.map((m) => `".${m}"`).join(', ')}; figures cannot be mapped to the metric buckets`,
      fix: 'keep the metrics section items with ids such as metrics.throughput, metrics.latency, metrics.reliability, metrics.cost',
    });
  }
  if (raw.length > 0) throw new PlanError(abs, locate(located, raw));
  return t;
}
