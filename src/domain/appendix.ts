/**
 * The shared appendix every case may link to instead of repeating: the Temporal pattern catalogue,
 * as docs/patterns.md with each pattern's code as a real TypeScript file (docs/patterns/<id>.ts).
 * Those files are the samples' only source, checked by tsc and eslint with the rest of the project;
 * the caller reads them (src/pattern-sources.ts) and passes their text in. Pure:
 * `npm run write-patterns` writes the result.
 */
import { PATTERNS, type PatternId } from './patterns';
import type { Lang } from './types';

/** Path of a pattern's sample relative to the library directory, as the appendix links it. */
export function patternFile(id: PatternId): string {
  return `patterns/${id}.ts`;
}

/** The appendix's files, by path relative to the library directory, from each pattern's sample code. */
export function appendixFiles(code: ReadonlyMap<PatternId, string>, lang: Lang = 'zh'): Map<string, string> {
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
    const file = patternFile(p.id);
    const sample = code.get(p.id);
    if (sample === undefined) throw new Error(`no sample code was given for pattern ${p.id} (${file})`);
    files.set(file, sample.trimEnd() + '\n');
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
      sample.trimEnd(),
      '```',
      '',
    );
  }
  files.set('patterns.md', md.join('\n'));
  return files;
}
