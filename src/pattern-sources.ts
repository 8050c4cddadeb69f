/**
 * Reads the pattern catalogue's TypeScript samples from their one source, the real modules in
 * docs/patterns/<id>.ts that tsc and eslint check. src/domain does no I/O, so the appendix writer and
 * the tests read the text here and pass it in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';
import { patternFile } from './domain/appendix';
import { PATTERNS, type PatternId } from './domain/patterns';

/** The folder the samples are kept in: docs/ of the project (whatever CASEBOOK_LIBRARY_DIR says). */
export const PATTERN_SOURCE_DIR = path.join(projectRoot, 'docs');

/** Each catalogue pattern's sample code, by id; throws naming the file when one is missing. */
export function readPatternSources(dir = PATTERN_SOURCE_DIR): Map<PatternId, string> {
  return new Map(
    PATTERNS.map((p) => {
      const file = path.join(dir, patternFile(p.id));
      try {
        return [p.id, readFileSync(file, 'utf8')];
      } catch (err) {
        throw new Error(`the sample of pattern ${p.id} cannot be read from ${file} (${err instanceof Error ? err.message : String(err)}); restore it from git`);
      }
    }),
  );
}
