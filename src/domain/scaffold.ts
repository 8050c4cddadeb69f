/**
 * The writer's scaffold of a case: the composer's skeleton (cited facts, capacity arithmetic, the
 * marked gaps) with the challenge → decision → code table laid out, footnotes ready to cite and the
 * gates the draft must pass. Pure: the CLI supplies the skeleton and the brief.
 */
import { CHALLENGE_TABLE, OUT_OF_SCOPE, WRITER_MARKER } from './drafting';
import { TEMPORAL_LIMITS } from './temporal-limits';
import type { CaseBrief, Lang } from './types';

/** The gates a draft must pass, as the scaffold lists them for the writer. */
export const GATES_FOR_WRITERS: readonly { zh: string; en: string }[] = [
  { zh: '相似度：与库中任何其他案例共享的正文不超过 40%，不共享任何代码块（共享附录 docs/patterns.md 除外，链接一次即可）', en: 'Similarity: at most 40% of the prose, and no code block, shared with any other case (the shared appendix docs/patterns.md is exempt; link it once)' },
  { zh: '泄漏检查：正文中没有生成器的匹配说明、维护者备注或模板占位符（包括所有“✍️ 待撰写”标记）', en: 'Leaks: no composer machinery, maintainer notes or template placeholders in the prose (including every "✍️ 待撰写" marker)' },
  { zh: '领域一致：代码中的标识符来自本案例的领域词汇（简报中的术语）或共享附录', en: "Domain: the code's identifiers come from the case's own vocabulary (its brief's terms) or the shared appendix" },
  { zh: '挑战有回应：1.3 的每个挑战在“挑战 | 决策 | 代码”表中有一行，代码列用反引号写出本案例代码中的标识符，或标明“不在 Temporal 范围内”', en: 'Challenges: every challenge of 1.3 has a row in the "Challenge | Decision | Code" table naming, in backticks, an identifier of this case\'s code, or is marked "outside Temporal\'s scope"' },
  { zh: 'Temporal 限制：扇出、历史长度、未完成的子 Workflow/Activity/Signal、负载大小、Actions/s 都不超过 Temporal 文档给出的限制，或写明如何保持在限制内', en: "Temporal limits: fan-out, history length, pending children/activities/signals, payload size and Actions/s stay within Temporal's documented limits, or the case says how it stays inside" },
  { zh: '引用：正文提到的每个来源都要在原处引用；脚注编号无缺口；每个数字放在正确的指标类别中', en: 'Citations: every source named is cited where it is named; footnotes have no gaps; each figure sits in its metric category' },
];

function challengeTable(brief: CaseBrief, lang: Lang): string[] {
  const [c, d, k] = CHALLENGE_TABLE[lang];
  const gap = `${WRITER_MARKER}（architecture.decisions）`;
  return [
    `| ${c} | ${d} | ${k} |`,
    '|---|---|---|',
    ...brief.painPoints.map((p, i) => `| ${lang === 'zh' ? `挑战 ${i + 1}` : `Challenge ${i + 1}`}：${p[lang].replace(/\|/g, '\\|')} | ${gap} | ${gap} |`),
    '',
  ];
}

/**
 * The scaffold: `skeleton` (the composer's draft) with the challenge table under 2.2 and, at the top,
 * a comment for the writer (not shown to readers) with the gates, the limits and the footnotes to cite.
 */
export function scaffoldMarkdown(skeleton: string, brief: CaseBrief, lang: Lang): string {
  const lines = skeleton.split('\n');
  const decisions = lines.findIndex((l) => l.startsWith(`> ${WRITER_MARKER}（architecture.decisions）`));
  if (decisions >= 0) lines.splice(decisions + 1, 0, '', ...challengeTable(brief, lang).slice(0, -1));
  const footnotes = brief.sources.map((s) => `[^${s.id}]: ${[s.title, s.publisher, s.date, s.url ?? (/^https?:/.test(s.location) ? s.location : undefined)].filter(Boolean).join(', ')}`);
  const guide = [
    '<!--',
    lang === 'zh' ? `casebook draft scaffold：${brief.company} 的写作骨架。把每个“${WRITER_MARKER}”标记换成正文，然后 \`casebook draft upload ${brief.id} <file> --author <name>\`（整篇或加 --section 分节）。` : `casebook draft scaffold: the writing skeleton of ${brief.company}. Replace every "${WRITER_MARKER}" marker with text, then \`casebook draft upload ${brief.id} <file> --author <name>\` (whole, or one --section at a time).`,
    '',
    lang === 'zh' ? '发布前必须通过的检查：' : 'The gates to pass before publishing:',
    ...GATES_FOR_WRITERS.map((g, i) => `${i + 1}. ${g[lang]}`),
    '',
    lang === 'zh' ? 'Temporal 的文档限制（src/domain/temporal-limits.ts）：' : "Temporal's documented limits (src/domain/temporal-limits.ts):",
    ...TEMPORAL_LIMITS.map((l) => `- ${l.what[lang]}: ${l.value.toLocaleString('en-US')} ${l.unit} (${l.source.url})`),
    '',
    lang === 'zh' ? `挑战不归 Temporal 管时，在决策列写“${OUT_OF_SCOPE.zh}”。` : `When a challenge is not Temporal's to solve, write "${OUT_OF_SCOPE.en}" in the decision column.`,
    '',
    lang === 'zh' ? '可引用的来源（引用后把定义放进“参考来源”一节）：' : 'Sources ready to cite (put the definition in the sources section once cited):',
    ...footnotes,
    '-->',
    '',
  ];
  const end = lines[0] === '---' ? lines.indexOf('---', 1) : -1;
  return [...lines.slice(0, end + 1), ...(end >= 0 ? [''] : []), ...guide, ...lines.slice(end + 1).join('\n').replace(/^\n+/, '').split('\n')].join('\n');
}
