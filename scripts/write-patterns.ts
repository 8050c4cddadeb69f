/** Writes the shared appendix (docs/patterns.md and docs/patterns/*.ts) from the pattern catalogue. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { libraryDir } from '../src/config';
import { appendixFiles } from '../src/domain/appendix';

async function main(): Promise<void> {
  for (const [file, text] of appendixFiles()) {
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
