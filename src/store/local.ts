/**
 * The local-directory store (the default, used when CASEBOOK_STORE_URL is unset):
 *
 * - `<home>/artifacts/<2 hex>/<sha256>.<ext>` and `<home>/snapshots/<sha256>`, written atomically;
 * - `<home>/publish-journal/<caseId>.json`;
 * - `<home>/notifications.log`, one JSON line per record, append-only.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './files';
import { checkBlobKey, type BlobKind, type Store } from './types';

/**
 * Keys already in a log file, read incrementally: the log is append-only, so each read takes only
 * what was appended since the last one (by this process or another worker on the same disk).
 */
interface LogIndex {
  offset: number;
  ino: number;
  seen: Set<string>;
}
const indexes = new Map<string, LogIndex>();
const queues = new Map<string, Promise<unknown>>();

const identity = (key: string, event: string): string => `${event}\u0000${key}`;

/**
 * Work on one log file is serialised in this process: two appends at once would otherwise both read
 * from the same offset, or both find a key missing and both append it.
 */
function serialised<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(file, next.catch(() => undefined));
  return next;
}

async function readLogIndex(file: string): Promise<LogIndex> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    indexes.delete(file);
    return { offset: 0, ino: 0, seen: new Set() };
  }
  let index = indexes.get(file);
  if (!index || index.ino !== stat.ino || stat.size < index.offset) {
    index = { offset: 0, ino: stat.ino, seen: new Set() };
    indexes.set(file, index);
  }
  if (stat.size > index.offset) {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - index.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, index.offset);
      const chunk = buffer.subarray(0, bytesRead);
      // Stop at the last complete line; a line being appended right now is read next time.
      const end = chunk.lastIndexOf(0x0a) + 1;
      for (const line of chunk.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        let record: { key?: unknown; event?: unknown };
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof record.key !== 'string') continue;
        index.seen.add(identity(record.key, typeof record.event === 'string' ? record.event : 'notified'));
      }
      index.offset += end;
    } finally {
      await handle.close();
    }
  }
  return index;
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class LocalStore implements Store {
  readonly description: string;

  constructor(readonly home: string) {
    this.description = `local directory ${home}`;
  }

  async ready(): Promise<void> {
    await fs.mkdir(this.home, { recursive: true });
  }

  /** Path of a blob; `key` is checked first, so it cannot leave the folder. */
  blobPath(kind: BlobKind, key: string): string {
    checkBlobKey(kind, key);
    return kind === 'artifact'
      ? path.join(this.home, 'artifacts', key.slice(0, 2), key)
      : path.join(this.home, 'snapshots', key);
  }

  get logFile(): string {
    return path.join(this.home, 'notifications.log');
  }

  private journalFile(caseId: string): string {
    return path.join(this.home, 'publish-journal', `${caseId}.json`);
  }

  async putBlob(kind: BlobKind, key: string, content: Buffer): Promise<void> {
    const file = this.blobPath(kind, key);
    try {
      await fs.access(file);
    } catch {
      await writeFileAtomic(file, content);
    }
  }

  getBlob(kind: BlobKind, key: string): Promise<Buffer | null> {
    return readOrNull(this.blobPath(kind, key));
  }

  async getJournal<T>(caseId: string): Promise<T | null> {
    const text = await readOrNull(this.journalFile(caseId));
    return text === null ? null : (JSON.parse(text.toString('utf8')) as T);
  }

  async putJournal(caseId: string, entry: unknown): Promise<void> {
    await writeFileAtomic(this.journalFile(caseId), `${JSON.stringify(entry, null, 2)}\n`);
  }

  async deleteJournal(caseId: string): Promise<void> {
    await fs.rm(this.journalFile(caseId), { force: true });
  }

  appendLog(line: string, key: string | undefined, event: string): Promise<boolean> {
    const file = this.logFile;
    return serialised(file, async () => {
      const index = await readLogIndex(file);
      if (key !== undefined && index.seen.has(identity(key, event))) return false;
      await fs.mkdir(path.dirname(file), { recursive: true });
      // One write per line, opened for append: writers in other processes do not interleave within a line.
      await fs.appendFile(file, `${line}\n`);
      if (key !== undefined) index.seen.add(identity(key, event));
      return true;
    });
  }

  async hasLog(key: string, event: string): Promise<boolean> {
    const file = this.logFile;
    return (await serialised(file, () => readLogIndex(file))).seen.has(identity(key, event));
  }

  async readLog(): Promise<string[]> {
    const text = await readOrNull(this.logFile);
    return text === null ? [] : text.toString('utf8').split('\n').filter((line) => line.trim() !== '');
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}
