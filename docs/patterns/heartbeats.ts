import { activityInfo, heartbeat } from '@temporalio/activity';

/** Storage the activity copies between; injected so the activity stays testable. */
export interface ChunkStore {
  size(fileId: string): Promise<number>;
  copyChunk(fileId: string, offset: number, length: number): Promise<void>;
}

export function createTransferActivities(store: ChunkStore) {
  return {
    /**
     * Copies a large file chunk by chunk. Each heartbeat records the offset reached, so a retry after a
     * worker crash resumes there instead of starting over; the workflow sets a short heartbeatTimeout.
     */
    async transferFile(input: { fileId: string; chunkBytes: number }): Promise<number> {
      const total = await store.size(input.fileId);
      const checkpoint: unknown = activityInfo().heartbeatDetails;
      let offset = typeof checkpoint === 'number' ? checkpoint : 0;
      while (offset < total) {
        const length = Math.min(input.chunkBytes, total - offset);
        await store.copyChunk(input.fileId, offset, length);
        offset += length;
        heartbeat(offset);
      }
      return offset;
    },
  };
}
