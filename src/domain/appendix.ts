/**
 * The shared appendix every case may link to instead of repeating: the Temporal pattern catalogue,
 * as docs/patterns.md with each pattern's code as a real TypeScript file (docs/patterns/<id>.ts)
 * that tsc and eslint check with the rest of the project. Pure: `npm run write-patterns` writes it.
 */
import { PATTERNS } from './patterns';
import type { Lang } from './types';

/** The appendix's files, by path relative to the library directory. */
export function appendixFiles(lang: Lang = 'zh'): Map<string, string> {
  const files = new Map<string, string>();
  const md: string[] = [
    lang === 'zh' ? '# Temporal 模式目录' : '# Temporal pattern catalogue',
    '',
    lang === 'zh'
      ? '案例文档共用的通用模式：每个模式为什么用、常见陷阱，以及一段可编译的 TypeScript 示例。示例用通用的名字；案例中的代码用各自领域的术语。'
      : 'The general patterns the case documents share: why each is used, the usual pitfall, and a TypeScript sample that compiles. The samples use generic names; each case writes its code in its own domain terms.',
    '',
  ];
  for (const p of PATTERNS) {
    const file = `patterns/${p.id}.ts`;
    files.set(file, p.excerpt.code.trimEnd() + '\n');
    md.push(
      `## ${p.name[lang]}`,
      '',
      p.rationale[lang],
      '',
      `${lang === 'zh' ? '常见陷阱' : 'Pitfall'}${lang === 'zh' ? '：' : ': '}${p.pitfall[lang]}`,
      '',
      `${lang === 'zh' ? '示例' : 'Sample'}（[${file}](${file})）${lang === 'zh' ? '：' : ':'}`,
      '',
      '```ts',
      p.excerpt.code.trimEnd(),
      '```',
      '',
    );
  }
  files.set('patterns.md', md.join('\n'));
  return files;
}
