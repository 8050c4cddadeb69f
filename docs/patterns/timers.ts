import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

interface DeadlineActivities {
  sendReminder(input: { orderId: string }): Promise<void>;
  cancelOrder(input: { orderId: string }): Promise<void>;
  releaseStock(input: { orderId: string }): Promise<void>;
}

const { sendReminder, cancelOrder, releaseStock } = proxyActivities<DeadlineActivities>({
  startToCloseTimeout: '1 minute',
});

export const paidSignal = defineSignal<[{ paymentId: string }]>('paid');

/** Durable timers: the deadlines survive worker restarts and deployments because the server keeps them. */
export async function paymentDeadlineWorkflow(input: { orderId: string }): Promise<'paid' | 'expired'> {
  const state: { paymentId?: string } = {};
  setHandler(paidSignal, ({ paymentId }) => {
    state.paymentId = paymentId;
  });
  if (await condition(() => state.paymentId !== undefined, '1 hour')) return 'paid';
  await sendReminder(input);
  if (await condition(() => state.paymentId !== undefined, '23 hours')) return 'paid';
  await cancelOrder(input);
  await sleep('5 minutes');
  await releaseStock(input);
  return 'expired';
}
