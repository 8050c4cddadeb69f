import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

export interface Reading {
  sensor: string;
  value: number;
}

interface DeviceActivities {
  applyReading(input: { deviceId: string; reading: Reading }): Promise<void>;
}

const { applyReading } = proxyActivities<DeviceActivities>({ startToCloseTimeout: '30 seconds' });

export const readingSignal = defineSignal<[Reading]>('reading');

/** A long-lived entity workflow: it hands its state to a fresh run when the history grows large. */
export async function deviceWorkflow(input: { deviceId: string; pending?: Reading[] }): Promise<void> {
  const queue: Reading[] = [...(input.pending ?? [])];
  setHandler(readingSignal, (reading) => {
    queue.push(reading);
  });
  for (;;) {
    await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
    while (queue.length > 0) {
      const reading = queue.shift();
      if (reading !== undefined) await applyReading({ deviceId: input.deviceId, reading });
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof deviceWorkflow>({ deviceId: input.deviceId, pending: queue });
    }
  }
}
