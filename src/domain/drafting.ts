/**
 * The writer's part of a case: what the built-in composer cannot supply and leaves marked for a
 * writer, and the words the challenge table and the gates agree on.
 *
 * Pure: the composer (deterministic), the scaffold command and the QA gates share these names.
 */

/** Marks a part of a draft that waits for a writer; the leak gate blocks it from publishing. */
export const WRITER_MARKER = '✍️ 待撰写';

/**
 * Template items only a writer can fill: the end-to-end workflow in the case's own terms, the
 * decisions (challenge → decision → code), alternatives, the rollout, where Temporal does not fit.
 */
export const WRITER_ITEMS: Readonly<Record<string, { zh: string; en: string }>> = {
  'architecture.design': {
    zh: '系统之前是什么样、为什么痛；目标架构（自托管还是托管服务、可以部署在哪里）',
    en: 'the system before and why it hurt; the target architecture (self-hosted or managed, where it can run)',
  },
  'architecture.decisions': {
    zh: '挑战 → 决策 → 代码 对照表：“挑战和痛点”中的每个挑战一行，或标明“不在 Temporal 范围内”；以及考虑过的替代方案',
    en: 'the challenge → decision → code table: one row per challenge listed under the challenges, or marked outside Temporal\'s scope; and the alternatives considered',
  },
  'implementation.workflows': {
    zh: '一个端到端的 Workflow，用本案例自己的领域词汇（可通过类型检查）',
    en: 'one end-to-end workflow in the case\'s own domain terms (type-checked)',
  },
  'implementation.activities': {
    zh: '该 Workflow 的 Activity：幂等键、超时、心跳（长任务必须设置 heartbeatTimeout）',
    en: 'that workflow\'s activities: idempotency keys, timeouts, heartbeats (long tasks must set heartbeatTimeout)',
  },
  'implementation.compensation': {
    zh: '本案例的补偿步骤；补偿失败时代码如何转人工',
    en: 'this case\'s compensations, and how the code hands a failed compensation to a human',
  },
  'lessons.recommendations': {
    zh: '上线与迁移路径，以及 Temporal 不适合的部分',
    en: 'the rollout or migration path, and where Temporal does not fit',
  },
};

/** Column headers of the challenge → decision → code table. */
export const CHALLENGE_TABLE = {
  zh: ['挑战', '决策', '代码'],
  en: ['Challenge', 'Decision', 'Code'],
} as const;

/** How a challenge is marked as outside what Temporal should do. */
export const OUT_OF_SCOPE = { zh: '不在 Temporal 范围内', en: "outside Temporal's scope" } as const;

/** The template items a draft still leaves to a writer: the ids its writer markers name, in order. */
export function awaitingWriterOf(markdown: string): string[] {
  const ids = [...markdown.matchAll(new RegExp(`${WRITER_MARKER}（([a-z]+(?:\\.[a-z]+)*)）`, 'g'))].map((m) => m[1]);
  return [...new Set(ids)];
}
