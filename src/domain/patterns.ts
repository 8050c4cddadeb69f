/**
 * The catalogue of Temporal patterns a case design can use, and the pure chooser that picks the ones
 * fitting a brief.
 *
 * Pure data and logic: no I/O, no Node built-ins. Every text in the catalogue is free of digits on
 * purpose, because case documents may only carry numbers that are cited or labelled; digits inside the
 * TypeScript samples (docs/patterns/<id>.ts) are fine (code blocks are not prose).
 */
import type { CaseBrief } from './types';

export type PatternId =
  | 'saga'
  | 'signals-updates'
  | 'child-workflows'
  | 'heartbeats'
  | 'continue-as-new'
  | 'schedules'
  | 'versioning'
  | 'timers'
  | 'idempotency'
  | 'rate-limiting';

export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * A pattern's TypeScript sample. The code itself is a real module, `docs/patterns/<id>.ts`, that tsc
 * and eslint check with the project; this module does no I/O, so whoever needs the text reads it
 * there (src/pattern-sources.ts) and passes it in.
 */
export interface PatternExcerpt {
  /** Where the code runs: workflow code, an activity, a client program or a worker process. */
  kind: 'workflow' | 'activity' | 'client' | 'worker';
  title: Bilingual;
}

export interface Pattern {
  id: PatternId;
  name: Bilingual;
  /** Why the pattern is used, in one or two sentences. */
  rationale: Bilingual;
  /** The component the pattern adds to the architecture. */
  component: Bilingual;
  /** The mistake people make with it. */
  pitfall: Bilingual;
  matches: {
    /** Brief theme tags that select the pattern (exact match). */
    themes: string[];
    /** Words in the brief's features, requirements and pain points that select it. */
    keywords: { zh: string[]; en: string[] };
  };
  excerpt: PatternExcerpt;
}

export const PATTERNS: readonly Pattern[] = [
  {
    id: 'saga',
    name: { zh: 'Saga 与补偿', en: 'Saga and compensation' },
    rationale: {
      zh: '跨多个外部系统的业务步骤无法放进同一个数据库事务；Saga 让每个已完成步骤登记对应的补偿操作，失败时按相反顺序执行，使整体结果要么完成、要么被干净地撤销。',
      en: 'Business steps that span several external systems cannot share one database transaction; a saga registers a compensation for every completed step and runs them in reverse on failure, so the whole either completes or is cleanly undone.',
    },
    component: { zh: '补偿 Activity（撤销已完成的步骤）', en: 'Compensation activities (undo completed steps)' },
    pitfall: {
      zh: '补偿操作本身也会失败，必须同样幂等、可重试，并在补偿彻底失败时进入人工处理，而不是静默丢弃。',
      en: 'Compensations fail too: they must be idempotent and retryable, and a compensation that keeps failing must go to a human instead of being dropped silently.',
    },
    matches: {
      themes: ['payments', 'e-commerce', 'ecommerce', 'fintech', 'transactions', 'orders'],
      keywords: {
        zh: ['支付', '转账', '交易', '订单', '退款', '补偿', '结算', '清算', '扣款', '分布式事务', '资金'],
        en: ['payment', 'transfer', 'transaction', 'order', 'refund', 'compensat', 'settlement', 'checkout', 'purchase', 'billing'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '支付 Saga', en: 'Payment saga' } },
  },
  {
    id: 'signals-updates',
    name: { zh: 'Signal 与 Update（人工步骤与外部事件）', en: 'Signals and updates for human steps and external events' },
    rationale: {
      zh: '人工审批、风控复核和外部回调的到达时间不可预测；Workflow 通过 Signal 接收事件、通过带校验器的 Update 同步确认，等待期间不占用任何线程，状态可随时查询。',
      en: 'Human approvals, risk reviews and external callbacks arrive at unpredictable times; the workflow receives them as signals, or as updates with a validator that answers synchronously, and waits without holding a thread while its state stays queryable.',
    },
    component: { zh: '人工操作入口与外部回调（Signal / Update / Query）', en: 'Human and external entry points (signal, update, query)' },
    pitfall: {
      zh: '无效或重复的消息必须在校验器中拒绝或被幂等地忽略，否则一次重复点击就可能推进两次流程。',
      en: 'Invalid or duplicate messages must be rejected in the validator or ignored idempotently, or a double click can advance the process twice.',
    },
    matches: {
      themes: ['human-in-the-loop', 'approvals', 'approval', 'customer-service'],
      keywords: {
        zh: ['审批', '人工', '审核', '确认', '外部事件', '回调', '风控', '客服', '争议', '通知'],
        en: ['approval', 'approve', 'human', 'review', 'manual', 'confirm', 'external event', 'callback', 'webhook', 'dispute', 'fraud'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '人工复核与升级', en: 'Manual review with escalation' } },
  },
  {
    id: 'child-workflows',
    name: { zh: '子 Workflow 与扇出', en: 'Child workflows and fan-out' },
    rationale: {
      zh: '把大批量或多区域的工作拆成子 Workflow，每个子流程拥有独立的历史、重试和可见性；父流程按批次扇出，既控制了单个历史的大小，也控制了对下游的并发压力。',
      en: 'Splitting large or multi-region work into child workflows gives each part its own history, retries and visibility; the parent fans out in waves, which bounds both the size of one history and the concurrent load on downstream systems.',
    },
    component: { zh: '子 Workflow（按分片或区域扇出）', en: 'Child workflows (fan-out by shard or region)' },
    pitfall: {
      zh: '一次性扇出过多子流程会让父历史膨胀并压垮下游；应分批扇出，必要时配合 Continue-As-New。',
      en: 'Fanning out too many children at once bloats the parent history and overwhelms downstream systems; fan out in waves, with continue-as-new where needed.',
    },
    matches: {
      themes: ['batch', 'high-concurrency', 'orchestration', 'multi-region', 'gaming'],
      keywords: {
        zh: ['批量', '并行', '扇出', '分片', '多区域', '全球', '大规模', '编排', '子流程', '匹配', '赛事', '车队'],
        en: ['batch', 'parallel', 'fan-out', 'fan out', 'shard', 'multi-region', 'global', 'orchestrat', 'large-scale', 'matchmaking', 'tournament', 'fleet'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '分批扇出子 Workflow', en: 'Fan-out in waves' } },
  },
  {
    id: 'heartbeats',
    name: { zh: '心跳（长时间运行与大文件处理）', en: 'Heartbeats for long-running and large-file work' },
    rationale: {
      zh: '大文件传输、构建和转码等长时间 Activity 通过心跳报告进度：Worker 崩溃时服务端在心跳超时后即可发现并重试，重试从最后一次心跳记录的进度继续，而不是从头开始。',
      en: 'Long activities such as large file transfers, builds or transcoding report progress through heartbeats: when a worker dies the server notices after the heartbeat timeout and retries, and the retry resumes from the progress recorded in the last heartbeat instead of starting over.',
    },
    component: { zh: '长时间运行的 Activity（心跳与断点续传）', en: 'Long-running activities (heartbeats and resumable progress)' },
    pitfall: {
      zh: '只设置很长的执行超时而不设置心跳超时，会让卡死的任务很久之后才被发现。',
      en: 'A long start-to-close timeout without a heartbeat timeout means a stuck task is noticed only much later.',
    },
    matches: {
      themes: ['large-files', 'large-file', 'media', 'ota', 'content-delivery', 'builds'],
      keywords: {
        zh: ['大文件', '文件', '上传', '下载', '长时间', '长时运行', '构建', '转码', '渲染', '补丁', '固件', '资源包', '数据处理'],
        en: ['large file', 'file', 'upload', 'download', 'long-running', 'long running', 'build', 'transcod', 'render', 'patch', 'firmware', 'over-the-air', 'asset'],
      },
    },
    excerpt: { kind: 'activity', title: { zh: '可续传的大文件传输', en: 'Resumable large-file transfer' } },
  },
  {
    id: 'continue-as-new',
    name: { zh: 'Continue-As-New（长生命周期实体）', en: 'Continue-as-new for long-lived entities' },
    rationale: {
      zh: '代表设备、账户或会话的实体 Workflow 可能运行数月；在服务端建议时通过 Continue-As-New 把状态交给新的运行，使事件历史始终有界，重放始终快速。',
      en: 'Entity workflows that stand for a device, an account or a session may run for months; continuing as new when the server suggests it hands the state to a fresh run, so the event history stays bounded and replay stays fast.',
    },
    component: { zh: '长生命周期实体 Workflow（Continue-As-New）', en: 'Long-lived entity workflows (continue-as-new)' },
    pitfall: {
      zh: '在仍有 Signal 或 Update 处理器运行时继续为新运行会丢失消息；先等待所有处理器完成。',
      en: 'Continuing as new while signal or update handlers still run loses messages; wait for all handlers to finish first.',
    },
    matches: {
      themes: ['iot', 'edge-computing', 'long-lived', 'telemetry', 'subscriptions'],
      keywords: {
        zh: ['长期运行', '长周期', '生命周期', '持续', '设备', '会话', '遥测', '监控', '订阅', '车辆'],
        en: ['long-lived', 'lifecycle', 'entity', 'device', 'session', 'telemetry', 'monitoring', 'continuous', 'subscription', 'vehicle'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '设备实体 Workflow', en: 'Device entity workflow' } },
  },
  {
    id: 'schedules',
    name: { zh: 'Schedule（定时与周期任务）', en: 'Schedules for periodic work' },
    rationale: {
      zh: '对账、报表和周期性批处理由 Temporal Schedule 启动，重叠策略与补跑窗口由服务端管理，不再依赖单点的 cron 主机。',
      en: 'Reconciliation, reports and periodic batches are started by Temporal Schedules, with overlap policy and catch-up window managed by the server instead of a single cron host.',
    },
    component: { zh: 'Temporal Schedule（周期性启动 Workflow）', en: 'Temporal Schedules (periodic workflow starts)' },
    pitfall: {
      zh: '没有设置重叠策略时，上一轮尚未结束下一轮就开始，可能重复处理同一批数据。',
      en: 'Without an overlap policy the next run can start before the previous one ends and process the same data twice.',
    },
    matches: {
      themes: ['scheduling', 'reporting', 'reconciliation'],
      keywords: {
        zh: ['定时', '定期', '周期', '调度', '对账', '报表', '批处理', '每日', '每晚'],
        en: ['schedul', 'periodic', 'cron', 'nightly', 'daily', 'reconcil', 'report', 'recurring'],
      },
    },
    excerpt: { kind: 'client', title: { zh: '夜间对账 Schedule', en: 'Nightly reconciliation schedule' } },
  },
  {
    id: 'versioning',
    name: { zh: '版本管理（Worker Versioning 与 patched()）', en: 'Versioning (worker versioning and patched())' },
    rationale: {
      zh: '长时间运行的 Workflow 在代码发布时仍在执行；用 patched() 为变更分支，或用 Worker Versioning 把执行固定在部署版本上，保证旧历史仍能确定性地重放。',
      en: 'Long-running workflows are still executing when new code ships; branching changes with patched(), or pinning executions to a deployment with worker versioning, keeps old histories replaying deterministically.',
    },
    component: { zh: '版本化部署（patched() 与 Worker Versioning）', en: 'Versioned deployments (patched() and worker versioning)' },
    pitfall: {
      zh: '不加版本保护地修改 Workflow 代码会在重放时触发非确定性错误，使正在运行的执行卡住。',
      en: 'Changing workflow code without a version guard triggers non-determinism errors on replay and stalls running executions.',
    },
    matches: {
      themes: ['ota', 'continuous-delivery', 'live-ops'],
      keywords: {
        zh: ['版本', '升级', '发布', '灰度', '迁移', '部署', '兼容', '更新'],
        en: ['version', 'upgrade', 'rollout', 'release', 'migrat', 'deploy', 'canary', 'live ops'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '用 patched() 安全地修改流程', en: 'Changing a running flow with patched()' } },
  },
  {
    id: 'timers',
    name: { zh: '持久化定时器与截止时间', en: 'Durable timers and deadlines' },
    rationale: {
      zh: '支付期限、预约过期和提醒由 Workflow 内的持久化定时器表达，定时器由服务端保存，跨越 Worker 重启和部署依然准确触发，不需要额外的轮询任务。',
      en: 'Payment windows, reservation expiry and reminders are durable timers inside the workflow; the server keeps them, so they fire across worker restarts and deployments without a polling job.',
    },
    component: { zh: '持久化定时器（截止时间与提醒）', en: 'Durable timers (deadlines and reminders)' },
    pitfall: {
      zh: '用外部数据库加轮询实现超时，会重新引入 Temporal 本已解决的竞态与漏触发问题。',
      en: 'Implementing timeouts with an external table and a poller reintroduces the races and missed firings Temporal already solves.',
    },
    matches: {
      themes: ['deadlines', 'reservations'],
      keywords: {
        zh: ['超时', '截止', '期限', '延迟', '等待', '提醒', '过期', '限时', '预约'],
        en: ['timeout', 'deadline', 'delay', 'wait', 'reminder', 'expir', 'time-bound', 'reservation'],
      },
    },
    excerpt: { kind: 'workflow', title: { zh: '支付期限与提醒', en: 'Payment deadline and reminder' } },
  },
  {
    id: 'idempotency',
    name: { zh: '幂等 Activity 与幂等键', en: 'Idempotent activities and keys' },
    rationale: {
      zh: 'Activity 至少执行一次，可能被重试；以业务标识派生的幂等键调用下游，使重试不会造成重复扣款或重复发货。',
      en: 'Activities run at least once and may be retried; calling downstream systems with an idempotency key derived from the business id keeps a retry from charging or shipping twice.',
    },
    component: { zh: '幂等的外部调用（幂等键）', en: 'Idempotent external calls (idempotency keys)' },
    pitfall: {
      zh: '用尝试次数或随机值生成幂等键会让每次重试都像一次新请求，幂等保护形同虚设。',
      en: 'Keys built from the attempt number or a random value make every retry look like a new request, defeating the protection.',
    },
    matches: {
      themes: ['payments', 'fintech', 'transactions'],
      keywords: {
        zh: ['幂等', '重复', '重试', '一致性', '去重', '精确一次', '资金', '扣款'],
        en: ['idempot', 'duplicate', 'retry', 'retries', 'consisten', 'dedup', 'exactly-once', 'exactly once', 'at-least-once', 'double charg'],
      },
    },
    excerpt: { kind: 'activity', title: { zh: '带幂等键的扣款 Activity', en: 'Charge activity with an idempotency key' } },
  },
  {
    id: 'rate-limiting',
    name: { zh: '任务队列限流', en: 'Task-queue rate limiting' },
    rationale: {
      zh: '对有配额的第三方接口，把调用放到专用任务队列并设置服务端强制的限速，高峰期的请求在队列中排队，而不是把下游打垮或触发封禁。',
      en: 'Calls to quota-bound third-party APIs go to a dedicated task queue with a server-enforced rate limit, so peak traffic queues up instead of overwhelming the downstream service or tripping its limits.',
    },
    component: { zh: '专用任务队列（服务端限速）', en: 'Dedicated task queue (server-side rate limit)' },
    pitfall: {
      zh: '只在单个 Worker 内限流，扩容 Worker 后总速率随之成倍增长；应使用任务队列级别的限速。',
      en: 'Limiting inside one worker multiplies the total rate as workers scale out; use the task-queue-wide limit.',
    },
    matches: {
      themes: ['high-concurrency', 'third-party', 'flash-sales'],
      keywords: {
        zh: ['限流', '高并发', '峰值', '突发', '配额', '第三方', '流量', '秒杀', '洪峰'],
        en: ['rate limit', 'throttl', 'high concurrency', 'high-concurrency', 'peak', 'burst', 'quota', 'third-party', 'spike', 'traffic'],
      },
    },
    excerpt: { kind: 'worker', title: { zh: '限速的专用 Worker', en: 'Rate-limited worker' } },
  },
];

/** Patterns used to reach the minimum when a brief matches fewer; generic to any Temporal design. */
const FALLBACK: PatternId[] = ['idempotency', 'signals-updates', 'timers'];
const MIN_PATTERNS = 3;
const MAX_PATTERNS = 6;

/** Looks a pattern up by id; throws for an id that is not in the catalogue. */
export function patternById(id: string): Pattern {
  const pattern = PATTERNS.find((p) => p.id === id);
  if (!pattern) throw new Error(`unknown pattern id ${JSON.stringify(id)}`);
  return pattern;
}

export interface ChosenPattern {
  id: PatternId;
  reason: Bilingual;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * English keywords are stems matched at a word start ("schedul" matches "scheduling", not
 * "reschedule"). Returns the whole word found, for the reason text, or undefined.
 */
function matchEnglish(haystack: string, keyword: string): string | undefined {
  const m = new RegExp(`(?:^|[^a-z])(${escapeRegExp(keyword.toLowerCase())}[a-z-]*)`).exec(haystack);
  return m?.[1];
}

/**
 * Picks the catalogue patterns that fit a brief: a pattern scores two points per matching theme tag
 * and one per keyword found in the brief's features, requirements, pain points and context (zh and
 * en). Highest score first, catalogue order on ties, at most six; topped up to at least three with
 * generic patterns. Deterministic: the same brief always gives the same list.
 */
export function choosePatterns(
  brief: Pick<CaseBrief, 'themes' | 'features' | 'requirements'> &
    Partial<Pick<CaseBrief, 'painPoints' | 'context'>>,
): ChosenPattern[] {
  const texts = [
    ...brief.features,
    ...brief.requirements,
    ...(brief.painPoints ?? []),
    ...(brief.context ? [brief.context] : []),
  ];
  const zhText = texts.map((t) => t.zh).join('\n');
  const enText = texts.map((t) => t.en).join('\n').toLowerCase();
  const themes = new Set(brief.themes.map((t) => t.toLowerCase()));

  const scored = PATTERNS.map((pattern, order) => {
    const themeHits = pattern.matches.themes.filter((t) => themes.has(t));
    const zhHits = pattern.matches.keywords.zh.filter((k) => zhText.includes(k));
    const enHits = [
      ...new Set(pattern.matches.keywords.en.map((k) => matchEnglish(enText, k)).filter((w): w is string => w !== undefined)),
    ];
    return { pattern, order, themeHits, zhHits, enHits, score: themeHits.length * 2 + zhHits.length + enHits.length };
  })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, MAX_PATTERNS);

  const chosen: ChosenPattern[] = scored.map((s) => ({
    id: s.pattern.id,
    reason: {
      zh: reasonText('zh', s.themeHits, s.zhHits.length > 0 ? s.zhHits : s.enHits),
      en: reasonText('en', s.themeHits, s.enHits.length > 0 ? s.enHits : s.zhHits),
    },
  }));
  for (const id of FALLBACK) {
    if (chosen.length >= MIN_PATTERNS) break;
    if (chosen.some((c) => c.id === id)) continue;
    chosen.push({
      id,
      reason: {
        zh: '通用的 Temporal 基础模式，适用于任何包含外部调用与等待的业务流程',
        en: 'a general Temporal foundation, fitting any business process with external calls and waits',
      },
    });
  }
  return chosen;
}

const MAX_REASON_WORDS = 4;

function reasonText(lang: 'zh' | 'en', themes: string[], allKeywords: string[]): string {
  const keywords = allKeywords.slice(0, MAX_REASON_WORDS);
  const parts: string[] = [];
  if (lang === 'zh') {
    if (themes.length > 0) parts.push(`场景主题 ${themes.join('、')}`);
    if (keywords.length > 0) parts.push(`案例描述中的“${keywords.join('”“')}”`);
    return `匹配${parts.join('，以及')}`;
  }
  if (themes.length > 0) parts.push(`the theme${themes.length > 1 ? 's' : ''} ${themes.join(', ')}`);
  if (keywords.length > 0) parts.push(`the brief's mention of "${keywords.join('", "')}"`);
  return `matches ${parts.join(' and ')}`;
}
