/**
 * Temporal's documented limits, as data with the page each number comes from. The `limits` QA gate
 * checks what a case claims (fan-out, history length, pending operations, payload size, Actions/s)
 * against these numbers; a case that plans beyond them must say how it stays inside (batches,
 * continue-as-new, references instead of payloads, more namespaces or provisioned capacity).
 *
 * Checked against docs.temporal.io in 2026-12. When Temporal changes a limit, change it here, once.
 */

/** One documented limit. */
export interface TemporalLimit {
  id: LimitId;
  /** What is limited, for QA messages. */
  what: { zh: string; en: string };
  /** The hard limit (errors past it) in `unit`. */
  value: number;
  /** The level at which Temporal starts to warn, when documented. */
  warnAt?: number;
  unit: 'events' | 'bytes' | 'operations' | 'actions/s';
  /** Self-hosted default, Temporal Cloud, or both. */
  scope: 'self-hosted' | 'cloud' | 'both';
  /** Whether the limit can be raised (dynamic config, support ticket, capacity mode). */
  adjustable: boolean;
  source: { title: string; url: string };
}

export type LimitId =
  | 'history-events'
  | 'history-bytes'
  | 'pending-activities'
  | 'pending-children'
  | 'pending-signals'
  | 'payload-bytes'
  | 'grpc-message-bytes'
  | 'cloud-actions-per-second';

const EXECUTION_LIMITS = { title: 'Workflow Execution limits', url: 'https://docs.temporal.io/workflow-execution/limits' };
const SELF_HOSTED_DEFAULTS = { title: 'Self-hosted Temporal Service defaults', url: 'https://docs.temporal.io/self-hosted-guide/defaults' };
const CLOUD_LIMITS = { title: 'System limits - Temporal Cloud', url: 'https://docs.temporal.io/cloud/limits' };

const MB = 1024 * 1024;

/** Every limit the gates check, in one list. */
export const TEMPORAL_LIMITS: readonly TemporalLimit[] = [
  {
    id: 'history-events',
    what: { zh: '单个 Workflow 执行的事件历史条数', en: 'events in one workflow execution history' },
    value: 51_200,
    warnAt: 10_240,
    unit: 'events',
    scope: 'both',
    adjustable: false,
    source: EXECUTION_LIMITS,
  },
  {
    id: 'history-bytes',
    what: { zh: '单个 Workflow 执行的事件历史大小', en: 'size of one workflow execution history' },
    value: 50 * MB,
    warnAt: 10 * MB,
    unit: 'bytes',
    scope: 'both',
    adjustable: false,
    source: EXECUTION_LIMITS,
  },
  {
    id: 'pending-activities',
    what: { zh: '单个 Workflow 执行中未完成的 Activity 数', en: 'incomplete activities per workflow execution' },
    value: 2_000,
    unit: 'operations',
    scope: 'both',
    adjustable: false,
    source: EXECUTION_LIMITS,
  },
  {
    id: 'pending-children',
    what: { zh: '单个 Workflow 执行中未完成的子 Workflow 数', en: 'incomplete child workflows per workflow execution' },
    value: 2_000,
    unit: 'operations',
    scope: 'both',
    adjustable: false,
    source: EXECUTION_LIMITS,
  },
  {
    id: 'pending-signals',
    what: { zh: '单个 Workflow 执行中未完成的外发 Signal 数', en: 'incomplete outgoing signals per workflow execution' },
    value: 2_000,
    unit: 'operations',
    scope: 'both',
    adjustable: false,
    source: EXECUTION_LIMITS,
  },
  {
    id: 'payload-bytes',
    what: { zh: '单个负载（参数、返回值）的大小', en: 'size of one payload (argument or result)' },
    value: 2 * MB,
    warnAt: 256 * 1024,
    unit: 'bytes',
    scope: 'both',
    adjustable: true,
    source: SELF_HOSTED_DEFAULTS,
  },
  {
    id: 'grpc-message-bytes',
    what: { zh: '单条 gRPC 消息的大小', en: 'size of one gRPC message' },
    value: 4 * MB,
    unit: 'bytes',
    scope: 'both',
    adjustable: false,
    source: SELF_HOSTED_DEFAULTS,
  },
  {
    id: 'cloud-actions-per-second',
    what: { zh: 'Temporal Cloud 单个命名空间的默认 Actions/s', en: 'default Actions per second of one Temporal Cloud namespace' },
    value: 500,
    unit: 'actions/s',
    scope: 'cloud',
    adjustable: true,
    source: CLOUD_LIMITS,
  },
];

/** The limit with this id. */
export function limit(id: LimitId): TemporalLimit {
  const found = TEMPORAL_LIMITS.find((l) => l.id === id);
  if (!found) throw new Error(`unknown Temporal limit "${id}"`);
  return found;
}

const NUMBER = /(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(万|亿|千|million|billion|thousand)?/gi;
const MULTIPLIER: Record<string, number> = { 万: 1e4, 亿: 1e8, 千: 1e3, million: 1e6, billion: 1e9, thousand: 1e3 };

/** The largest number of a text (years included: a plan of 2,000 per second is a plan). */
export function largestNumber(text: string): number {
  let max = 0;
  for (const m of text.matchAll(NUMBER)) {
    const value = Number(m[1].replace(/,/g, '')) * (m[2] ? (MULTIPLIER[m[2].toLowerCase()] ?? 1) : 1);
    if (Number.isFinite(value) && value > max) max = value;
  }
  return max;
}

/** Events one child adds to its parent's history: initiated, started, completed. */
export const EVENTS_PER_CHILD = 3;

/** Capacity arithmetic from a brief's targets and estimates (English texts), set against the limits. */
export interface Capacity {
  /** Workflow starts per second at peak (a design target). */
  startsPerSecond?: number;
  /** Temporal Actions per unit of work (an estimate). */
  actionsPerUnit?: number;
  /** startsPerSecond × actionsPerUnit. */
  actionsPerSecond?: number;
  /** Child workflows one parent starts (a design target). */
  children?: number;
  /** children × EVENTS_PER_CHILD. */
  parentEvents?: number;
}

/** Derives the capacity arithmetic from target texts such as "2,000 … per second" and "About 15 Temporal Actions per …". */
export function capacityOf(targets: readonly { text: { en: string } }[]): Capacity {
  const out: Capacity = {};
  for (const t of targets) {
    const en = t.text.en;
    if (/per second/i.test(en) && !/Actions?/.test(en)) out.startsPerSecond = largestNumber(en);
    const actions = /(\d[\d,.]*)\s+Temporal Actions?/i.exec(en);
    if (actions) out.actionsPerUnit = Number(actions[1].replace(/,/g, ''));
    if (/child workflow/i.test(en)) out.children = largestNumber(en);
  }
  if (out.startsPerSecond && out.actionsPerUnit) out.actionsPerSecond = out.startsPerSecond * out.actionsPerUnit;
  if (out.children) out.parentEvents = out.children * EVENTS_PER_CHILD;
  return out;
}
