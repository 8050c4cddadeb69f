/**
 * Domain types shared by the CLI, the worker, activities and workflows.
 *
 * Pure types only: workflows import this file, so nothing here may touch I/O.
 */
import type { CaseBrief, SourceRef } from './plan-schema';
import type { Lang, SourceKind } from './vocabulary';

export { LANGS, METRICS, SOURCE_KINDS, type Lang, type MetricBucket, type SourceKind } from './vocabulary';

export { PHASES, REWORK_PHASES, type CasePhase, type ReworkPhase, type WorkPhase } from './phases';

// The brief and the plan are described once, by the plan's zod schema; their types are inferred there.
export type {
  CaseBrief,
  DesignFigure,
  ExistingCase,
  Industry,
  Plan,
  Quorum,
  ReviewPolicy,
  Reviewer,
  SourceRef,
  Template,
  TemplateSection,
} from './plan-schema';

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
