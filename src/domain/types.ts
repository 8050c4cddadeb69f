/**
 * Domain types shared by the CLI, the worker, activities and workflows.
 *
 * Pure types only: workflows import this file, so nothing here may touch I/O.
 */

/** Languages a case document can be written in; Chinese is the library's language. */
export type Lang = 'zh' | 'en';

/** The working phases of a case, in order. */
export const PHASES = ['research', 'analysis', 'writing', 'qa', 'review', 'publish'] as const;
export type WorkPhase = (typeof PHASES)[number];

/** Every value the `CasePhase` search attribute can take. `drafting`: the draft waits for a writer. */
export type CasePhase = WorkPhase | 'drafting' | 'published' | 'attention' | 'failed';

/** Phases a reviewer may send a case back to. */
export const REWORK_PHASES = ['research', 'analysis', 'writing'] as const;
export type ReworkPhase = (typeof REWORK_PHASES)[number];

/** A source named in a case brief: a project-local file or an http(s) URL. */
export interface SourceRef {
  /** Short id, unique within the brief, used in citations: `[S1]`. */
  id: string;
  /** `file:` paths are relative to the plan file; otherwise an http(s) URL. */
  location: string;
  title: string;
  publisher?: string;
  /** Publication date as written by the publisher: YYYY, YYYY-MM or YYYY-MM-DD. */
  date?: string;
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
  metric: 'throughput' | 'latency' | 'reliability' | 'cost';
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

/** Outcome of collecting one source. */
export interface CollectedSource {
  id: string;
  title: string;
  location: string;
  url?: string;
  publisher?: string;
  date?: string;
  status: 'ok' | 'unreachable' | 'rejected';
  /** sha256 of the raw snapshot, when collected. */
  snapshot?: string;
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
}

/** What research hands on: stored whole as an artifact, summarised in history. */
export interface Dossier {
  caseId: string;
  sources: CollectedSource[];
  facts: Fact[];
  notes: ResearchNote[];
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
