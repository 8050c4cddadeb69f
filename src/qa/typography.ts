/**
 * Chinese/English mixed-text typography (spacing between CJK and Latin letters or digits, full-width
 * punctuation in Chinese text), checked by AutoCorrect, whose native binary ships inside the npm package.
 */
import { lintFor } from 'autocorrect-node';
import type { Finding } from '../domain/types';

const clip = (s: string, n = 60): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** AutoCorrect's Markdown lint; each suggestion is a warning with the corrected text as the fix. */
export function typographyFindings(text: string): Finding[] {
  const result = lintFor(text, 'document.md');
  if (result.error) {
    return [{ rule: 'typography/autocorrect', severity: 'warning', message: `AutoCorrect could not check the document: ${result.error}`, fix: 'check the Markdown syntax' }];
  }
  return result.lines.map((l) => ({
    rule: 'typography/cjk-spacing',
    severity: 'warning' as const,
    line: l.l,
    message: `mixed Chinese/English typography: "${clip(l.old.trim())}"`,
    fix: `write "${clip(l.new.trim())}"`,
  }));
}
