import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

interface ShardActivities {
  processShard(input: { batchId: string; shard: number }): Promise<number>;
}

const { processShard } = proxyActivities<ShardActivities>({ startToCloseTimeout: '5 minutes' });

/** One child per shard: its own history, retries and visibility in the Web UI. */
export async function shardWorkflow(input: { batchId: string; shard: number }): Promise<number> {
  return processShard(input);
}

/** Fans out in waves so the parent history and the downstream load stay bounded. */
export async function batchWorkflow(input: { batchId: string; shards: number; wave: number }): Promise<number> {
  const parentId = workflowInfo().workflowId;
  let processed = 0;
  for (let start = 0; start < input.shards; start += input.wave) {
    const end = Math.min(start + input.wave, input.shards);
    const wave: Promise<number>[] = [];
    for (let shard = start; shard < end; shard++) {
      wave.push(
        executeChild(shardWorkflow, {
          workflowId: parentId + '/shard-' + shard,
          args: [{ batchId: input.batchId, shard }],
        }),
      );
    }
    for (const count of await Promise.all(wave)) processed += count;
  }
  return processed;
}
