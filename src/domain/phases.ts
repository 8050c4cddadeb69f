/**
 * The phases of a case, declared once: their order, the progress a case reports in each, and how
 * far along each counts for a campaign. The case workflow, the campaign, the report and the CLI all
 * read this file.
 *
 * To add a phase, add it to `PHASES` (work, in order) or `HOLD_PHASES` (the case waits for people);
 * the compiler then points at every table below that needs a row for it.
 *
 * Pure: workflows import this file.
 */

/** The working phases of a case, in order. */
export const PHASES = ['research', 'analysis', 'writing', 'qa', 'review', 'publish'] as const;
export type WorkPhase = (typeof PHASES)[number];

/** Phases where a case waits outside the work order until someone acts (`resume`, an upload). */
export const HOLD_PHASES = ['attention', 'drafting'] as const;
export type HoldPhase = (typeof HOLD_PHASES)[number];

/**
 * Holds that stand for a working phase: `drafting` (the draft waits for a writer) is writing time
 * in the reports and shows writing's progress.
 */
export const HOLD_WORK: Readonly<Partial<Record<HoldPhase, WorkPhase>>> = { drafting: 'writing' };

/** Every value the `CasePhase` search attribute can take. */
export type CasePhase = WorkPhase | 'published' | HoldPhase | 'failed';

/** Every phase, work first, then the end states and holds. */
export const CASE_PHASES: readonly CasePhase[] = [...PHASES, 'published', ...HOLD_PHASES, 'failed'];

/**
 * Phases in which a case waits for people or has ended: the ones the lists (`casebook status`, the
 * review inbox) are made for, and the only ones the case workflow writes to visibility on its lean
 * path (workflows/case-visibility.ts).
 */
export const LISTED_PHASES: ReadonlySet<string> = new Set<CasePhase>(['review', 'drafting', 'attention', 'published', 'failed']);

/**
 * Whether a case in this phase does unattended work (research → QA, publish), which visibility does
 * not follow: its listed phase may be behind its live one.
 */
export function isUnattendedPhase(phase: string): boolean {
  return (CASE_PHASES as readonly string[]).includes(phase) && !LISTED_PHASES.has(phase);
}

/** Phases a reviewer may send a case back to. */
export const REWORK_PHASES = ['research', 'analysis', 'writing'] as const;
export type ReworkPhase = (typeof REWORK_PHASES)[number];

/** Progress (0-100) a case reports while it is in a working phase, and once published. */
export const PHASE_PERCENT: Readonly<Record<WorkPhase | 'published', number>> = {
  research: 5,
  analysis: 20,
  writing: 35,
  qa: 50,
  review: 65,
  publish: 90,
  published: 100,
};

/**
 * A case's progress: its phase's percentage; a case on hold (or failed) reports the phase it will
 * resume in, or 0 when there is none.
 */
export function phasePercent(phase: CasePhase, resumeTo?: WorkPhase): number {
  if (phase in PHASE_PERCENT) return PHASE_PERCENT[phase as WorkPhase | 'published'];
  const work = HOLD_WORK[phase as HoldPhase];
  if (work) return PHASE_PERCENT[work];
  return resumeTo ? PHASE_PERCENT[resumeTo] : 0;
}

/** Whether the phase is one of the working phases (not a hold or an end state). */
export function isWorkPhase(phase: string): phase is WorkPhase {
  return (PHASES as readonly string[]).includes(phase);
}

/**
 * How far along a phase is, for "the furthest phase a case reached": the working phases in order,
 * then published. Holds, `failed` and `pending` (not started) count as 0: they say nothing about
 * work done.
 */
export function phaseRank(phase: CasePhase | 'pending'): number {
  if (phase === 'published') return PHASES.length + 1;
  return isWorkPhase(phase) ? PHASES.indexOf(phase) + 1 : 0;
}

/** Chinese names of the phases, for the report and the library documents. */
export const PHASE_ZH: Readonly<Record<CasePhase | 'pending', string>> = {
  pending: '待开始',
  research: '调研',
  analysis: '分析',
  writing: '撰写',
  qa: '质量检查',
  review: '评审',
  publish: '发布',
  published: '已发布',
  attention: '需关注',
  drafting: '待撰写',
  failed: '失败',
};
