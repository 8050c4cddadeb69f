/**
 * Writes the shared appendix (patterns.md and patterns/*.ts) into the library from the pattern catalogue
 * and its samples, docs/patterns/<id>.ts (their one source; copied when the library is elsewhere).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { libraryDir } from '../src/config';
import { appendixFiles } from '../src/domain/appendix';
import { readPatternSources } from '../src/pattern-sources';

async function main(): Promise<void> {
  for (const [file, text] of appendixFiles(readPatternSources())) {
    const out = path.join(libraryDir(), file);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, text, 'utf8');
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
