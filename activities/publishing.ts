/**
 * Publishing: puts an approved draft into the library folder, and takes it back out when a later
 * step of the saga fails.
 *
 * Layout:
 * - `<library>/cases/<industry>/<case>.md`: the published document.
 * - `<library>/cases/.published/<case>.json`: the manifest entry of the case (one file per case, so
 *   concurrent publications of different cases never race on a shared file).
 * - the publish journal, in the store (`src/store/`, shared by every worker when it is PostgreSQL):
 *   what the last publication replaced (previous document, as an artifact, and previous manifest
 *   entry), so that `unpublishCase` can restore it, on any worker.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { libraryDir } from '../src/config';
import { currentStore } from '../src/store';
import { CASE_ID_PATTERN } from '../src/names';
import type { PublishResult } from '../src/domain/types';
import { getArtifact, putArtifact, revisionOf, writeFileAtomic } from './store';
import { NonRetryable } from '../src/domain/failures';

/** One case in the publish manifest. */
export interface ManifestEntry {
  caseId: string;
  industry: string;
  revision: string;
  /** Path of the document relative to the library folder, with `/` separators. */
  path: string;
  publishedAt: string;
}

/** What a publication replaced; written before the document, read by `unpublishCase`. */
interface JournalEntry {
  caseId: string;
  industry: string;
  revision: string;
  /** `<workflowId>/<runId>` of the publishing workflow, to recognise a retry of the same publication. */
  owner: string;
  /** Artifact reference of the document that was replaced, or null if there was none. */
  previousRef: string | null;
  previousEntry: ManifestEntry | null;
}

function unsafePath(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, NonRetryable.UnsafePath);
}

function checkSlug(kind: 'caseId' | 'industry', value: string): void {
  if (typeof value !== 'string' || !CASE_ID_PATTERN.test(value)) {
    throw unsafePath(
      `${kind} ${JSON.stringify(value)} cannot be used in a library path: use lowercase letters, digits and dashes, starting with a letter or digit`,
    );
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Absolute path where a case is published: `<library>/cases/<industry>/<caseId>.md`. */
export function publishedPath(industry: string, caseId: string): string {
  checkSlug('caseId', caseId);
  checkSlug('industry', industry);
  const root = libraryDir();
  const file = path.resolve(root, 'cases', industry, `${caseId}.md`);
  if (!isInside(root, file)) {
    throw unsafePath(`${file} is outside the library folder ${root}`);
  }
  return file;
}

function manifestFile(caseId: string): string {
  return path.join(libraryDir(), 'cases', '.published', `${caseId}.json`);
}

async function lstatOrNull(file: string) {
  try {
    return await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Refuses symbolic links below the library folder: a link at `cases/`, `cases/<industry>/` or the
 * document itself could send the write outside the library.
 */
async function checkNoLinks(file: string): Promise<void> {
  const root = libraryDir();
  const parts = path.relative(root, file).split(path.sep);
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    const stat = await lstatOrNull(current);
    if (stat === null) return;
    if (stat.isSymbolicLink()) {
      throw unsafePath(`${current} is a symbolic link; casebook only writes real files inside ${root}`);
    }
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readJsonOrNull<T>(file: string): Promise<T | null> {
  const text = await readOrNull(file);
  return text === null ? null : (JSON.parse(text) as T);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** `<workflowId>/<runId>` of the calling workflow, or `direct` outside an activity started by one. */
function publicationOwner(): string {
  let execution: { workflowId: string; runId: string } | undefined;
  try {
    execution = Context.current().info.workflowExecution;
  } catch {
    // Not running as an activity (a script or the CLI called the function directly).
    execution = undefined;
  }
  return execution ? `${execution.workflowId}/${execution.runId}` : 'direct';
}

/** The manifest entry of one case, or null when it is not published. */
export async function readManifestEntry(caseId: string): Promise<ManifestEntry | null> {
  checkSlug('caseId', caseId);
  return readJsonOrNull<ManifestEntry>(manifestFile(caseId));
}

/** Every published case, by case id. */
export async function readPublishManifest(): Promise<Record<string, ManifestEntry>> {
  const dir = path.join(libraryDir(), 'cases', '.published');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const manifest: Record<string, ManifestEntry> = {};
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const entry = await readJsonOrNull<ManifestEntry>(path.join(dir, name));
    if (entry) manifest[entry.caseId] = entry;
  }
  return manifest;
}

/**
 * Publishes an approved draft to `<library>/cases/<industry>/<caseId>.md` and records it in the
 * manifest.
 *
 * Atomic (temporary file and rename) and idempotent: publishing the same revision again changes
 * nothing. Before replacing a document it journals the previous version so `unpublishCase` can
 * restore it. Fails without retry with `RevisionMismatch` when the stored draft is not `revision`,
 * and with `UnsafePath` when the case id or industry is not a slug or the target escapes the
 * library folder.
 *
 * @returns the absolute path of the document and its revision.
 */
export async function publishCase(input: {
  caseId: string;
  industry: string;
  draftRef: string;
  revision: string;
}): Promise<PublishResult> {
  const { caseId, industry, draftRef, revision } = input;
  const file = publishedPath(industry, caseId);
  const markdown = await getArtifact(draftRef);
  const actual = revisionOf(markdown);
  if (actual !== revision) {
    throw ApplicationFailure.nonRetryable(
      `the stored draft of ${caseId} is revision ${actual}, not the approved revision ${revision}; approve the current revision again`,
      NonRetryable.RevisionMismatch,
    );
  }
  await checkNoLinks(file);

  const owner = publicationOwner();
  const current = await readOrNull(file);
  const entry = await readJsonOrNull<ManifestEntry>(manifestFile(caseId));
  const journal = await currentStore().getJournal<JournalEntry>(caseId);
  // A retry of this same publication finds its own document in place: the journal it wrote first
  // still holds what was there before, and must not be replaced by the new document.
  const retryOfThisPublication =
    journal !== null && journal.revision === revision && journal.owner === owner && journal.industry === industry;
  if (!retryOfThisPublication) {
    // When the document is already this revision (published earlier), the journal records it as the
    // previous version too, so compensating this publication leaves that earlier one in place.
    const record: JournalEntry = {
      caseId,
      industry,
      revision,
      owner,
      previousRef: current === null ? null : await putArtifact(current, 'md'),
      previousEntry: entry,
    };
    await currentStore().putJournal(caseId, record);
  }

  if (current !== markdown) {
    await writeFileAtomic(file, markdown);
  }
  const relative = path.relative(libraryDir(), file).split(path.sep).join('/');
  if (!entry || entry.revision !== revision || entry.industry !== industry || entry.path !== relative) {
    const next: ManifestEntry = { caseId, industry, revision, path: relative, publishedAt: new Date().toISOString() };
    await writeJson(manifestFile(caseId), next);
  }
  return { path: file, revision };
}

/**
 * Saga compensation for `publishCase`: restores the document and manifest entry that the
 * publication of `revision` replaced (or removes them if it was the first publication).
 *
 * Touches nothing that is no longer at `revision`, so it is safe to run twice, after a later
 * publication, or when the publication never happened.
 */
export async function unpublishCase(input: { caseId: string; industry: string; revision: string }): Promise<void> {
  const { caseId, industry, revision } = input;
  const file = publishedPath(industry, caseId);
  const journal = await currentStore().getJournal<JournalEntry>(caseId);
  if (!journal || journal.revision !== revision || journal.industry !== industry) return;
  await checkNoLinks(file);

  // Each step checks that its target still holds `revision`, so a rerun after a crash finishes the
  // steps that did not happen and leaves the others alone.
  const entry = await readJsonOrNull<ManifestEntry>(manifestFile(caseId));
  if (entry && entry.revision === revision) {
    if (journal.previousEntry) {
      await writeJson(manifestFile(caseId), journal.previousEntry);
    } else {
      await fs.rm(manifestFile(caseId), { force: true });
    }
  }

  const current = await readOrNull(file);
  if (current !== null && revisionOf(current) === revision) {
    if (journal.previousRef) {
      const previous = await getArtifact(journal.previousRef).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        throw ApplicationFailure.nonRetryable(
          `the previous version of ${caseId} (${journal.previousRef}) is no longer in the store (${currentStore().description}); restore ${file} by hand`,
          NonRetryable.PreviousVersionMissing,
        );
      });
      if (previous !== current) await writeFileAtomic(file, previous);
    } else {
      await fs.rm(file, { force: true });
    }
  }

  await currentStore().deleteJournal(caseId);
}
