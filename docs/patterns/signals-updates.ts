import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

interface ReviewActivities {
  openReview(input: { requestId: string }): Promise<void>;
  applyDecision(input: { requestId: string; approved: boolean; reviewer: string }): Promise<void>;
  escalate(input: { requestId: string }): Promise<void>;
}

const { openReview, applyDecision, escalate } = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '1 minute',
});

/** One JSON object per message, so the Web UI and the CLI can send it as easily as code. */
export interface Decision {
  reviewer: string;
  approved: boolean;
  comment?: string;
}

export const decisionSignal = defineSignal<[Decision]>('decision');
export const decideUpdate = defineUpdate<string, [Decision]>('decide');
export const statusQuery = defineQuery<string>('status');

/** Waits durably for a human decision (signal or validated update), escalating after a deadline. */
export async function manualReviewWorkflow(input: { requestId: string; reviewers: string[] }): Promise<boolean> {
  const state: { decision?: Decision; status: string } = { status: 'waiting' };
  setHandler(decisionSignal, (decision) => {
    if (input.reviewers.includes(decision.reviewer)) state.decision ??= decision;
  });
  setHandler(
    decideUpdate,
    (decision) => {
      state.decision ??= decision;
      return 'recorded';
    },
    {
      validator: (decision) => {
        if (!input.reviewers.includes(decision.reviewer)) {
          throw new Error('unknown reviewer ' + decision.reviewer);
        }
      },
    },
  );
  setHandler(statusQuery, () => state.status);

  await openReview({ requestId: input.requestId });
  if (!(await condition(() => state.decision !== undefined, '2 days'))) {
    state.status = 'escalated';
    await escalate({ requestId: input.requestId });
    await condition(() => state.decision !== undefined);
  }
  const decision = state.decision;
  if (decision === undefined) throw new Error('unreachable: condition guarantees a decision');
  state.status = decision.approved ? 'approved' : 'rejected';
  await applyDecision({ requestId: input.requestId, approved: decision.approved, reviewer: decision.reviewer });
  return decision.approved;
}
