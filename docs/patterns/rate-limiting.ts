import { NativeConnection, Worker } from '@temporalio/worker';

/** A dedicated task queue for calls to a rate-limited partner API. */
export async function runPartnerApiWorker(activities: object): Promise<void> {
  const connection = await NativeConnection.connect();
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: 'partner-api',
      activities,
      // Enforced by the server across every worker polling this task queue.
      maxTaskQueueActivitiesPerSecond: 50,
      // A local bound per worker process.
      maxConcurrentActivityTaskExecutions: 20,
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}
