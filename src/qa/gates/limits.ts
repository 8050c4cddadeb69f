/**
 * Temporal limits: what a case plans (fan-out, history length, pending children and activities,
 * payload size, Actions/s) is set against Temporal's documented limits
 * (src/domain/temporal-limits.ts, each with its source). A plan beyond a limit must say how it stays
 * inside: batches, continue-as-new or a tree of children, references instead of payloads, a capacity
 * plan for the namespace. Also: a case that relies on heartbeats sets a heartbeatTimeout.
 */
import { splitSentences } from '../../domain/facts';
import { EVENTS_PER_CHILD, largestNumber as largest, limit, type LimitId } from '../../domain/temporal-limits';
import type { Finding } from '../../domain/types';
import type { ParsedDoc } from '../markdown';
import { codeBlocks, isTs, proseBlocks } from './text';

const RULE = 'gates/limits';

const CHILD = /子\s*Workflow|子工作流|子\s*工作流|child workflows?/i;
const PARALLEL_ACTIVITIES = /(?:Activity|Activities|活动).*(?:并行|并发|同时|in parallel|concurren)|(?:并行|并发|in parallel|concurren).*(?:Activity|Activities|活动)/i;
const BATCHED = /分批|批次|每批|一批|分波|batch|wave/i;
const BOUNDED_HISTORY = /分层|两级|多级|树形|hierarch|tree of/i;
const STATES_LIMIT = /上限|限额|限制|默认|最多|不超过|\blimits?\b|\bdefault\b|at most|no more than/i;
const STARTS_CHILDREN = /\b(?:executeChild|startChild)\s*[<(]/;
const RATE = /每秒|\/\s*s(?![a-z])|\/\s*秒|per second/i;
const ACTIONS = /(\d[\d,.]*)\s*(?:个\s*)?(?:Temporal\s*)?Actions?(?![a-z/])/i;
const CAPACITY_PLAN = /APS|Actions\s*\/\s*s|Actions per second|Provisioned|TRU|自托管|self-hosted|命名空间|namespaces?/i;
const PAYLOAD = /payload|负载|参数|返回值|argument|result/i;
const BY_REFERENCE = /引用|reference|对象存储|object storage|blob|S3|URL/i;
const SIZE = /(\d[\d,.]*)\s*(KB|MB|GB|TB|KiB|MiB|GiB)/gi;

const BYTES: Record<string, number> = { kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4 };

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function cite(id: LimitId): string {
  const l = limit(id);
  return `Temporal's limit: ${fmt(l.value)} ${l.unit} (${l.source.url})`;
}

interface Sentence {
  text: string;
  line: number;
}

function sentencesOf(doc: ParsedDoc): Sentence[] {
  return proseBlocks(doc).flatMap((b) => splitSentences(b.text).map((text) => ({ text, line: b.line })));
}

/** Findings for plans beyond Temporal's limits that the case does not say how it stays inside. */
export function checkLimits(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  const sentences = sentencesOf(doc);
  const all = sentences.map((s) => s.text).join('\n');
  const ts = codeBlocks(doc).filter(isTs);
  const code = ts.map((b) => b.code).join('\n');
  const push = (line: number, message: string, fix: string) => out.push({ rule: RULE, severity: 'error', line, message, fix });

  // Fan-out to child workflows from one parent.
  // A sentence that states a limit ("未完成的子 Workflow 默认最多 2,000 个") bounds the fan-out; it does not plan one.
  const fanOut = sentences.filter((s) => CHILD.test(s.text) && !STATES_LIMIT.test(s.text)).map((s) => ({ ...s, n: largest(s.text) })).sort((a, b) => b.n - a.n)[0];
  if (fanOut && fanOut.n > 0) {
    const pending = limit('pending-children').value;
    if (fanOut.n > pending && !BATCHED.test(all)) {
      push(fanOut.line, `${fmt(fanOut.n)} child workflows from one parent exceed the pending-children limit; ${cite('pending-children')}`, 'start the children in batches of at most 2,000 (say so, and show it in the code)');
    }
    const events = fanOut.n * EVENTS_PER_CHILD;
    const max = limit('history-events').value;
    // The parent that starts the children must itself continue as new, or the fan-out be a tree.
    const parents = ts.filter((b) => STARTS_CHILDREN.test(b.code));
    const bounded = BOUNDED_HISTORY.test(all) || (parents.length > 0 ? parents.some((b) => /\bcontinueAsNew\b/.test(b.code)) : /continueAsNew|Continue-As-New/i.test(`${code}\n${all}`));
    if (events > max && !bounded) {
      push(
        fanOut.line,
        `${fmt(fanOut.n)} children × ${EVENTS_PER_CHILD} events each = ${fmt(events)} events in the parent's history, over ${fmt(max)}; ${cite('history-events')}`,
        'have the parent continueAsNew after each batch (show it in the code), or fan out through a tree of children, and give the arithmetic',
      );
    }
  }

  // Parallel activities from one workflow.
  for (const s of sentences.filter((x) => PARALLEL_ACTIVITIES.test(x.text))) {
    const n = largest(s.text);
    if (n > limit('pending-activities').value && !BATCHED.test(s.text)) {
      push(s.line, `${fmt(n)} activities in flight in one workflow exceed the pending-activities limit; ${cite('pending-activities')}`, 'bound the parallelism (a window of at most 2,000) or split the work across child workflows');
    }
  }

  // Actions per second against a namespace's capacity.
  const rate = Math.max(0, ...sentences.filter((s) => RATE.test(s.text) && !ACTIONS.test(s.text) && !CAPACITY_PLAN.test(s.text) && !STATES_LIMIT.test(s.text)).map((s) => largest(s.text)));
  // Actions per unit of work ("每笔约 15 个 Action"), not a rate or a namespace's capacity ("500 Actions per second").
  const perUnit = Math.max(
    0,
    ...sentences
      .filter((s) => !RATE.test(s.text) && !CAPACITY_PLAN.test(s.text) && !STATES_LIMIT.test(s.text))
      .map((s) => ACTIONS.exec(s.text))
      .map((m) => (m ? Number(m[1].replace(/,/g, '')) : 0))
      .filter((n) => Number.isFinite(n)),
  );
  const aps = rate * perUnit;
  const cloud = limit('cloud-actions-per-second').value;
  if (aps > cloud) {
    const shown = all.includes(fmt(aps)) || all.includes(String(aps));
    if (!shown || !CAPACITY_PLAN.test(all)) {
      const line = sentences.find((s) => ACTIONS.test(s.text))?.line ?? 1;
      push(
        line,
        `${fmt(rate)}/s × ${fmt(perUnit)} Actions = ${fmt(aps)} Actions/s, which the case never sets against a namespace's capacity; ${cite('cloud-actions-per-second')}`,
        `write the arithmetic (${fmt(rate)} × ${fmt(perUnit)} = ${fmt(aps)} Actions/s) and how the namespace takes it: provisioned capacity, several namespaces, or a sized self-hosted cluster`,
      );
    }
  }

  // Payloads larger than Temporal accepts.
  const maxPayload = limit('payload-bytes').value;
  for (const s of sentences.filter((x) => PAYLOAD.test(x.text))) {
    for (const m of s.text.matchAll(SIZE)) {
      const bytes = Number(m[1].replace(/,/g, '')) * (BYTES[m[2].toLowerCase()] ?? 1);
      if (bytes > maxPayload && !BY_REFERENCE.test(s.text)) {
        push(s.line, `a ${m[0]} payload is over the ${fmt(maxPayload / 1024 / 1024)} MB blob limit; ${cite('payload-bytes')}`, 'keep large data in object storage and pass a reference through the workflow');
      }
    }
  }

  // Heartbeats are only noticed with a heartbeat timeout.
  const reliesOnHeartbeat = /\bheartbeat\s*\(/.test(code) || /心跳|heartbeat/i.test(all);
  // Judged only where the code shows how activities are called: prose about a worker the case's code
  // never configures is not contradicted by that code.
  if (ts.length > 0 && reliesOnHeartbeat && /\bproxy(?:Local)?Activities\b/.test(code) && !/heartbeatTimeout/.test(code)) {
    const line = ts.find((b) => /\bheartbeat\s*\(/.test(b.code))?.line ?? ts[0].line;
    push(line, 'the case relies on heartbeats, but no activity in its code sets heartbeatTimeout: a worker that dies mid-task is then noticed only at startToCloseTimeout', 'set heartbeatTimeout in the proxyActivities options of the heartbeating activity');
  }
  return out;
}
