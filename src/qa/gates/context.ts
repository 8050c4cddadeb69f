/**
 * What the case gates know beside the document: the case's brief (its vocabulary, challenges and
 * sources), the other cases of the library, and the shared appendix every case may link to.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPlanFile, libraryDir } from '../../config';
import type { CaseBrief } from '../../domain/types';
import { loadPlan } from '../../plan';
import { parseMarkdown } from '../markdown';

/** Another case of the library, compared with the one under QA. */
export interface LibraryCase {
  /** Path for messages, e.g. `cases/gaming/blizzard.md`. */
  file: string;
  caseId: string;
  markdown: string;
}

/** The shared appendix: prose and code every case may link to instead of repeating. */
export interface Appendix {
  /** Path of the appendix as a case links it, relative to the library, e.g. `patterns.md`. */
  file: string;
  markdown: string;
  /** TypeScript sources the appendix shows (its code samples as real files). */
  code: string[];
}

export interface GateContext {
  brief?: CaseBrief;
  library: LibraryCase[];
  appendix?: Appendix;
}

/** File name of the shared appendix inside the library directory. */
export const APPENDIX_FILE = 'patterns.md';
/** Folder of the appendix's TypeScript samples inside the library directory. */
export const APPENDIX_CODE_DIR = 'patterns';

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Every case document under `<library>/cases/`, with the case id of its frontmatter. */
export function readLibraryCases(library: string): LibraryCase[] {
  const out: LibraryCase[] = [];
  for (const file of markdownFiles(path.join(library, 'cases'))) {
    const markdown = readFileSync(file, 'utf8');
    const caseId = parseMarkdown(markdown).frontmatter?.case;
    if (typeof caseId === 'string') out.push({ file: path.relative(library, file), caseId, markdown });
  }
  return out;
}

/** The shared appendix of the library, when there is one. */
export function readAppendix(library: string): Appendix | undefined {
  const file = path.join(library, APPENDIX_FILE);
  if (!existsSync(file)) return undefined;
  const codeDir = path.join(library, APPENDIX_CODE_DIR);
  const code = existsSync(codeDir)
    ? readdirSync(codeDir)
        .filter((f) => f.endsWith('.ts'))
        .sort()
        .map((f) => readFileSync(path.join(codeDir, f), 'utf8'))
    : [];
  return { file: APPENDIX_FILE, markdown: readFileSync(file, 'utf8'), code };
}

/**
 * The gate context of a case from the configured plan and library (`CASEBOOK_PLAN`,
 * `CASEBOOK_LIBRARY_DIR`). A plan that cannot be read leaves the brief out: the gates that need it
 * are then skipped, the others still run.
 */
export async function loadGateContext(caseId: string, options: { planFile?: string; library?: string } = {}): Promise<GateContext> {
  const library = options.library ?? libraryDir();
  let brief: CaseBrief | undefined;
  try {
    brief = (await loadPlan(options.planFile ?? defaultPlanFile())).cases.find((c) => c.id === caseId);
  } catch {
    brief = undefined;
  }
  return {
    ...(brief ? { brief } : {}),
    library: readLibraryCases(library).filter((c) => c.caseId !== caseId),
    ...(readAppendix(library) ? { appendix: readAppendix(library) } : {}),
  };
}
