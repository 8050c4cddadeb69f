import { ApplicationFailure } from '@temporalio/activity';

/** The downstream API; it deduplicates requests that carry the same idempotency key. */
export interface PaymentGateway {
  charge(request: {
    idempotencyKey: string;
    accountId: string;
    amountMinor: number;
  }): Promise<{ chargeId: string; status: 'succeeded' | 'declined' }>;
}

export function createChargeActivities(gateway: PaymentGateway) {
  return {
    /** Safe to retry: the key is derived from the business id, never from the attempt. */
    async charge(input: { paymentId: string; accountId: string; amountMinor: number }): Promise<string> {
      const result = await gateway.charge({
        idempotencyKey: 'charge:' + input.paymentId,
        accountId: input.accountId,
        amountMinor: input.amountMinor,
      });
      if (result.status === 'declined') {
        // A business outcome, not a transient fault: retrying cannot change it.
        throw ApplicationFailure.nonRetryable('card declined for payment ' + input.paymentId, 'CardDeclined');
      }
      return result.chargeId;
    },
  };
}
