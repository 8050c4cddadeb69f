/**
 * Test doubles for the activities (the server and the workflow are real). They keep what they were
 * asked in memory so tests can assert on it, and can be told to fail.
 */
import { revisionOf } from '../../activities/store';
import { ApplicationFailure } from '@temporalio/common';
import { readCaseProgress } from '../../activities/campaign';
import type { CampaignActivities, CaseActivities } from '../../src/domain/activities';
import { NonRetryable } from '../../src/domain/failures';
import { renderSummaryMarkdown } from '../../src/report';
import type { CaseBrief, DraftInfo, QaSummary } from '../../src/domain/types';
import type { CaseInput } from '../../src/domain/case';

export interface FakeControls {
  /** QA reports an error for the revisions this returns true for. */
  qaFails: (revision: string) => boolean;
  /** Make the built-in composer ignore feedback (it then reproduces a failed revision). */
  stubbornComposer: boolean;
  /** Make the library update fail (to exercise the publish saga). */
  failLibraryUpdate: boolean;
  /** Make the saga's compensation (unpublishCase) fail, as a rollback whose old version is gone does. */
  failUnpublish: boolean;
  calls: { name: string; input: unknown }[];
  published: Map<string, string>;
  notifications: { kind: string; to: string[] }[];
  /** Campaign summaries written by `writeCampaignSummary`, rendered as the real activity would. */
  summaries: { version: string; markdown: string }[];
}

export function fakeActivities(): { activities: CaseActivities & CampaignActivities; controls: FakeControls } {
  const controls: FakeControls = {
    qaFails: () => false,
    stubbornComposer: false,
    failLibraryUpdate: false,
    failUnpublish: false,
    calls: [],
    published: new Map(),
    notifications: [],
    summaries: [],
  };
  const drafts = new Map<string, string>();
  // What the real research stores in the dossier: the brief, for the steps that no longer carry it.
  const dossierBriefs = new Map<string, CaseBrief>();
  const record = (name: string, input: unknown) => controls.calls.push({ name, input });
  const store = (markdown: string, author: string): DraftInfo => {
    const revision = revisionOf(markdown);
    drafts.set(revision, markdown);
    return { revision, ref: `${revision}.md`, bytes: markdown.length, author, figures: [] };
  };
  const activities: CaseActivities & CampaignActivities = {
    async collectSources(input) {
      record('collectSources', input);
      const ref = `dossier-${input.caseId}-${input.notes.length}.json`;
      if (input.brief) dossierBriefs.set(ref, input.brief);
      return {
        ref,
        sources: (input.sources ?? input.brief?.sources ?? []).map((s) => ({ id: s.id, title: s.title, status: 'ok' as const })),
        factCount: input.notes.length,
      };
    },
    async analyzeCase(input) {
      record('analyzeCase', input);
      if (!input.brief && !dossierBriefs.has(input.dossierRef)) throw new Error(`no brief in the input nor in ${input.dossierRef}`);
      return { ref: `outline-${input.feedback.length}.json`, patterns: ['saga', 'signals-updates'] };
    },
    async composeDraft(input) {
      record('composeDraft', input);
      const feedback = controls.stubbornComposer ? [] : input.feedback;
      const brief = input.brief ?? dossierBriefs.get(input.dossierRef);
      if (!brief) throw new Error(`no brief in the input nor in ${input.dossierRef}`);
      return store(`# ${brief.title.en}\n\nfrom ${input.outlineRef}\n${feedback.join('\n')}`, input.author);
    },
    async applyDraftUpload(input) {
      record('applyDraftUpload', input);
      return store(input.markdown, input.author);
    },
    async checkDraft(input): Promise<QaSummary> {
      record('checkDraft', input);
      const failing = controls.qaFails(input.revision);
      return {
        revision: input.revision,
        errors: failing ? 1 : 0,
        warnings: 0,
        findings: failing ? [{ rule: 'test-rule', severity: 'error', message: 'bad draft', fix: 'fix it' }] : [],
        reportRef: `qa-${input.revision}.json`,
      };
    },
    async publishCase(input) {
      record('publishCase', input);
      controls.published.set(input.caseId, input.revision);
      return { path: `docs/cases/${input.industry}/${input.caseId}.md`, revision: input.revision };
    },
    async unpublishCase(input) {
      record('unpublishCase', input);
      if (controls.failUnpublish) {
        throw ApplicationFailure.nonRetryable(`the previous version of ${input.caseId} is no longer in the artifact store`, NonRetryable.PreviousVersionMissing);
      }
      if (controls.published.get(input.caseId) === input.revision) controls.published.delete(input.caseId);
    },
    async updateLibraryDocs(input) {
      record('updateLibraryDocs', input);
      if (controls.failLibraryUpdate) throw ApplicationFailure.nonRetryable('library folder is read-only', 'LibraryWriteFailed');
      return { written: [], changed: [] };
    },
    async notify(input) {
      record('notify', input);
      controls.notifications.push({ kind: input.kind, to: input.to });
      return { delivered: ['test'] };
    },
    async writeCampaignSummary(input) {
      record('writeCampaignSummary', input);
      const { progress } = input;
      controls.summaries.push({ version: progress.version, markdown: renderSummaryMarkdown(progress, {}, progress.completedAt ?? progress.startedAt) });
      return { path: `campaigns/${progress.version}.md` };
    },
    async readCaseProgress(input) {
      record('readCaseProgress', input);
      // Reads the real server through the worker's client; nothing outside the test server is touched.
      return readCaseProgress(input);
    },
  };
  return { activities, controls };
}

/** A small brief; tests override what they exercise. */
export function testBrief(overrides: Partial<CaseBrief> = {}): CaseBrief {
  return {
    id: 'acme',
    company: 'Acme Payments',
    industry: 'fintech',
    title: { zh: 'Acme - 支付', en: 'Acme - Payments' },
    features: [{ zh: '支付', en: 'payments' }],
    themes: ['payments'],
    context: { zh: '设计研究', en: 'A design study' },
    requirements: [],
    painPoints: [],
    sources: [{ id: 'S1', location: 'file:sources/acme/S1.md', title: 'Acme annual report' }],
    targets: [],
    author: 'erin',
    language: 'zh',
    review: {
      reviewers: [
        { name: 'alice', role: 'tech' },
        { name: 'bob', role: 'data' },
        { name: 'carol', role: 'editor' },
      ],
      quorum: { count: 2 },
      backup: { name: 'dave', role: 'lead' },
      remindAfter: '2 days',
      escalateAfter: '4 days',
      maxRevisions: 5,
    },
    ...overrides,
  };
}

export function testInput(caseId: string, brief: CaseBrief = testBrief({ id: caseId })): CaseInput {
  return { caseId, planVersion: 'test', planFile: 'plan/v15.0.yaml', templateFile: 'plan/template.yaml', brief, language: 'zh' };
}
