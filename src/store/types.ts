/**
 * What casebook keeps besides workflow history and the published library: artifacts (dossiers,
 * outlines, drafts, QA reports), source snapshots, the publish journal and the notification log.
 * Two backends implement it: a local directory (`local.ts`) and PostgreSQL (`postgres.ts`).
 */

/** Content-addressed blobs: `artifact` keys are `<sha256>.<ext>`, `snapshot` keys are `<sha256>`. */
export type BlobKind = 'artifact' | 'snapshot';

export interface Store {
  /** Where the state is, for messages (never contains a password). */
  readonly description: string;
  /** Connects and sets the schema up (PostgreSQL); a worker calls it at start to fail early. */
  ready(): Promise<void>;
  /** Stores content under its key; storing the same key again is a no-op. */
  putBlob(kind: BlobKind, key: string, content: Buffer): Promise<void>;
  /** The content under a key, or null when there is none. */
  getBlob(kind: BlobKind, key: string): Promise<Buffer | null>;
  /** The publish journal entry of a case, or null. */
  getJournal<T>(caseId: string): Promise<T | null>;
  /** Replaces the publish journal entry of a case. */
  putJournal(caseId: string, entry: unknown): Promise<void>;
  deleteJournal(caseId: string): Promise<void>;
  /**
   * Appends one (already redacted) JSON line to the notification log unless a line with the same
   * `key` and `event` is there; returns whether it was appended. Lines without a key always are.
   */
  appendLog(line: string, key: string | undefined, event: string): Promise<boolean>;
  /** Whether the notification log has a line with this `key` and `event`. */
  hasLog(key: string, event: string): Promise<boolean>;
  /** Every line of the notification log, oldest first. */
  readLog(): Promise<string[]>;
  /** Releases connections (a no-op for the local directory). */
  close(): Promise<void>;
}

/** A blob that is not in the store; `code` is `ENOENT` as for a missing file. */
export class NotInStoreError extends Error {
  readonly code = 'ENOENT';
  constructor(kind: BlobKind, key: string, where: string) {
    super(`${kind} ${key} is not in the store (${where})`);
    this.name = 'NotInStoreError';
  }
}

const KEY_PATTERNS: Record<BlobKind, RegExp> = {
  artifact: /^[a-f0-9]{64}\.[a-z]{2,4}$/,
  snapshot: /^[a-f0-9]{64}$/,
};

/** Throws when `key` is not a well-formed key of `kind` (it is used in file names and queries). */
export function checkBlobKey(kind: BlobKind, key: string): void {
  if (typeof key !== 'string' || !KEY_PATTERNS[kind].test(key)) {
    throw new Error(`${kind === 'artifact' ? 'not an artifact reference' : 'not a snapshot hash'}: ${JSON.stringify(key)}`);
  }
}
