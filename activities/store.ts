/**
 * The store as activities use it; everything lives in `src/store/` (local directory or PostgreSQL,
 * chosen by CASEBOOK_STORE_URL). Re-exported here so existing imports keep working.
 */
import { sha256 } from '../src/store';

export {
  getArtifact,
  getJson,
  getSnapshot,
  getSnapshotRecord,
  putArtifact,
  putJson,
  putSnapshot,
  putSnapshotRecord,
  readDraft,
  sha256,
  writeFileAtomic,
} from '../src/store';

/** A draft's revision: the first 12 hex digits of the sha256 of its Markdown. */
export function revisionOf(markdown: string): string {
  return sha256(markdown).slice(0, 12);
}
