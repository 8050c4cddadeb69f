/**
 * What a case shows outside its history: search attributes (for `casebook status` and the Web UI's
 * list) and the current details (the Web UI's "current details" panel).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { PhaseTiming } from '../src/domain/case';
import { LISTED_PHASES, PHASES, type CasePhase } from '../src/domain/phases';
import {
  CampaignKey,
  CaseIdKey,
  CaseIndustryKey,
  CasePhaseKey,
  CaseProgressKey,
  CaseReviewersKey,
  CaseRevisionKey,
} from '../src/search-attributes';

/** The facts about a case that visibility shows, read fresh each time it is written. */
export interface VisibleCase {
  caseId: string;
  industry: string;
  campaign?: string;
  title: string;
  phase: CasePhase;
  percent: number;
  revision?: string;
  revisionCount: number;
  maxRevisions: number;
  quorum: string;
  pendingReviewers: string[];
  timings: PhaseTiming[];
  qa?: { revision: string; errors: number; warnings: number };
  attention?: string;
  /** Template items a writer must still supply, while the case is in `drafting`. */
  awaitingWriter?: string[];
}

/** The search attributes a case keeps up to date. */
export function searchAttributesOf(c: VisibleCase): SearchAttributeUpdatePair[] {
  return [
    { key: CaseIdKey, value: c.caseId },
    { key: CaseIndustryKey, value: c.industry },
    ...(c.campaign ? [{ key: CampaignKey, value: c.campaign }] : []),
    { key: CasePhaseKey, value: c.phase },
    { key: CaseProgressKey, value: c.percent },
    { key: CaseRevisionKey, value: c.revision ?? 'none' },
    { key: CaseReviewersKey, value: c.pendingReviewers },
  ];
}

/** The current details: a checklist of the phases and what the case waits for, in Markdown. */
export function detailsOf(c: VisibleCase): string {
  const checklist = PHASES.map((phase) => {
    const done = c.timings.some((t) => t.phase === phase && t.endedAt) && c.phase !== phase;
    return `- [${done || c.phase === 'published' ? 'x' : ' '}] ${phase}${c.phase === phase ? ' ← now' : ''}`;
  }).join('\n');
  const lines = [
    `**${c.title}** — phase \`${c.phase}\`, ${c.percent}%`,
    '',
    checklist,
    '',
    `Revision: ${c.revision ?? '—'} (${c.revisionCount} so far, cap ${c.maxRevisions})`,
    `Quorum: ${c.quorum}`,
    `Pending reviewers: ${c.pendingReviewers.length ? c.pendingReviewers.join(', ') : '—'}`,
  ];
  if (c.qa) lines.push(`QA: ${c.qa.errors} errors, ${c.qa.warnings} warnings (revision ${c.qa.revision})`);
  if (c.attention) lines.push('', `⚠️ **Needs attention:** ${c.attention}`);
  if (c.awaitingWriter) {
    lines.push('', `✍️ **Awaiting writer:** ${c.awaitingWriter.join(', ')} — \`casebook draft scaffold ${c.caseId}\`, then \`casebook draft upload\`.`);
  }
  return lines.join('\n');
}

/**
 * Whether the lean path writes the search attributes now. The lists (`casebook status`, the review
 * inbox, the README's queries) ask which cases wait for whom, at which revision, and which are done.
 * So: write on entering or while in a waiting phase, and on leaving one for unattended work — except
 * review → publish, which ends in `published` (or `attention`) within the same stretch of work and
 * is written then. Unattended work between two writes (research → QA) is not written at all; the
 * case's own `progress` query and the current details stay exact.
 */
export function listsChange(phase: CasePhase, written: string | undefined): boolean {
  if (written === undefined) return true; // nothing seeded at start: write once
  if (LISTED_PHASES.has(phase)) return true;
  const was = JSON.parse(written) as string;
  return LISTED_PHASES.has(was) && !(was === 'review' && phase === 'publish');
}

/**
 * Writes a case's visibility once per workflow task, and only what changed: every upsert is a
 * visibility write on the server (and, on the lean path, only when {@link listsChange}).
 */
export class Visibility {
  /** Search attributes as last written, seeded from the start options or the previous run. */
  private readonly written = new Map<string, string>(
    workflowInfo().typedSearchAttributes.getAll().map((pair) => [pair.key.name, JSON.stringify(pair.value)]),
  );
  private queued = false;

  constructor(
    private readonly read: () => VisibleCase,
    private readonly lean = false,
  ) {}

  /** Marks the visible state dirty; it is written once, at the end of the current workflow task. */
  refresh(): void {
    if (this.queued) return;
    this.queued = true;
    // A microtask runs before the activation completes, after every state change of this task.
    void Promise.resolve().then(() => this.flush());
  }

  private flush(): void {
    this.queued = false;
    const c = this.read();
    const write = !this.lean || listsChange(c.phase, this.written.get(CasePhaseKey.name));
    const changed = !write ? [] : searchAttributesOf(c).filter((pair) => this.written.get(pair.key.name) !== JSON.stringify(pair.value));
    if (changed.length) {
      upsertSearchAttributes(changed);
      for (const pair of changed) this.written.set(pair.key.name, JSON.stringify(pair.value));
    }
    setCurrentDetails(detailsOf(c));
  }
}
