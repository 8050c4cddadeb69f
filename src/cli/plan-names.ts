/**
 * Industry labels and company names of the plan, for the status table. Loading the plan (YAML,
 * schema validation) costs more than the rest of `casebook status`, so the names are kept in
 * `<CASEBOOK_HOME>/plan-names.json`, keyed by the plan file's path, size and modification time: a
 * changed plan is read again, an unchanged one never.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { casebookHome, defaultPlanFile } from '../config';

export interface PlanNames {
  industries: Record<string, string>;
  companies: Record<string, string>;
}

interface Cached extends PlanNames {
  file: string;
  size: number;
  mtimeMs: number;
}

export function planNamesCacheFile(): string {
  return path.join(casebookHome(), 'plan-names.json');
}

/** The names from the plan file (the default one unless given); empty when the plan cannot be read. */
export async function planNames(file = defaultPlanFile()): Promise<PlanNames> {
  let stat: { size: number; mtimeMs: number };
  try {
    stat = statSync(file);
  } catch {
    return { industries: {}, companies: {} };
  }
  const cacheFile = planNamesCacheFile();
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cached;
    if (cached.file === file && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) {
      return { industries: cached.industries, companies: cached.companies };
    }
  } catch {
    // No cache yet, or an unreadable one: read the plan.
  }
  try {
    const { loadPlan } = require('../plan') as typeof import('../plan');
    const plan = await loadPlan(file);
    const names: PlanNames = {
      industries: Object.fromEntries(plan.industries.map((i) => [i.id, i.label[plan.language]])),
      companies: Object.fromEntries([...plan.cases, ...plan.existing].map((c) => [c.id, c.company])),
    };
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      const entry: Cached = { file, size: stat.size, mtimeMs: stat.mtimeMs, ...names };
      // Whole or not at all: another `casebook status` may be reading it.
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, JSON.stringify(entry));
      renameSync(partial, cacheFile);
    } catch {
      // A read-only home only costs the next call the same plan load.
    }
    return names;
  } catch {
    return { industries: {}, companies: {} };
  }
}
