import { patched, proxyActivities } from '@temporalio/workflow';

interface OrderActivities {
  charge(input: { orderId: string }): Promise<void>;
  checkRisk(input: { orderId: string }): Promise<boolean>;
  hold(input: { orderId: string }): Promise<void>;
}

const { charge, checkRisk, hold } = proxyActivities<OrderActivities>({ startToCloseTimeout: '1 minute' });

/**
 * A change to running code goes behind patched(): histories recorded before the change replay the
 * old branch, new executions take the new one. Once no old execution is open, deprecatePatch() and
 * later removal finish the migration.
 */
export async function orderWorkflow(input: { orderId: string }): Promise<void> {
  if (patched('risk-check-before-charge')) {
    if (!(await checkRisk(input))) {
      await hold(input);
      return;
    }
  }
  await charge(input);
}
