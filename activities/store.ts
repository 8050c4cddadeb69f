import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { casebookHome } from '../src/config';

/** sha256 of a string or buffer, as hex. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A draft's revision: the first 12 hex digits of the sha256 of its Markdown. */
export function revisionOf(markdown: string): string {
  return sha256(markdown).slice(0, 12);
}

/**
 * Writes a file atomically: a temporary file beside the target, then a rename. Readers see the old
 * file or the new one, never half of one.
 */
export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

function artifactPath(ref: string): string {
  if (!/^[a-f0-9]{64}\.[a-z]{2,4}$/.test(ref)) {
    throw new Error(`not an artifact reference: ${JSON.stringify(ref)}`);
  }
  return path.join(casebookHome(), 'artifacts', ref.slice(0, 2), ref);
}

/**
 * Stores content by its hash and returns the reference (`<sha256>.<ext>`). Storing the same content
 * twice is a no-op, which makes every activity that stores artifacts safe to retry.
 */
export async function putArtifact(content: string | Buffer, ext: string): Promise<string> {
  const ref = `${sha256(content)}.${ext}`;
  const file = artifactPath(ref);
  try {
    await fs.access(file);
  } catch {
    await writeFileAtomic(file, content);
  }
  return ref;
}

export async function putJson(value: unknown): Promise<string> {
  return putArtifact(JSON.stringify(value, null, 2), 'json');
}

export async function getArtifact(ref: string): Promise<string> {
  return fs.readFile(artifactPath(ref), 'utf8');
}

export async function getJson<T>(ref: string): Promise<T> {
  return JSON.parse(await getArtifact(ref)) as T;
}
