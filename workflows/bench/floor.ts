import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** The one activity of {@link benchFloorWorkflow}: does nothing but report its step. */
export interface BenchFloorActivities {
  benchStep(input: { id: string; step: number; kind: 'work' | 'review-requested' | 'publish' }): Promise<void>;
}

/** An approval sent to the floor workflow; it only counts. */
export const benchApproveUpdate = defineUpdate<number, [{ reviewer: string }]>('benchApprove');

const { benchStep } = proxyActivities<BenchFloorActivities>({ startToCloseTimeout: '1 minute' });

/**
 * The engine floor for `npm run bench`: the same number of activities (8) and decisions (2
 * updates) as a case that is approved at the first review, and nothing else — no state, search
 * attributes, queries or validation. casebook's throughput is reported as a ratio to this.
 */
export async function benchFloorWorkflow(id: string): Promise<number> {
  let approvals = 0;
  setHandler(benchApproveUpdate, () => ++approvals);
  for (let step = 1; step <= 4; step++) await benchStep({ id, step, kind: 'work' });
  await benchStep({ id, step: 5, kind: 'review-requested' });
  await condition(() => approvals >= 2);
  await benchStep({ id, step: 6, kind: 'publish' });
  for (let step = 7; step <= 8; step++) await benchStep({ id, step, kind: 'work' });
  return approvals;
}
