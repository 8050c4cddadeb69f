/**
 * The lean engine path (issue 15), read from the history of a clean case on a real dev server:
 * what a case approved at its first review costs beyond the engine floor, and what it no longer
 * sends. Figures (event counts, payload bytes) are reported by the bench, not asserted here; these
 * tests pin the commands.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { approveUpdate, requestChangesUpdate } from '../src/messages';
import { CasePhaseKey, CaseProgressKey, CaseReviewersKey, CaseRevisionKey } from '../src/search-attributes';
import { localEnv } from './helpers/env';
import { type CaseHandle, bundleOnce, waitForPhase, waitUntil, withCase } from './helpers/harness';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([localEnv(), bundleOnce()]);
});

afterAll(async () => {
  await env?.teardown();
});

/** Search attribute upserts the case itself made (not the patch's TemporalChangeVersion). */
const caseUpserts = (events: HistoryEvent[]) =>
  events
    .map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}))
    .filter((keys) => keys.length > 0 && !keys.includes('TemporalChangeVersion'));

/** The `CasePhase` an upsert event wrote, if it wrote one. */
function phaseOf(e: HistoryEvent): string | undefined {
  const data = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.CasePhase?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : undefined;
}

/** Waits until the visibility of the case lists it in review at `revision` (what the inbox reads). */
const listedInReview = (handle: CaseHandle, revision: string) =>
  waitUntil(
    `${handle.workflowId} to be listed in review at ${revision}`,
    async () => (await handle.describe()).typedSearchAttributes,
    (sa) => sa.get(CasePhaseKey) === 'review' && sa.get(CaseRevisionKey) === revision,
  );

test('a clean case writes its lists three times, cancels no timer, and publishes in the task of the deciding approval', async () => {
  await withCase(env, async (handle, controls) => {
    const { revision } = await waitForPhase(handle, 'review');
    await listedInReview(handle, revision!);
    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision }] });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(CaseReviewersKey)).toEqual(['bob', 'carol']);
    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob', revision }] });
    await handle.result();

    const events = (await handle.fetchHistory()).events ?? [];
    // Start options carry what is known at start: the first task writes nothing of its own.
    const firstActivity = events.findIndex((e) => e.activityTaskScheduledEventAttributes);
    expect(caseUpserts(events.slice(0, firstActivity))).toEqual([]);
    // Entering review, alice's approval, published.
    expect(caseUpserts(events)).toHaveLength(3);
    expect(caseUpserts(events)[0]).toEqual(expect.arrayContaining(['CasePhase', 'CaseRevision', 'CaseReviewers']));
    expect(events.some((e) => e.timerCanceledEventAttributes)).toBe(false);

    // The update that completes the quorum and the publish activity belong to one workflow task.
    const lastAccepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).pop()!;
    const publish = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishCase')!;
    const taskOf = (e: HistoryEvent) => events.filter((t) => t.workflowTaskCompletedEventAttributes && Number(t.eventId) < Number(e.eventId)).pop()?.eventId;
    expect(taskOf(publish)).toEqual(taskOf(lastAccepted));

    const end = await handle.describe();
    expect(end.typedSearchAttributes.get(CasePhaseKey)).toBe('published');
    expect(end.typedSearchAttributes.get(CaseProgressKey)).toBe(100);
    expect(end.typedSearchAttributes.get(CaseReviewersKey) ?? []).toEqual([]);

    // The brief travels once: to research, which stores it in the dossier.
    const inputOf = (name: string) => controls.calls.filter((c) => c.name === name).map((c) => c.input as Record<string, unknown>);
    expect(inputOf('collectSources')[0].brief).toBeDefined();
    for (const name of ['analyzeCase', 'composeDraft']) {
      expect(inputOf(name).length).toBeGreaterThan(0);
      for (const input of inputOf(name)) expect(input.brief).toBeUndefined();
    }
  });
});

test('leaving review for rework is written (the inbox drops the case) and the review timer is cancelled', async () => {
  await withCase(env, async (handle) => {
    // As a reviewer would: the case is in the inbox (listed in review) before the change request.
    const first = await waitForPhase(handle, 'review');
    await listedInReview(handle, first.revision!);
    await handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'alice', comment: 'Cite the volume', revision: first.revision }] });
    const second = await waitForPhase(handle, 'review', (p) => p.revisionCount === 2);
    await listedInReview(handle, second.revision!);
    const events = (await handle.fetchHistory()).events ?? [];
    const phases = events.map(phaseOf).filter((phase) => phase !== undefined);
    expect(phases).toEqual(['review', 'writing', 'review']);
    // The first round's deadline timer (when it was started before the change request came) is
    // cancelled, not left to fire while the case waits again.
    const rework = events.find((e) => phaseOf(e) === 'writing')!;
    const firstRound = events.filter((e) => e.timerStartedEventAttributes && Number(e.eventId) < Number(rework.eventId)).map((e) => String(e.eventId));
    const cancelled = events.map((e) => e.timerCanceledEventAttributes?.startedEventId).filter(Boolean).map(String);
    expect(cancelled).toEqual(expect.arrayContaining(firstRound));
  });
});
