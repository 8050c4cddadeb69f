/**
 * The campaign workflow on a real Temporal dev server, with test activities: concurrency, live
 * phases from the cases' signals, approvals, completion with the summary, cases added later,
 * adoption of an already running case, and rejected input.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type CampaignProgress, addCaseSignal, addCaseUpdate, approveUpdate, campaignProgressQuery, progressQuery } from '../src/messages';
import { campaignWorkflowId, caseWorkflowId } from '../src/names';
import { CampaignKey } from '../src/search-attributes';
import type { CaseInput } from '../src/domain/case';
import type { CampaignInput, campaignWorkflow } from '../workflows/campaign';
import { unique } from './helpers/env';
import { testInput } from './helpers/fakes';
import { expectUpdateRejected, startCase, useTestServer, waitUntil, withWorker } from './helpers/harness';

const server = useTestServer();

type CampaignHandle = WorkflowHandle<typeof campaignWorkflow>;

function startCampaign(taskQueue: string, version: string, cases: CaseInput[], extra: Partial<CampaignInput> = {}): Promise<CampaignHandle> {
  const input: CampaignInput = { version, planFile: 'plan/v15.0.yaml', templateFile: 'plan/template.yaml', planVersion: 'test', cases, ...extra };
  return server.env.client.workflow.start('campaignWorkflow', {
    taskQueue,
    workflowId: campaignWorkflowId(version),
    args: [input],
    typedSearchAttributes: [{ key: CampaignKey, value: version }],
  }) as Promise<CampaignHandle>;
}

/** Polls the campaign query until `ok` holds. */
function waitFor(handle: CampaignHandle, what: string, ok: (p: CampaignProgress) => boolean): Promise<CampaignProgress> {
  return waitUntil(`the campaign to reach "${what}"`, () => handle.query(campaignProgressQuery), ok);
}

const phaseOf = (p: CampaignProgress, caseId: string) => p.cases.find((r) => r.caseId === caseId)?.phase;
const stage = (p: CampaignProgress, id: string) => p.stages.find((s) => s.id === id)?.percent;

async function approve(caseId: string): Promise<void> {
  const handle = server.env.client.workflow.getHandle(caseWorkflowId(caseId));
  await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
  await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
}

test('three cases at concurrency 2: true phases, approvals, all publish, stages reach 100, one summary', async () => {
  await withWorker(server.env, async (taskQueue, controls) => {
    const version = unique('v-test');
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const handle = await startCampaign(taskQueue, version, [testInput(a), testInput(b), testInput(c)], { concurrency: 2 });

    // Reviews wait for people, so the first two hold both slots and the third must wait.
    const twoInReview = await waitFor(handle, 'two in review', (p) => phaseOf(p, a) === 'review' && phaseOf(p, b) === 'review');
    expect(phaseOf(twoInReview, c)).toBe('pending');
    expect(twoInReview.status).toBe('running');
    expect(stage(twoInReview, 'planning')).toBe(100);
    expect(stage(twoInReview, 'collection')).toBe(67);
    expect(stage(twoInReview, 'quality')).toBe(67);
    expect(stage(twoInReview, 'documentation')).toBe(0);
    for (const id of [a, b]) {
      const own = await server.env.client.workflow.getHandle(caseWorkflowId(id)).query(progressQuery);
      expect(own.phase).toBe(phaseOf(twoInReview, id));
      expect(own.campaign).toBe(version);
      expect(twoInReview.cases.find((r) => r.caseId === id)?.percent).toBe(own.percent);
    }
    expect(controls.calls.filter((x) => x.name === 'collectSources')).toHaveLength(2);

    await approve(a);
    const third = await waitFor(handle, 'third in review', (p) => phaseOf(p, c) === 'review');
    expect(phaseOf(third, a)).toBe('published');
    expect(controls.calls.filter((x) => x.name === 'writeCampaignSummary')).toHaveLength(0);

    await approve(b);
    await approve(c);
    const final = await handle.result();
    expect(final.status).toBe('completed');
    expect(final.cases.map((r) => r.phase)).toEqual(['published', 'published', 'published']);
    expect(final.stages.map((s) => s.percent)).toEqual([100, 100, 100, 100, 100]);
    expect(final.summaryPath).toBe(`campaigns/${version}.md`);

    const summaries = controls.calls.filter((x) => x.name === 'writeCampaignSummary');
    expect(summaries).toHaveLength(1);
    // One library update per published case, then one more for the whole campaign.
    expect(controls.calls.filter((x) => x.name === 'updateLibraryDocs')).toHaveLength(4);
    expect(controls.calls.map((x) => x.name).lastIndexOf('updateLibraryDocs')).toBeLessThan(controls.calls.map((x) => x.name).indexOf('writeCampaignSummary'));
    expect(controls.summaries[0].markdown).toContain('**阶段4：文档更新**：✅ 100%完成');
    expect(controls.summaries[0].markdown).toContain('| **总计** | **3个** | **3个已完成** | **100%** |');

    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(CampaignKey)).toBe(version);
  });
});

test('a case added while the campaign runs shows in the query and in the Campaign filter; duplicates and malformed input are rejected', async () => {
  await withWorker(server.env, async (taskQueue) => {
    const version = unique('v-test');
    const [a, b] = [unique('a'), unique('b')];
    const handle = await startCampaign(taskQueue, version, [testInput(a)]);
    await waitFor(handle, 'first in review', (p) => phaseOf(p, a) === 'review');

    const row = await handle.executeUpdate(addCaseUpdate, { args: [{ input: testInput(b) }] });
    expect(row.caseId).toBe(b);
    expect(row.workflowId).toBe(caseWorkflowId(b));

    expect(await expectUpdateRejected(handle.executeUpdate(addCaseUpdate, { args: [{ input: testInput(a) }] }))).toMatch(
      new RegExp(`Case "${a}" is already in campaign ${version}`),
    );
    expect(await expectUpdateRejected(handle.executeUpdate(addCaseUpdate, { args: [{ input: { caseId: 'Not An Id' } as never }] }))).toMatch(/must be a case id/);
    expect(await expectUpdateRejected(handle.executeUpdate(addCaseUpdate, { args: [{} as never] }))).toMatch(/addCase takes one object/);
    expect(
      await expectUpdateRejected(handle.executeUpdate(addCaseUpdate, { args: [{ input: { ...testInput(unique('c')), planVersion: 'v0' } }] })),
    ).toMatch(/comes from plan "v0"; campaign .* runs plan test/);

    await handle.signal(addCaseSignal, { input: testInput(b) });
    const both = await waitFor(handle, 'added case in review', (p) => phaseOf(p, b) === 'review' && p.rejected.length === 1);
    expect(both.cases.map((r) => r.caseId)).toEqual([a, b]);
    expect(both.rejected[0].detail).toMatch(new RegExp(`Case "${b}" is already in campaign`));
    expect(stage(both, 'quality')).toBe(100);
    expect(stage(both, 'documentation')).toBe(0);

    // Visibility is eventually consistent: poll the Web UI's filter until the new case is listed.
    const query = `Campaign = "${version}"`;
    const listed = async () => {
      const ids: string[] = [];
      for await (const wf of server.env.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids;
    };
    const ids = await waitUntil(`the Web UI filter ${query} to list ${b}`, listed, (found) => found.includes(caseWorkflowId(b)), 20_000);
    expect(ids.sort()).toEqual([campaignWorkflowId(version), caseWorkflowId(a), caseWorkflowId(b)].sort());
    await handle.terminate('test done');
  });
});

test('a case already running under its id is adopted and followed until it publishes', async () => {
  await withWorker(server.env, async (taskQueue, controls) => {
    const version = unique('v-test');
    const x = unique('x');
    const own = await startCase(server.env.client, taskQueue, testInput(x));
    const handle = await startCampaign(taskQueue, version, [testInput(x)], { pollInterval: '200ms' });
    const adopted = await waitFor(handle, 'adopted case in review', (p) => phaseOf(p, x) === 'review');
    expect(adopted.cases[0].adopted).toBe(true);
    expect((await own.query(progressQuery)).campaign).toBeUndefined();

    await approve(x);
    const final = await handle.result();
    expect(final.cases[0].phase).toBe('published');
    expect(controls.calls.filter((c) => c.name === 'readCaseProgress').length).toBeGreaterThan(0);
    expect(controls.calls.filter((c) => c.name === 'writeCampaignSummary')).toHaveLength(1);
    // Only the standalone run ever executed the case's activities.
    expect(controls.calls.filter((c) => c.name === 'collectSources')).toHaveLength(1);
  });
});

test('a campaign with invalid input fails with an ApplicationFailure', async () => {
  await withWorker(server.env, async (taskQueue) => {
    const empty = await startCampaign(taskQueue, unique('v-test'), []);
    const err = await empty.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect((err as WorkflowFailedError).cause?.message).toMatch(/has no cases/);

    const dup = unique('d');
    const twice = await startCampaign(taskQueue, unique('v-test'), [testInput(dup), testInput(dup)]);
    const err2 = await twice.result().catch((e: unknown) => e);
    expect(((err2 as WorkflowFailedError).cause as ApplicationFailure).type).toBe('InvalidCampaign');
    expect((err2 as WorkflowFailedError).cause?.message).toMatch(/already in campaign/);
  });
});
