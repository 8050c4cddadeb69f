import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';

/** Creates the nightly reconciliation schedule; the server starts the workflow, no cron host needed. */
export async function createReconciliationSchedule(): Promise<void> {
  const connection = await Connection.connect();
  try {
    const client = new Client({ connection });
    await client.schedule.create({
      scheduleId: 'nightly-reconciliation',
      spec: { calendars: [{ hour: 2, minute: 0 }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'reconciliationWorkflow',
        taskQueue: 'reconciliation',
        args: [{ scope: 'all-accounts' }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    });
  } finally {
    await connection.close();
  }
}
