/**
 * Long-lived cases keep their history bounded: on a dev server that suggests continue-as-new after
 * a few dozen events, a case waiting in review continues as new and keeps its state.
 */
import { campaignWorkflowId, caseWorkflowId } from '../src/names';
import { addNoteSignal, approveUpdate, auditTrailQuery, progressQuery } from '../src/messages';
import { localEnv, unique } from './helpers/env';
import { testBrief, testInput } from './helpers/fakes';
import { useTestServer, waitForPhase, waitUntil, withCase, withWorker } from './helpers/harness';

const server = useTestServer(() => localEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60']));

test('a case in review continues as new when the server suggests it, with its approvals, notes and audit trail', async () => {
  await withCase(server.env, async (handle, controls) => {
    const firstRun = (await handle.describe()).runId;
    await waitForPhase(handle, 'review');
    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
    for (let i = 0; i < 40; i++) await handle.signal(addNoteSignal, { author: 'erin', text: `note ${i}` });

    // Notes sent after the first run continued as new land in the next run, which may itself pass the
    // threshold and continue as new again: wait for a later run whose history is under it.
    await waitUntil('the case to continue as new with a bounded history', () => handle.describe(), (d) => d.runId !== firstRun && d.historyLength < 60);

    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('review');
    expect(progress.reviewers.filter((r) => r.approved).map((r) => r.name)).toEqual(['alice']);
    const audit = await handle.query(auditTrailQuery);
    expect(audit.filter((a) => a.action === 'add note')).toHaveLength(40);
    // The review request was not sent again by the new run.
    expect(controls.notifications.filter((n) => n.kind === 'review-requested')).toHaveLength(1);

    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
    const result = await handle.result();
    expect(result.phase).toBe('published');
    expect(result.approvals.sort()).toEqual(['alice', 'bob']);
  }, { prefix: 'long' });
});

test('a campaign continues as new and still sees its cases through to the summary', async () => {
  const { env } = server;
  const version = unique('v-can');
  await withWorker(env, async (taskQueue, controls) => {
    const caseIds = [1, 2, 3, 4].map((n) => unique(`c${n}`));
    const cases = caseIds.map((id) => ({ ...testInput(id, testBrief({ id })), campaign: version }));
    const handle = await env.client.workflow.start('campaignWorkflow', {
      taskQueue,
      workflowId: campaignWorkflowId(version),
      args: [{ version, planFile: 'plan/v15.0.yaml', templateFile: 'plan/template.yaml', planVersion: 'test', cases, concurrency: 4, pollInterval: '1 second' }],
    });
    const firstRun = (await handle.describe()).runId;
    for (const caseId of caseIds) {
      const child = env.client.workflow.getHandle(caseWorkflowId(caseId));
      // The campaign starts the case; until then the query has no workflow to ask.
      await waitUntil(`${caseId} to reach review`, () => child.query(progressQuery).then((p) => p.phase, () => 'starting'), (phase) => phase === 'review');
      await child.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
      await child.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
    }
    const progress = (await handle.result()) as { status: string; cases: { phase: string }[] };
    expect(progress.status).toBe('completed');
    expect(progress.cases.map((c) => c.phase)).toEqual(['published', 'published', 'published', 'published']);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(controls.calls.filter((c) => c.name === 'writeCampaignSummary')).toHaveLength(1);
  });
});
