/**
 * Review deadlines on the real time-skipping test server: reminder, escalation to the backup
 * reviewer, and never an automatic approval.
 */
import { approveUpdate, auditTrailQuery, progressQuery } from '../src/messages';
import { timeSkippingEnv } from './helpers/env';
import { testBrief } from './helpers/fakes';
import { useTestServer, waitForPendingTimer, waitForPhase, waitUntil, withCase } from './helpers/harness';

const server = useTestServer(timeSkippingEnv);

test('an overdue review is reminded, then escalated to the backup, who may then approve; nothing auto-approves', async () => {
  const { env } = server;
  const review = { ...testBrief().review, quorum: { roles: ['tech', 'data'] }, remindAfter: '1 day', escalateAfter: '3 days' };
  await withCase(env, async (handle, controls) => {
    // Wait (in real time) until the case is in review and its reminder timer runs, then skip ahead.
    await waitForPhase(handle, 'review');
    await waitForPendingTimer(handle);

    await env.sleep('1 day');
    // The timer has fired; the reminder is sent by the workflow task and activity that follow.
    const kinds = () => Promise.resolve(controls.notifications.map((n) => n.kind));
    expect(await waitUntil('the reminder', kinds, (k) => k.length >= 2)).toEqual(['review-requested', 'reminder']);
    expect((await handle.query(progressQuery)).escalated).toBe(false);
    await expect(handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'dave' }] })).rejects.toThrow();

    await waitForPendingTimer(handle);
    await env.sleep('2 days');
    const escalated = await waitUntil('the escalation', () => handle.query(progressQuery), (p) => p.escalated);
    await waitUntil('the escalation notice', kinds, (k) => k.includes('escalation'));
    expect(escalated.pendingReviewers).toContain('dave');
    expect(controls.notifications.find((n) => n.kind === 'escalation')?.to).toEqual(['dave']);

    await waitForPendingTimer(handle);
    await env.sleep('30 days');
    const still = await handle.query(progressQuery);
    expect(still.phase).toBe('review');
    expect(still.reviewers.filter((r) => r.approved)).toEqual([]);

    await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] });
    const result = await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'dave' }] });
    expect(result.quorumMet).toBe(true);
    expect((await handle.result()).phase).toBe('published');
    const audit = await handle.query(auditTrailQuery);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['reminder sent', 'escalated to dave']));
  }, { prefix: 'late', brief: { review } });
});

test('the quorum of roles needs each role; two approvals of the same role are not enough', async () => {
  const review = {
    ...testBrief().review,
    reviewers: [
      { name: 'alice', role: 'tech' },
      { name: 'bob', role: 'tech' },
      { name: 'carol', role: 'data' },
    ],
    quorum: { roles: ['tech', 'data'] },
  };
  await withCase(server.env, async (handle) => {
    await waitForPhase(handle, 'review');
    expect((await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'alice' }] })).quorumMet).toBe(false);
    expect((await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'bob' }] })).quorumMet).toBe(false);
    expect((await handle.executeUpdate(approveUpdate, { args: [{ reviewer: 'carol' }] })).quorumMet).toBe(true);
    expect((await handle.result()).phase).toBe('published');
  }, { prefix: 'roles', brief: { review } });
});
