/**
 * markdownlint with the project configuration (`.markdownlint.jsonc` in the project root).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Configuration, lint } from 'markdownlint/promise';
import { projectRoot } from '../config';
import type { Finding } from '../domain/types';

let cachedConfig: Configuration | undefined;

/** Strips `//` line comments (outside strings) so the JSONC file parses as JSON. */
function stripJsonComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === '"' && line[i - 1] !== '\\') inString = !inString;
        if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The project's markdownlint configuration, read once. */
export function markdownlintConfig(): Configuration {
  if (!cachedConfig) {
    const file = path.join(projectRoot, '.markdownlint.jsonc');
    cachedConfig = JSON.parse(stripJsonComments(fs.readFileSync(file, 'utf8'))) as Configuration;
  }
  return cachedConfig;
}

/** Runs markdownlint on one document; every violation is a warning. */
export async function markdownlintFindings(text: string): Promise<Finding[]> {
  const results = await lint({ strings: { doc: text }, config: markdownlintConfig() });
  return (results.doc ?? []).map((r) => ({
    rule: `markdownlint/${r.ruleNames[0]}`,
    severity: 'warning' as const,
    line: r.lineNumber,
    message: `${r.ruleDescription} (${r.ruleNames.slice(1).join('/')})${r.errorDetail ? `: ${r.errorDetail}` : ''}`,
    fix: r.fixInfo ? `markdownlint can fix this automatically; see ${r.ruleInformation ?? r.ruleNames[0]}` : `see ${r.ruleInformation ?? r.ruleNames[0]}`,
  }));
}
