/**
 * The bench's history accounting (scripts/bench-history.ts) on a recorded history of a clean case
 * (test/histories/happy-path.json, written by scripts/record-histories.ts against a real server).
 * The expected figures are read from the proto3 JSON file itself, by a separate path (base64 lengths
 * of the raw payloads), so the test follows the recording when it is re-recorded.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyCost } from '../scripts/bench-history';
import { readHistoryFile } from './helpers/histories';

const file = path.join(__dirname, 'histories', 'happy-path.json');

interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}
interface RawEvent {
  eventId: string;
  upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, RawPayload> } };
  activityTaskScheduledEventAttributes?: { activityType: { name: string }; input?: { payloads?: RawPayload[] } };
  activityTaskCompletedEventAttributes?: { scheduledEventId: string; result?: { payloads?: RawPayload[] } };
}

const b64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').length : 0);
const rawBytes = (payloads: RawPayload[] = []) =>
  payloads.reduce((sum, p) => sum + b64(p.data) + Object.entries(p.metadata ?? {}).reduce((m, [k, v]) => m + k.length + b64(v), 0), 0);

describe('bench history accounting', () => {
  const raw = (JSON.parse(readFileSync(file, 'utf8')) as { events: RawEvent[] }).events;
  const history = readHistoryFile(file);

  it('counts every search-attribute write per key, as recorded', () => {
    const upserts = raw.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    const byKey: Record<string, number> = {};
    for (const e of upserts) {
      for (const key of Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes?.indexedFields ?? {})) byKey[key] = (byKey[key] ?? 0) + 1;
    }
    const cost = historyCost([history]);
    expect(upserts.length).toBeGreaterThan(0);
    expect(cost.upsertsPerCase.events).toBe(upserts.length);
    expect(cost.upsertsPerCase.byKey).toEqual(byKey);
  });

  it('attributes input and result bytes to the activity type that was scheduled', () => {
    const typeOf = new Map<string, string>();
    const expected: Record<string, { calls: number; input: number; result: number }> = {};
    for (const e of raw) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) {
        typeOf.set(e.eventId, s.activityType.name);
        const a = (expected[s.activityType.name] ??= { calls: 0, input: 0, result: 0 });
        a.calls++;
        a.input += rawBytes(s.input?.payloads);
      }
      const c = e.activityTaskCompletedEventAttributes;
      if (c) expected[typeOf.get(c.scheduledEventId)!].result += rawBytes(c.result?.payloads);
    }
    const cost = historyCost([history]);
    expect(Object.keys(cost.payloadBytesByActivity).sort()).toEqual(Object.keys(expected).sort());
    for (const [type, a] of Object.entries(expected)) {
      expect(cost.payloadBytesByActivity[type]).toEqual({ callsPerCase: a.calls, inputBytes: Math.round(a.input / a.calls), resultBytes: Math.round(a.result / a.calls) });
    }
    expect(Object.values(cost.payloadBytesByActivity).some((a) => a.resultBytes > 0)).toBe(true);
  });

  it('reports per case: two copies of one history cost what one does', () => {
    const one = historyCost([history]);
    const two = historyCost([history, history]);
    expect(two.cases).toBe(2);
    expect({ ...two, cases: 1 }).toEqual(one);
  });
});
