/**
 * What a case's history says about its cost, for `npm run bench` (scripts/bench.ts): how often each
 * search attribute is written (UpsertWorkflowSearchAttributes events and their keys), and how many
 * bytes each activity type's input and result payloads take (data and metadata, as stored).
 */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** Bytes a payload takes in history: its data and its metadata (encoding etc.). */
function payloadBytes(payloads: temporal.api.common.v1.IPayload[] | null | undefined): number {
  let bytes = 0;
  for (const p of payloads ?? []) {
    bytes += p.data?.length ?? 0;
    for (const [key, value] of Object.entries(p.metadata ?? {})) bytes += key.length + (value?.length ?? 0);
  }
  return bytes;
}

export interface HistoryCost {
  cases: number;
  /** Per case: UpsertWorkflowSearchAttributes events, and how often each key is written. */
  upsertsPerCase: { events: number; byKey: Record<string, number> };
  /** Bytes the values of each key take, per case (all its writes). */
  upsertBytesPerCase: Record<string, number>;
  /** Per activity type: calls per case and mean input / result payload bytes per call. */
  payloadBytesByActivity: Record<string, { callsPerCase: number; inputBytes: number; resultBytes: number }>;
  workflowInputBytes: number;
}

/** What search attributes and activity payloads cost in `histories` (one per case), per case. */
export function historyCost(histories: History[]): HistoryCost {
  const upsertEvents: number[] = [];
  const keyWrites = new Map<string, number>();
  const keyBytes = new Map<string, number>();
  const activities = new Map<string, { calls: number; input: number; result: number }>();
  let workflowInput = 0;
  for (const history of histories) {
    const scheduled = new Map<string, string>();
    let upserts = 0;
    for (const event of history.events ?? []) {
      const started = event.workflowExecutionStartedEventAttributes;
      if (started) workflowInput += payloadBytes(started.input?.payloads);
      const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
      if (upsert) {
        upserts++;
        for (const [key, value] of Object.entries(upsert.searchAttributes?.indexedFields ?? {})) {
          keyWrites.set(key, (keyWrites.get(key) ?? 0) + 1);
          keyBytes.set(key, (keyBytes.get(key) ?? 0) + payloadBytes([value]));
        }
      }
      const sched = event.activityTaskScheduledEventAttributes;
      if (sched) {
        const type = sched.activityType?.name ?? '?';
        scheduled.set(String(event.eventId), type);
        const a = activities.get(type) ?? { calls: 0, input: 0, result: 0 };
        a.calls++;
        a.input += payloadBytes(sched.input?.payloads);
        activities.set(type, a);
      }
      const done = event.activityTaskCompletedEventAttributes;
      if (done) {
        const a = activities.get(scheduled.get(String(done.scheduledEventId)) ?? '?');
        if (a) a.result += payloadBytes(done.result?.payloads);
      }
    }
    upsertEvents.push(upserts);
  }
  const n = histories.length || 1;
  const perCase = (x: number) => Math.round((x / n) * 100) / 100;
  return {
    cases: histories.length,
    upsertsPerCase: { events: perCase(upsertEvents.reduce((a, b) => a + b, 0)), byKey: Object.fromEntries([...keyWrites].sort().map(([k, v]) => [k, perCase(v)])) },
    upsertBytesPerCase: Object.fromEntries([...keyBytes].sort().map(([k, v]) => [k, Math.round(v / n)])),
    payloadBytesByActivity: Object.fromEntries(
      [...activities].map(([type, a]) => [type, { callsPerCase: perCase(a.calls), inputBytes: Math.round(a.input / a.calls), resultBytes: Math.round(a.result / a.calls) }]),
    ),
    workflowInputBytes: Math.round(workflowInput / n),
  };
}

