/**
 * Everything a reviewer reads about one case, gathered from the Temporal server (queries and the
 * workflow history) and the workers' store. Shared by the review page and the CLI.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { msToNumber } from '@temporalio/common/lib/time';
import { auditTrailQuery, progressQuery, reviewPacketQuery, type AuditEntry, type CaseProgress, type ReviewPacket } from '../messages';
import type { CaseBrief, DossierSummary, DraftInfo } from '../domain/types';
import { caseWorkflowId } from '../names';
import type { CaseInput } from '../../workflows/case';
import type { DraftStore } from './drafts';

/** One revision of a case's draft, in the order the case adopted them. */
export interface RevisionEntry {
  revision: string;
  /** Store reference of its Markdown, when known (from the activity that stored it). */
  ref?: string;
  author?: string;
  at?: string;
}

/** What the workflow history tells that the queries do not: draft refs per revision, the dossier, the brief. */
interface HistoryIndex {
  runId: string;
  refs: Map<string, DraftInfo>;
  dossierRef?: string;
  brief?: CaseBrief;
}

export interface CaseSnapshot {
  caseId: string;
  workflowId: string;
  runId: string;
  status: string;
  progress: CaseProgress;
  packet: ReviewPacket;
  audit: AuditEntry[];
  /** Revisions in the order they were adopted, oldest first. */
  revisions: RevisionEntry[];
  brief?: CaseBrief;
  dossierRef?: string;
  /** When the current review round began, and when it escalates to the backup reviewer. */
  reviewSince?: string;
  deadline?: string;
}

const DRAFT_ACTIVITIES = new Set(['composeDraft', 'applyDraftUpload']);

function decode<T>(payloads: temporal.api.common.v1.IPayloads | null | undefined): T | undefined {
  const first = payloads?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload<T>(first) : undefined;
}

/**
 * Reads one run's history (and the runs it continued from) for the refs of every stored draft, the
 * latest dossier and the brief. Content-addressed refs never change, so an index stays true; it is
 * only extended.
 */
async function indexHistory(client: Client, workflowId: string, runId: string): Promise<HistoryIndex> {
  const index: HistoryIndex = { runId, refs: new Map() };
  let run: string | undefined = runId;
  const seen = new Set<string>();
  while (run && !seen.has(run)) {
    seen.add(run);
    const history = await client.workflow.getHandle(workflowId, run).fetchHistory();
    const scheduled = new Map<string, string>();
    let previous: string | undefined;
    for (const event of history.events ?? []) {
      const started = event.workflowExecutionStartedEventAttributes;
      if (started) {
        const input = decode<CaseInput>(started.input);
        index.brief ??= input?.brief;
        if (input?.state?.draft && !index.refs.has(input.state.draft.revision)) index.refs.set(input.state.draft.revision, input.state.draft);
        if (input?.state?.dossier && !index.dossierRef) index.dossierRef = input.state.dossier.ref;
        previous = started.continuedExecutionRunId || undefined;
      }
      const sched = event.activityTaskScheduledEventAttributes;
      if (sched?.activityType?.name) scheduled.set(String(event.eventId), sched.activityType.name);
      const done = event.activityTaskCompletedEventAttributes;
      if (done) {
        const type = scheduled.get(String(done.scheduledEventId));
        if (type && DRAFT_ACTIVITIES.has(type)) {
          const draft = decode<DraftInfo>(done.result);
          if (draft?.revision) index.refs.set(draft.revision, draft);
        } else if (type === 'collectSources' && run === runId) {
          const dossier = decode<DossierSummary>(done.result);
          if (dossier?.ref) index.dossierRef = dossier.ref;
        }
      }
    }
    run = previous;
  }
  return index;
}

/** Reads cases from a Temporal server; keeps history indexes between calls (they only grow). */
export class CaseReader {
  private readonly indexes = new Map<string, HistoryIndex>();

  constructor(
    readonly client: Client,
    readonly store: DraftStore,
  ) {}

  handle(caseId: string): WorkflowHandle {
    return this.client.workflow.getHandle(caseWorkflowId(caseId));
  }

  private async index(workflowId: string, runId: string, mustKnow: (string | undefined)[]): Promise<HistoryIndex> {
    const cached = this.indexes.get(workflowId);
    if (cached && cached.runId === runId && mustKnow.every((r) => !r || cached.refs.has(r))) return cached;
    const fresh = await indexHistory(this.client, workflowId, runId);
    this.indexes.set(workflowId, fresh);
    return fresh;
  }

  /** Progress, review packet, audit trail and revision history of a case. Throws WorkflowNotFoundError. */
  async snapshot(caseId: string): Promise<CaseSnapshot> {
    const handle = this.handle(caseId);
    const [description, progress, packet, audit] = await Promise.all([
      handle.describe(),
      handle.query(progressQuery),
      handle.query(reviewPacketQuery),
      handle.query(auditTrailQuery),
    ]);
    const adopted = audit.filter((a) => a.action === 'new revision' && a.revision);
    const index = await this.index(handle.workflowId, description.runId, [packet.revision, ...adopted.map((a) => a.revision)]);
    const revisions: RevisionEntry[] = [];
    for (const entry of adopted) {
      if (revisions.some((r) => r.revision === entry.revision)) continue;
      const info = index.refs.get(entry.revision!);
      revisions.push({ revision: entry.revision!, ref: info?.ref, author: info?.author ?? entry.actor, at: entry.at });
    }
    if (packet.draft && !revisions.some((r) => r.revision === packet.draft!.revision)) {
      revisions.push({ revision: packet.draft.revision, ref: packet.draft.ref, author: packet.draft.author });
    }
    const current = revisions.find((r) => r.revision === packet.revision);
    if (current && packet.draft) current.ref = packet.draft.ref;
    const snapshot: CaseSnapshot = {
      caseId,
      workflowId: handle.workflowId,
      runId: description.runId,
      status: description.status.name,
      progress,
      packet,
      audit,
      revisions,
      brief: index.brief,
      dossierRef: index.dossierRef,
    };
    if (progress.phase === 'review' && packet.revision) {
      // The review round starts when QA passes the revision (same workflow task, same time).
      const passed = [...audit].reverse().find((a) => a.action === 'qa passed' && a.revision === packet.revision);
      if (passed) {
        snapshot.reviewSince = passed.at;
        if (index.brief) {
          const after = msToNumber(index.brief.review.escalateAfter as Parameters<typeof msToNumber>[0]);
          snapshot.deadline = new Date(Date.parse(passed.at) + after).toISOString();
        }
      }
    }
    return snapshot;
  }

  /** The Markdown of a revision of the case (the current one when `revision` is omitted). */
  async markdown(snapshot: CaseSnapshot, revision?: string): Promise<{ revision: string; markdown: string }> {
    const wanted = revision ?? snapshot.packet.revision;
    if (!wanted) throw new DraftNotFound(`${snapshot.caseId} has no draft yet (phase ${snapshot.progress.phase}).`, 'Wait until the case reaches writing; `casebook show` tells its phase.');
    const entry = snapshot.revisions.find((r) => r.revision === wanted);
    if (!entry) {
      throw new DraftNotFound(
        `${snapshot.caseId} has no revision "${wanted}".`,
        `Its revisions: ${snapshot.revisions.map((r) => r.revision).join(', ') || 'none'}.`,
      );
    }
    if (!entry.ref) throw new DraftNotFound(`The store reference of revision ${wanted} is no longer in the case's history.`, 'Compare with a later revision.');
    try {
      return { revision: wanted, markdown: await this.store.readDraft(entry.ref) };
    } catch (err) {
      throw new DraftNotFound(
        `Revision ${wanted} of ${snapshot.caseId} is not in the workers' store (${entry.ref}).`,
        'Read drafts where the worker keeps its state: the same CASEBOOK_HOME as the worker (or its volume in docker compose).',
        { cause: err },
      );
    }
  }
}

/** A draft that cannot be read; the message says why, the hint what to do. */
export class DraftNotFound extends Error {
  constructor(
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DraftNotFound';
  }
}

/** The revision a reviewer last decided on (approve or request changes), if any. */
export function lastDecidedRevision(audit: AuditEntry[], reviewer: string): string | undefined {
  const decision = [...audit].reverse().find((a) => a.actor === reviewer && a.accepted && a.revision && (a.action === 'approve' || a.action.startsWith('request changes')));
  return decision?.revision;
}

/**
 * The default base of a diff: the revision the reviewer last decided on when it is not the current
 * one, otherwise the revision before the current one.
 */
export function diffBase(snapshot: CaseSnapshot, reviewer?: string): string | undefined {
  const current = snapshot.packet.revision;
  const decided = reviewer ? lastDecidedRevision(snapshot.audit, reviewer) : undefined;
  if (decided && decided !== current) return decided;
  const at = snapshot.revisions.findIndex((r) => r.revision === current);
  return at > 0 ? snapshot.revisions[at - 1].revision : undefined;
}
