/**
 * The case workflow on a real Temporal dev server (the provisioned CLI), with test activities.
 */
import {
  approveSignal,
  approveUpdate,
  auditTrailQuery,
  progressQuery,
  requestChangesSignal,
  requestChangesUpdate,
  resumeUpdate,
  reviewPacketQuery,
  uploadDraftUpdate,
} from '../src/messages';
import { revisionOf } from '../activities/store';
import { testBrief } from './helpers/fakes';
import { expectUpdateRejected, useTestServer, waitForPhase, waitUntil, withCase } from './helpers/harness';

const server = useTestServer();

test('a case walks every phase, waits in review, and publishes once the quorum approves', async () => {
  await withCase(server.env, async (handle, controls) => {
    await waitForPhase(handle, 'review');
    const progress = await handle.query(progressQuery);
    expect(progress.percent).toBeGreaterThan(0);
    expect(progress.pendingReviewers).toEqual(['alice', 'bob', 'carol']);

    // Listed in review once the reviewers have been told (the task after the notification).
    await waitUntil(
      'the case to be listed in review',
      async () => (await handle.describe()).typedSearchAttributes.get({ name: 'CasePhase', type: 'KEYWORD' } as never),
      (phase) => phase === 'review',
    );

    const first = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: progress.revision }] });
    expect(first.quorumMet).toBe(false);
    expect(first.pending).toEqual(['bob', 'carol']);
    const second = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] });
    expect(second.quorumMet).toBe(true);

    const result = await handle.result();
    expect(result.phase).toBe('published');
    expect(result.approvals.sort()).toEqual(['alice', 'bob']);
    expect(controls.published.get(result.caseId)).toBe(progress.revision);
    expect(controls.calls.map((c) => c.name)).toEqual(
      expect.arrayContaining(['collectSources', 'analyzeCase', 'composeDraft', 'checkDraft', 'publishCase', 'updateLibraryDocs']),
    );
    expect(controls.notifications.map((n) => n.kind)).toEqual(['review-requested', 'published']);
  });
});

test('updates are rejected at once with clear messages; nothing changes', async () => {
  await withCase(server.env, async (handle) => {
    await waitForPhase(handle, 'review');
    const { revision } = await handle.query(progressQuery);

    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'mallory' }] }))).toMatch(/Unknown reviewer "mallory".*alice, bob, carol/);
    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'dave' }] }))).toMatch(/backup reviewer/);
    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: 'deadbeef0000' }] }))).toMatch(
      new RegExp(`stale.*current revision is ${revision}`),
    );
    expect(await expectUpdateRejected(handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'bob', comment: '' }] }))).toMatch(/needs a comment/);
    expect(
      await expectUpdateRejected(handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'bob', comment: 'x', backTo: 'publish' as never }] })),
    ).toMatch(/"backTo" must be one of research, analysis, writing/);

    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] }))).toMatch(/already approved/);
    expect(await expectUpdateRejected(handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] }))).toMatch(/not waiting for attention/);

    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('review');
    expect(progress.pendingReviewers).toEqual(['bob', 'carol']);
    // Rejected updates never reach history, so the audit trail holds only the accepted approval.
    const audit = await handle.query(auditTrailQuery);
    expect(audit.filter((a) => a.action === 'approve')).toHaveLength(1);
  });
});

test('the author cannot approve their own draft', async () => {
  await withCase(server.env, 
    async (handle) => {
      await waitForPhase(handle, 'review');
      expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol' }] }))).toMatch(/carol wrote revision .* cannot review it/);
    },
    { brief: { author: 'carol' } },
  );
});

test('an invalid signal is recorded in the audit trail and changes nothing', async () => {
  await withCase(server.env, async (handle) => {
    await waitForPhase(handle, 'review');
    await handle.signal(approveSignal, { reviewer: 'mallory' });
    await handle.signal(approveSignal, { nonsense: true } as never);
    await handle.signal(requestChangesSignal, { reviewer: 'alice' } as never);
    await handle.signal(approveSignal, { reviewer: 'alice' });
    const audit = await handle.query(auditTrailQuery);
    const rejected = audit.filter((a) => !a.accepted);
    expect(rejected.map((a) => a.action)).toEqual(['approve rejected', 'approve rejected', 'requestChanges rejected']);
    expect(rejected[0].detail).toMatch(/Unknown reviewer "mallory"/);
    expect(rejected[1].detail).toMatch(/names no reviewer/);
    const progress = await handle.query(progressQuery);
    expect(progress.phase).toBe('review');
    expect(progress.reviewers.filter((r) => r.approved).map((r) => r.name)).toEqual(['alice']);
  });
});

test('request-changes back to analysis makes a new revision; approvals of the old one are void', async () => {
  await withCase(server.env, async (handle, controls) => {
    await waitForPhase(handle, 'review');
    const before = await handle.query(progressQuery);
    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: before.revision }] });
    await handle.executeUpdate(requestChangesUpdate, {
      args: [{ reviewer: 'bob', comment: 'Cite the settlement volume', backTo: 'analysis', revision: before.revision }],
    });
    await waitForPhase(handle, 'review', (p) => p.revision !== before.revision);
    const after = await handle.query(progressQuery);
    expect(after.revision).not.toBe(before.revision);
    expect(after.revisionCount).toBe(2);
    expect(after.reworkLoops).toBe(1);
    expect(after.reviewers.filter((r) => r.approved)).toEqual([]);

    const analyses = controls.calls.filter((c) => c.name === 'analyzeCase');
    expect(analyses).toHaveLength(2);
    expect(JSON.stringify(analyses[1].input)).toContain('Cite the settlement volume');

    expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol', revision: before.revision }] }))).toMatch(
      new RegExp(`Revision ${before.revision} is stale: the current revision is ${after.revision}`),
    );
    const packet = await handle.query(reviewPacketQuery);
    expect(packet.feedback).toEqual([expect.objectContaining({ reviewer: 'bob', backTo: 'analysis', revision: before.revision })]);
    const audit = await handle.query(auditTrailQuery);
    expect(audit.some((a) => a.action === 'approvals voided' && a.detail === `alice@${before.revision}`)).toBe(true);
  });
});

test('QA errors send the draft back to writing; a repeated failure needs attention until a writer uploads', async () => {
  await withCase(server.env, 
    async (handle, controls) => {
      await waitForPhase(handle, 'attention');
      const progress = await handle.query(progressQuery);
      expect(progress.attention).toMatch(/QA blocks revision/);
      const packet = await handle.query(reviewPacketQuery);
      expect(packet.qa?.findings[0].rule).toBe('test-rule');

      const uploaded = await handle.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: '# fixed by hand' }] });
      await waitForPhase(handle, 'review');
      expect((await handle.query(progressQuery)).revision).toBe(uploaded.revision);
      expect(await expectUpdateRejected(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice', revision: progress.revision }] }))).toMatch(/stale/);
      const composeFeedback = controls.calls.filter((c) => c.name === 'composeDraft').map((c) => (c.input as { feedback: string[] }).feedback);
      expect(composeFeedback[1].join('\n')).toMatch(/QA test-rule: bad draft — fix it/);
    },
    {
      setup: (controls) => {
        controls.stubbornComposer = true;
        // Every composed revision fails QA; the uploaded one passes.
        controls.qaFails = (revision) => revision !== revisionOf('# fixed by hand');
      },
    },
  );
});


test('a failure after publishing is compensated and the case needs attention', async () => {
  await withCase(server.env, 
    async (handle, controls) => {
      await waitForPhase(handle, 'review');
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol' }] });
      await waitForPhase(handle, 'attention');
      const names = controls.calls.map((c) => c.name);
      expect(names.indexOf('unpublishCase')).toBeGreaterThan(names.indexOf('publishCase'));
      expect(controls.published.size).toBe(0);
      expect((await handle.query(progressQuery)).attention).toMatch(/rolled back: library folder is read-only/);

      controls.failLibraryUpdate = false;
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] });
      const result = await handle.result();
      expect(result.phase).toBe('published');
      expect(controls.published.size).toBe(1);
    },
    { setup: (controls) => (controls.failLibraryUpdate = true) },
  );
});

test('a compensation that fails parks the case in attention with what was and was not undone; resume retries it', async () => {
  await withCase(
    server.env,
    async (handle, controls) => {
      const { revision } = await waitForPhase(handle, 'review');
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
      await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol' }] });

      const parked = await waitForPhase(handle, 'attention');
      expect(parked.attention).toMatch(/Publishing failed \(library folder is read-only\) and the rollback did not finish/);
      expect(parked.attention).toMatch(new RegExp(`NOT undone: unpublish revision ${revision} \\(the previous version of .* is no longer in the artifact store\\)`));
      expect(parked.rollback).toEqual([{ step: `unpublish revision ${revision}`, revision, undone: false, error: expect.stringMatching(/no longer in the artifact store/) }]);
      expect(controls.published.get(parked.caseId)).toBe(revision); // still out there: nothing was undone
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await expectUpdateRejected(handle.executeUpdate(uploadDraftUpdate, { args: [{ author: 'frank', markdown: '# new' }] }), /not fully rolled back/);

      // A resume while the cause is still there retries the rollback and stays in attention.
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] });
      const retried = await waitForPhase(handle, 'attention', (p) => /still not finished/.test(p.attention ?? ''));
      expect(retried.rollback?.[0].undone).toBe(false);
      expect(controls.calls.filter((c) => c.name === 'unpublishCase')).toHaveLength(2);

      // Once the cause is fixed, resume finishes the rollback, then publishes again.
      controls.failUnpublish = false;
      controls.failLibraryUpdate = false;
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave' }] });
      const result = await handle.result();
      expect(result.phase).toBe('published');
      const names = controls.calls.map((c) => c.name);
      expect(names.filter((n) => n === 'unpublishCase')).toHaveLength(3);
      expect(names.lastIndexOf('publishCase')).toBeGreaterThan(names.lastIndexOf('unpublishCase'));
      expect(controls.published.get(result.caseId)).toBe(revision);
      const trail = await handle.query(auditTrailQuery);
      expect(trail.filter((a) => a.action === 'rollback retried').map((a) => a.accepted)).toEqual([false, true]);
    },
    {
      setup: (controls) => {
        controls.failLibraryUpdate = true;
        controls.failUnpublish = true;
      },
    },
  );
});

test('past the revision cap the case needs attention, visibly', async () => {
  await withCase(server.env, 
    async (handle) => {
      await waitForPhase(handle, 'review');
      await handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'alice', comment: 'again' }] });
      await waitForPhase(handle, 'review', (p) => p.revisionCount === 2);
      await handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer: 'alice', comment: 'and again' }] });
      await waitForPhase(handle, 'attention');
      const progress = await handle.query(progressQuery);
      expect(progress.attention).toMatch(/Revision cap reached \(2 of 2\)/);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get({ name: 'CasePhase', type: 'KEYWORD' } as never)).toBe('attention');
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'dave', extraRevisions: 1 }] });
      await waitForPhase(handle, 'review', (p) => p.revisionCount === 3);
      expect((await handle.query(progressQuery)).revisionCount).toBe(3);
    },
    { brief: { review: { ...testBrief().review, maxRevisions: 2 } } },
  );
});
