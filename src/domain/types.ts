/**
 * Domain types shared by the CLI, the worker, activities and workflows.
 *
 * Pure types only: workflows import this file, so nothing here may touch I/O.
 */
/** Languages a case document can be written in; Chinese is the library's language. */
export type Lang = 'zh' | 'en';

export { PHASES, REWORK_PHASES, type CasePhase, type ReworkPhase, type WorkPhase } from './phases';

/** The template's metric buckets, each the suffix of a metrics item id (`metrics.<bucket>`). */
export const METRICS = ['throughput', 'latency', 'reliability', 'cost'] as const;
export type MetricBucket = (typeof METRICS)[number];

/**
 * What the text held for a source is:
 * - `excerpt`: our own restatement of a page, kept in a project-local file;
 * - `quote`: verbatim text from a page, kept in a project-local file, with a locator;
 * - `snapshot`: the page itself, fetched live and stored with its SHA-256 and fetch time.
 */
export const SOURCE_KINDS = ['excerpt', 'quote', 'snapshot'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** A source named in a case brief: a project-local file or an http(s) URL. */
export interface SourceRef {
  /** Short id, unique within the brief, used in citations: `[S1]`. */
  id: string;
  /** `file:` paths are relative to the plan file; otherwise an http(s) URL. */
  location: string;
  title: string;
  /** What the collected text is; the plan loader requires it (absent only for ad-hoc sources). */
  kind?: SourceKind;
  publisher?: string;
  /** Publication date: YYYY-MM-DD, or YYYY / YYYY-MM with `dateNote` saying why the day is not given. */
  date?: string;
  /** Why `date` is partial or absent (e.g. a living documentation page). */
  dateNote?: string;
  /** When the excerpt or quote was taken from the page (YYYY-MM-DD). */
  retrieved?: string;
  /** The date the data describes, when it differs from the publication date (YYYY, YYYY-MM or YYYY-MM-DD). */
  dataAsOf?: string;
  /** Where a quote sits in the page (section, paragraph, table). */
  locator?: string;
  /** The public URL a reader can check when `location` is a local excerpt. */
  url?: string;
}

export interface Reviewer {
  name: string;
  role: string;
}

/** Either N approvals from the roster, or one approval for each listed role. */
export type Quorum = { count: number } | { roles: string[] };

export interface ReviewPolicy {
  reviewers: Reviewer[];
  quorum: Quorum;
  /** Takes over when the deadline passes; never approves automatically. */
  backup: Reviewer;
  /** Durations in ms-compatible strings, e.g. '2 days', '36h'. */
  remindAfter: string;
  escalateAfter: string;
  /** After this many revisions the case needs the lead's attention. */
  maxRevisions: number;
}

/** A brief: everything the pipeline needs to produce one case. */
export interface CaseBrief {
  id: string;
  company: string;
  /** Key of an industry declared in the plan, e.g. `fintech`. */
  industry: string;
  title: { zh: string; en: string };
  features: { zh: string; en: string }[];
  /** Theme tags used for the scenario-theme classification, e.g. `payments`. */
  themes: string[];
  context: { zh: string; en: string };
  requirements: { zh: string; en: string }[];
  painPoints: { zh: string; en: string }[];
  sources: SourceRef[];
  /**
   * Figures that are not from a source: design targets and estimates, always labelled as such in
   * the document. `metric` is the template bucket they belong to.
   */
  targets: DesignFigure[];
  /** Who the draft is attributed to; the author may not approve it. */
  author: string;
  language: Lang;
  review: ReviewPolicy;
}

/** A number the case states as a design target or an estimate, never as a fact. */
export interface DesignFigure {
  metric: MetricBucket;
  kind: 'target' | 'estimate';
  /** The statement, including its number, e.g. { zh: '峰值每秒 2,000 笔支付', en: '2,000 payments per second at peak' }. */
  text: { zh: string; en: string };
}

export interface Industry {
  id: string;
  label: { zh: string; en: string };
}

/** A case the library already holds (before this plan version). */
export interface ExistingCase {
  id: string;
  company: string;
  industry: string;
  themes: string[];
  /** Where the existing document lives, if it is in this library. */
  document?: string;
}

export interface Plan {
  version: string;
  title: string;
  language: Lang;
  industries: Industry[];
  existing: ExistingCase[];
  cases: CaseBrief[];
  /** Absolute path of the file the plan was loaded from (for messages and relative sources). */
  file: string;
}

/** One section of the analysis template. */
export interface TemplateSection {
  id: string;
  title: { zh: string; en: string };
  items: { id: string; title: { zh: string; en: string } }[];
}

export interface Template {
  version: string;
  sections: TemplateSection[];
}

/** A note or source a researcher added to a running case. */
export interface ResearchNote {
  author: string;
  text: string;
  /** Optional public source for the note. */
  url?: string;
  at: string;
}

/** A public page fetched to check an excerpt against, or fetched as the source itself. */
export interface PageSnapshot {
  url: string;
  /** sha256 of the raw bytes, stored under `<home>/snapshots/<sha256>`. */
  sha256: string;
  /** When these bytes were first fetched (ISO timestamp). */
  fetchedAt: string;
}

/** Whether a figure restated from a source was found in the source's page. */
export type FactStatus = 'verified' | 'unverified' | 'mismatch';

/** Outcome of collecting one source: the brief's description of it, then what collecting found. */
export interface CollectedSource extends Pick<SourceRef, 'id' | 'title' | 'location' | 'url' | 'publisher' | 'date' | 'dateNote' | 'retrieved' | 'dataAsOf' | 'locator'> {
  /** What `text` is: our restatement, verbatim text, or the fetched page. */
  kind: SourceKind;
  status: 'ok' | 'unreachable' | 'rejected';
  /** sha256 of the raw snapshot of a fetched page (kind `snapshot`), when collected. */
  snapshot?: string;
  /** sha256 of the local excerpt or quote file, when collected (never called a snapshot). */
  excerpt?: string;
  /** The page fetched live: the source itself (`snapshot`), or the page an excerpt restates. */
  page?: PageSnapshot;
  /** Why the page behind an excerpt or quote could not be checked. */
  pageError?: string;
  /** Readable text extracted from the snapshot, when collected (kept in the dossier, not in history). */
  text?: string;
  error?: string;
}

/** A quantitative statement found in a source. */
export interface Fact {
  id: string;
  value: number;
  /** Raw text of the number as written, e.g. '1.2 billion'. */
  raw: string;
  unit: string;
  sentence: string;
  sourceId: string;
  /** Template metric bucket, when it maps to one. */
  metric?: 'throughput' | 'latency' | 'reliability' | 'cost' | 'scale' | 'other';
  /**
   * The statement the figure sits in, per language, when the source gave one (an excerpt's item and
   * its translation). `sentence` stays in the source's own language for reviewers.
   */
  restatement?: Partial<Record<Lang, string>>;
  /** Checked against the source's page: found (verified), not found (mismatch), or not checked. */
  status?: FactStatus;
  /** What the check did, for reviewers: the page and why a figure is unverified or a mismatch. */
  check?: string;
}

/** What research hands on: stored whole as an artifact, summarised in history. */
export interface Dossier {
  caseId: string;
  sources: CollectedSource[];
  facts: Fact[];
  notes: ResearchNote[];
  /** The brief, stored once by research so analysis and writing read it here instead of in their input. */
  brief?: CaseBrief;
}

export interface DossierSummary {
  ref: string;
  sources: Pick<CollectedSource, 'id' | 'title' | 'status' | 'error'>[];
  factCount: number;
}

export interface OutlineSummary {
  ref: string;
  patterns: string[];
}

/** A figure cited in a draft, beside its source, for the review packet. */
export interface CitedFigure {
  text: string;
  /** Source id, or 'target' / 'estimate' for labelled figures. */
  basis: string;
  source?: { title: string; url?: string; date?: string };
  line: number;
  /** The page check of the source's facts behind the figure (sources only; labels have none). */
  status?: FactStatus;
  /** The source's own statements behind the figure (the excerpt's original language), for reviewers. */
  original?: string[];
}

/** One revision of a draft. `revision` is the content hash (first 12 hex of sha256). */
export interface DraftInfo {
  revision: string;
  ref: string;
  bytes: number;
  author: string;
  figures: CitedFigure[];
  /** Template items the draft leaves to a writer (marked in the text); absent when there are none. */
  awaitingWriter?: string[];
}

export type Severity = 'error' | 'warning';

/** One QA finding. */
export interface Finding {
  rule: string;
  severity: Severity;
  line?: number;
  section?: string;
  message: string;
  fix: string;
}

export interface QaSummary {
  revision: string;
  errors: number;
  warnings: number;
  /** At most a few dozen findings are kept in history; the full report is in `reportRef`. */
  findings: Finding[];
  reportRef: string;
}

export interface PublishResult {
  path: string;
  revision: string;
}
