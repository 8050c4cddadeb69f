/**
 * Reading what earlier phases stored, and loading the analysis template: the two inputs every
 * writing and QA activity starts from, with their permanent failures typed once.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { NonRetryable } from '../src/domain/failures';
import type { CaseBrief, Dossier, Template } from '../src/domain/types';
import { loadTemplate, PlanError } from '../src/plan';
import { getArtifact } from './store';

/** Whether a store read failed because the reference names nothing (or is not a reference at all). */
function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err instanceof Error && err.message.startsWith('not an artifact reference'));
}

/**
 * Reads a stored artifact. A reference that is malformed or names no stored artifact is a
 * permanent failure (`ArtifactMissing`: retrying cannot make it appear); anything else is left to
 * Temporal's retries.
 */
export async function readArtifact(ref: string, what: string): Promise<string> {
  try {
    return await getArtifact(ref);
  } catch (err) {
    if (!isMissing(err)) throw err;
    throw ApplicationFailure.create({
      message: `the ${what} ${JSON.stringify(ref)} is not in the artifact store; run the phase that produces it again`,
      type: NonRetryable.ArtifactMissing,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}

/** Reads a stored JSON artifact; see {@link readArtifact}. */
export async function readArtifactJson<T>(ref: string, what: string): Promise<T> {
  return JSON.parse(await readArtifact(ref, what)) as T;
}

/**
 * The brief a step works from: the one in its input (steps scheduled before research stored it),
 * else the one research stored in the dossier. A dossier without one cannot be analysed or composed
 * from (`ArtifactMissing`).
 */
export function briefOf(given: CaseBrief | undefined, dossier: Dossier): CaseBrief {
  const brief = given ?? dossier.brief;
  if (!brief) {
    throw ApplicationFailure.nonRetryable(
      `the dossier of case "${dossier.caseId}" holds no brief and none was passed; pass the brief, or collect a dossier with it (research with \`brief\`)`,
      NonRetryable.ArtifactMissing,
    );
  }
  return brief;
}

const templates = new Map<string, { mtimeMs: number; template: Template }>();

/**
 * The analysis template in `file`, loaded once per worker and again only when the file changes.
 * A template that does not load is a permanent failure (`InvalidTemplate`).
 */
export async function readTemplate(file: string): Promise<Template> {
  const key = path.resolve(file);
  const mtimeMs = await fs.stat(key).then((st) => st.mtimeMs, () => -1);
  const cached = templates.get(key);
  if (cached && cached.mtimeMs === mtimeMs) return cached.template;
  try {
    const template = await loadTemplate(key);
    templates.set(key, { mtimeMs, template });
    return template;
  } catch (err) {
    if (err instanceof PlanError) {
      throw ApplicationFailure.create({ message: err.message, type: NonRetryable.InvalidTemplate, nonRetryable: true, cause: err });
    }
    throw err;
  }
}
