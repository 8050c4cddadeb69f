/**
 * The casebook store: where artifacts, snapshots, the publish journal and the notification log live.
 *
 * `CASEBOOK_STORE_URL` (src/config.ts `storeUrl`) selects it:
 * - unset: the local directory `CASEBOOK_HOME` (`.casebook/`), as `npm start` has always used;
 * - `postgres://user:password@host:port/database[?schema=name]`: PostgreSQL, shared by every worker
 *   and CLI that is given the same URL, so workers are interchangeable and a lost disk loses nothing.
 */
import { createHash } from 'node:crypto';
import { casebookHome, storeUrl } from '../config';
import { LocalStore } from './local';
import { parsePostgresUrl, PostgresStore } from './postgres';
import { NotInStoreError, type BlobKind, type Store } from './types';

export { NotInStoreError, type BlobKind, type Store } from './types';
export { writeFileAtomic } from './files';

export { storeUrl } from '../config';

const postgresStores = new Map<string, PostgresStore>();

/**
 * The store selected by the environment now. The local store follows `CASEBOOK_HOME` at each call;
 * a PostgreSQL store (and its connection pool) is made once per URL.
 */
export function currentStore(): Store {
  const url = storeUrl();
  if (url === undefined) return new LocalStore(casebookHome());
  let store = postgresStores.get(url);
  if (!store) {
    store = new PostgresStore(parsePostgresUrl(url));
    postgresStores.set(url, store);
  }
  return store;
}

/** Closes every PostgreSQL connection pool (tests, and processes that want to exit at once). */
export async function closeStores(): Promise<void> {
  const stores = [...postgresStores.values()];
  postgresStores.clear();
  await Promise.all(stores.map((s) => s.close()));
}

/** sha256 of a string or buffer, as hex. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Reads a blob and checks it still hashes to its key, so a damaged copy is never used. */
async function readBlob(kind: BlobKind, key: string): Promise<Buffer> {
  const store = currentStore();
  const content = await store.getBlob(kind, key);
  if (content === null) throw new NotInStoreError(kind, key, store.description);
  if (sha256(content) !== key.slice(0, 64)) {
    throw new Error(`${kind} ${key} in ${store.description} is damaged: its content no longer matches its sha256`);
  }
  return content;
}

/**
 * Stores content by its hash and returns the reference (`<sha256>.<ext>`). Storing the same content
 * twice is a no-op, which makes every activity that stores artifacts safe to retry.
 */
export async function putArtifact(content: string | Buffer, ext: string): Promise<string> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const ref = `${sha256(bytes)}.${ext}`;
  await currentStore().putBlob('artifact', ref, bytes);
  return ref;
}

export async function putJson(value: unknown): Promise<string> {
  return putArtifact(JSON.stringify(value, null, 2), 'json');
}

/** An artifact as text; throws `NotInStoreError` (code `ENOENT`) when it is not stored. */
export async function getArtifact(ref: string): Promise<string> {
  return (await readBlob('artifact', ref)).toString('utf8');
}

export async function getJson<T>(ref: string): Promise<T> {
  return JSON.parse(await getArtifact(ref)) as T;
}

/** The Markdown of a draft, by its reference (`draftRef`); the same as {@link getArtifact}. */
export function readDraft(ref: string): Promise<string> {
  return getArtifact(ref);
}

/** Stores the raw bytes of a source snapshot and returns their sha256; storing them twice is a no-op. */
export async function putSnapshot(bytes: Buffer): Promise<string> {
  const hash = sha256(bytes);
  await currentStore().putBlob('snapshot', hash, bytes);
  return hash;
}

/** When and where a snapshot's bytes were first fetched. */
export interface SnapshotRecord {
  url: string;
  contentType?: string;
  fetchedAt: string;
}

/**
 * The fetch record of a snapshot, kept beside it under the artifact key `<sha256>.page`. It is
 * written once per content: fetching unchanged bytes again keeps the first fetch time, so research
 * stays idempotent.
 */
export async function putSnapshotRecord(hash: string, record: SnapshotRecord): Promise<void> {
  if (await getSnapshotRecord(hash)) return;
  await currentStore().putBlob('artifact', `${hash}.page`, Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'));
}

/** The fetch record of a snapshot, or undefined when none was stored (or it cannot be read). */
export async function getSnapshotRecord(hash: string): Promise<SnapshotRecord | undefined> {
  const raw = await currentStore().getBlob('artifact', `${hash}.page`);
  if (!raw) return undefined;
  try {
    const record = JSON.parse(raw.toString('utf8')) as Partial<SnapshotRecord>;
    return typeof record.fetchedAt === 'string' && typeof record.url === 'string' ? (record as SnapshotRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The raw bytes of a snapshot, by sha256. */
export function getSnapshot(hash: string): Promise<Buffer> {
  return readBlob('snapshot', hash);
}
