/**
 * The closed lists a brief is written in: languages, metric buckets and source kinds. A leaf module
 * (no imports), so that both the plan's schema (./plan-schema) and the types (./types) build on it.
 */

/** Languages a case document can be written in; Chinese is the library's language. */
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

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
