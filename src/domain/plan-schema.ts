/**
 * The plan's and the template's schemas, and the types derived from them.
 *
 * The schemas are the one description of a brief: `CaseBrief`, `ReviewPolicy`, `SourceRef` and the
 * rest are inferred from them (re-exported by ./types), so the loader in src/plan.ts returns what it
 * parsed without casts. Pure: no I/O. Workflows import these types with `import type` only, so zod
 * never reaches the workflow bundle.
 */
import ms, { type StringValue } from 'ms';
import { z } from 'zod';
import { CASE_ID_PATTERN } from '../names';
import { LANGS, METRICS, SOURCE_KINDS } from './vocabulary';

/** Fix hints carried by custom issues (read back by src/plan.ts). */
export type Fix = { fix: string };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const DATE_RE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const FULL_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date (2024-02-30 is not), for YYYY, YYYY-MM or YYYY-MM-DD. */
function isCalendarDate(v: string): boolean {
  const [y, m, d] = v.split('-').map(Number);
  if (m === undefined) return true;
  if (m < 1 || m > 12) return false;
  if (d === undefined) return true;
  return d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const dateText = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(DATE_RE, 'must be YYYY, YYYY-MM or YYYY-MM-DD'))
  .superRefine((v, ctx) => {
    if (DATE_RE.test(v) && !isCalendarDate(v)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${v}" is not a calendar date`, params: { fix: 'write the date as the page gives it, e.g. 2024-02-07' } satisfies Fix });
    }
  });

const text = z.string().trim().min(1);
const bilingual = z.object({ zh: text, en: text }).strict();
const caseId = z.string().regex(CASE_ID_PATTERN, 'must be lowercase letters, digits and dashes (at most 63), starting with a letter or digit');
const tag = z.string().regex(CASE_ID_PATTERN, 'must be a lowercase tag of letters, digits and dashes');
const personName = z.string().regex(NAME_RE, 'must be letters, digits, ".", "_" or "-" (at most 63)');
const httpUrl = z.string().superRefine((v, ctx) => {
  if (!isHttpUrl(v)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${v}" is not an http(s) URL`, params: { fix: 'give the full public address, starting with https://' } satisfies Fix });
  }
});
const duration = z.string().superRefine((v, ctx) => {
  if (parseDuration(v) === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `"${v}" is not a duration`,
      params: { fix: "write a positive duration such as '36h', '2 days' or '90 minutes'" } satisfies Fix,
    });
  }
});
const lang = z.enum(LANGS);

const industry = z.object({ id: tag, label: bilingual }).strict();

const reviewer = z.object({ name: personName, role: tag }).strict();

const quorum = z
  .object({ count: z.number().int().min(1).optional(), roles: z.array(tag).min(1).optional() })
  .strict()
  .superRefine((q, ctx) => {
    if ((q.count === undefined) === (q.roles === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'a quorum is either a number of approvals or a list of roles, not both or neither',
        params: { fix: 'write `quorum: { count: 2 }` or `quorum: { roles: [tech, data] }`' } satisfies Fix,
      });
    }
  })
  // Either form, never both: the rule above has refused anything else, so `roles` is set here.
  .transform((q): { count: number } | { roles: string[] } => (q.count !== undefined ? { count: q.count } : { roles: q.roles ?? [] }));

/** A review policy as the plan writes it: a case may leave fields to `defaults.review`. */
export const reviewPartial = z
  .object({
    reviewers: z.array(reviewer).min(1).optional(),
    quorum: quorum.optional(),
    /** Takes over when the deadline passes; never approves automatically. */
    backup: reviewer.optional(),
    /** Durations in ms-compatible strings, e.g. '2 days', '36h'. */
    remindAfter: duration.optional(),
    escalateAfter: duration.optional(),
    /** After this many revisions the case needs the lead's attention. */
    maxRevisions: z.number().int().min(1).optional(),
  })
  .strict();

const KIND_FIX =
  'add `kind: excerpt` (our restatement of the page, in a file: location), `kind: quote` (verbatim text with a `locator:`, in a file: location) or `kind: snapshot` (the page itself, fetched live from an https location)';

/** A source named in a case brief: a project-local file or an http(s) URL. */
const source = z
  .object({
    /** Short id, unique within the brief, used in citations: `[S1]`. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be a short id of letters, digits, "_" or "-", such as S1'),
    /** What the collected text is; required by the refinement below (absent only for ad-hoc sources). */
    kind: z.enum(SOURCE_KINDS).optional(),
    /** `file:` paths are relative to the plan file; otherwise an http(s) URL. */
    location: text,
    title: text,
    publisher: text.optional(),
    /** Publication date: YYYY-MM-DD, or YYYY / YYYY-MM with `dateNote` saying why the day is not given. */
    date: dateText.optional(),
    /** Why `date` is partial or absent (e.g. a living documentation page). */
    dateNote: text.optional(),
    /** When the excerpt or quote was taken from the page (YYYY-MM-DD). */
    retrieved: dateText.optional(),
    /** The date the data describes, when it differs from the publication date (YYYY, YYYY-MM or YYYY-MM-DD). */
    dataAsOf: dateText.optional(),
    /** Where a quote sits in the page (section, paragraph, table). */
    locator: text.optional(),
    /** The public URL a reader can check when `location` is a local excerpt. */
    url: httpUrl.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string, fix: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message, params: { fix } satisfies Fix });
    if (s.kind === undefined) {
      issue('kind', 'is missing: the source does not say what its text is', KIND_FIX);
    } else if (s.kind !== 'snapshot') {
      if (s.url === undefined) issue('url', `an ${s.kind} must name the public page it comes from`, 'add `url: https://...` of the page the excerpt restates or quotes');
      if (s.retrieved === undefined) {
        issue('retrieved', `an ${s.kind} must say when it was taken from the page`, 'add `retrieved: YYYY-MM-DD`, the day the page was read');
      } else if (!FULL_DATE_RE.test(s.retrieved)) {
        issue('retrieved', `"${s.retrieved}" is not a full date`, 'write the day the page was read as YYYY-MM-DD');
      }
      if (s.kind === 'quote' && s.locator === undefined) issue('locator', 'a quote must say where in the page it stands', 'add `locator:` naming the section, paragraph or table quoted');
    }
    if (s.date === undefined) {
      if (s.dateNote === undefined) issue('date', 'the source has no publication date', 'add `date: YYYY-MM-DD` as the page gives it, or `dateNote:` saying why there is none (e.g. a documentation page updated in place)');
    } else if (!FULL_DATE_RE.test(s.date) && s.dateNote === undefined) {
      issue('date', `"${s.date}" gives no day`, 'write the full date (YYYY-MM-DD) when the page gives it; when it does not, keep what it gives and add `dateNote:` saying so');
    }
  });

/** A number the case states as a design target or an estimate, never as a fact. */
const designFigure = z
  .object({
    /** The template bucket the figure belongs to. */
    metric: z.enum(METRICS),
    kind: z.enum(['target', 'estimate']),
    /** The statement, including its number, e.g. { zh: '峰值每秒 2,000 笔支付', en: '2,000 payments per second at peak' }. */
    text: bilingual,
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const l of ['zh', 'en'] as const) {
      if (!/\d/.test(f.text[l])) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['text', l],
          message: 'a design target or estimate must state its number',
          params: { fix: 'write the figure into the text, e.g. "2,000 payments per second at peak"' } satisfies Fix,
        });
      }
    }
  });

/** One case as the plan writes it; the loader merges `defaults` into it to make a {@link CaseBrief}. */
const caseSchema = z
  .object({
    id: caseId,
    company: text,
    /** Key of an industry declared in the plan, e.g. `fintech`. */
    industry: tag,
    title: bilingual,
    features: z.array(bilingual).min(1),
    /** Theme tags used for the scenario-theme classification, e.g. `payments`. */
    themes: z.array(tag).min(1),
    context: bilingual,
    requirements: z.array(bilingual).min(1),
    painPoints: z.array(bilingual).min(1),
    sources: z.array(source).min(1),
    /** Figures that are not from a source, always labelled as such in the document. */
    targets: z.array(designFigure).default([]),
    /** Who the draft is attributed to; the author may not approve it. */
    author: personName.optional(),
    language: lang.optional(),
    review: reviewPartial.optional(),
  })
  .strict();

/** The plan file. */
export const planSchema = z
  .object({
    version: text,
    title: text,
    language: lang,
    defaults: z
      .object({ author: personName.optional(), language: lang.optional(), review: reviewPartial.optional() })
      .strict()
      .optional(),
    industries: z.array(industry).min(1),
    existing: z
      .array(
        z
          // A case the library already holds; `document` is where it lives, if it is in this library.
          .object({ id: caseId, company: text, industry: tag, themes: z.array(tag).default([]), document: text.optional() })
          .strict(),
      )
      .default([]),
    cases: z.array(caseSchema).min(1),
  })
  .strict();

/** The analysis template. */
export const templateSchema = z
  .object({
    version: text,
    sections: z
      .array(
        z
          .object({
            id: tag,
            title: bilingual,
            items: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'must be "<section id>.<item>"'), title: bilingual }).strict()).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Types, derived from the schemas

/** The plan file as parsed, before `defaults` are merged into the cases. */
export type PlanFile = z.output<typeof planSchema>;
/** One case as the plan writes it. */
export type CaseEntry = z.output<typeof caseSchema>;

export type SourceRef = z.output<typeof source>;
export type Reviewer = z.output<typeof reviewer>;
/** Either N approvals from the roster, or one approval for each listed role. */
export type Quorum = z.output<typeof quorum>;
/** A review policy as written: fields a case leaves out come from `defaults.review`. */
export type ReviewInput = z.output<typeof reviewPartial>;
/** A complete review policy: every field set, by the case or by the plan's defaults. */
export type ReviewPolicy = Required<ReviewInput>;
export type DesignFigure = z.output<typeof designFigure>;
export type Industry = z.output<typeof industry>;
/** A case the library already holds (before this plan version). */
export type ExistingCase = PlanFile['existing'][number];

/** A brief: everything the pipeline needs to produce one case (a plan case with its defaults merged in). */
export interface CaseBrief extends Omit<CaseEntry, 'author' | 'language' | 'review'> {
  /** Who the draft is attributed to; the author may not approve it. */
  author: string;
  language: PlanFile['language'];
  review: ReviewPolicy;
}

export interface Plan extends Omit<PlanFile, 'defaults' | 'cases'> {
  cases: CaseBrief[];
  /** Absolute path of the file the plan was loaded from (for messages and relative sources). */
  file: string;
}

export type Template = z.output<typeof templateSchema>;
/** One section of the analysis template. */
export type TemplateSection = Template['sections'][number];

// ---------------------------------------------------------------------------------------------
// Helpers

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Milliseconds of an `ms`-style duration (the parser Temporal itself uses), or undefined. */
export function parseDuration(v: string): number | undefined {
  try {
    const n = ms(v as StringValue);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
