import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

/** The payment activities, declared as a type only: the workflow never imports activity code. */
interface PaymentActivities {
  reserveFunds(input: { paymentId: string; amountMinor: number }): Promise<string>;
  releaseFunds(input: { paymentId: string; reservationId: string }): Promise<void>;
  capturePayment(input: { paymentId: string; reservationId: string }): Promise<string>;
  refundPayment(input: { paymentId: string; captureId: string }): Promise<void>;
  notifyMerchant(input: { paymentId: string; captureId: string }): Promise<void>;
}

const { reserveFunds, releaseFunds, capturePayment, refundPayment, notifyMerchant } =
  proxyActivities<PaymentActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['CardDeclined'] },
  });

/** Saga: every completed step registers its compensation; on failure they run in reverse order. */
export async function paymentSaga(input: { paymentId: string; amountMinor: number }): Promise<string> {
  const compensations: Array<() => Promise<void>> = [];
  try {
    const reservationId = await reserveFunds(input);
    compensations.unshift(() => releaseFunds({ paymentId: input.paymentId, reservationId }));
    const captureId = await capturePayment({ paymentId: input.paymentId, reservationId });
    compensations.unshift(() => refundPayment({ paymentId: input.paymentId, captureId }));
    await notifyMerchant({ paymentId: input.paymentId, captureId });
    return captureId;
  } catch (err) {
    for (const compensate of compensations) {
      await compensate();
    }
    throw ApplicationFailure.create({
      message: 'payment ' + input.paymentId + ' was rolled back',
      type: 'PaymentRolledBack',
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}
