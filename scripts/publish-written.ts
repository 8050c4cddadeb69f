/**
 * Carries the hand-written drafts (drafts/<version>/<caseId>.md) through the real case workflow on
 * a running server (`npm start` in another terminal): start the case, wait until the composer's
 * skeleton waits for a writer, upload the written draft as the writer, approve it with the plan's
 * reviewers through the casebook CLI, wait until the workflow has published it, and export the
 * case's audit trail beside the document as <library>/cases/<industry>/<caseId>.audit.json.
 *
 *   npm run publish:written [-- --author <writer>] [--again] [caseId ...]
 *
 * Stops at the first case QA blocks, with its findings; nothing is approved that QA has not passed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { defaultPlanFile, libraryDir, projectRoot, writerName } from '../src/config';
import type { CaseBrief } from '../src/domain/types';
import { loadPlan } from '../src/plan';

const run = promisify(execFile);

async function casebook(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [path.join(projectRoot, 'bin', 'casebook.js'), ...args], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`casebook ${args.join(' ')} failed:\n${e.stderr || e.stdout || e.message}`);
  }
}

interface Shown {
  progress: { phase: string; revision?: string; attention?: string; publishedPath?: string; pendingReviewers: string[] };
  packet: { qa?: { errors: number; findings: { rule: string; line?: number; message: string; fix: string }[] } };
  audit?: unknown[];
}

async function show(caseId: string, audit = false): Promise<Shown> {
  return JSON.parse(await casebook('show', caseId, '--json', ...(audit ? ['--audit'] : []))) as Shown;
}

async function until(caseId: string, done: (s: Shown) => boolean, what: string): Promise<Shown> {
  for (let i = 0; i < 1200; i++) {
    const s = await show(caseId);
    if (done(s)) return s;
    if (s.progress.phase === 'attention') {
      const findings = (s.packet.qa?.findings ?? []).map((f) => `  line ${f.line ?? '-'} ${f.rule}: ${f.message}\n    fix: ${f.fix}`).join('\n');
      throw new Error(`${caseId} needs attention while waiting for ${what}: ${s.progress.attention}\n${findings}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${caseId} did not reach ${what} in 10 minutes`);
}

/** Reviewers that meet the quorum: the first N of the roster, or one per required role. */
function approvers(brief: CaseBrief): string[] {
  const q = brief.review.quorum;
  if ('count' in q) return brief.review.reviewers.slice(0, q.count).map((r) => r.name);
  return q.roles.map((role) => {
    const r = brief.review.reviewers.find((x) => x.role === role);
    if (!r) throw new Error(`${brief.id}: no reviewer has the role ${role} the quorum needs`);
    return r.name;
  });
}

async function publishOne(brief: CaseBrief, file: string, author: string, again: boolean): Promise<void> {
  console.log(`${brief.id}: starting`);
  await casebook('start', brief.id, ...(again ? ['--again'] : []));
  await until(brief.id, (s) => ['drafting', 'review'].includes(s.progress.phase), 'drafting');
  console.log(`${brief.id}: uploading ${path.relative(projectRoot, file)} as ${author}`);
  await casebook('draft', 'upload', brief.id, file, '--author', author);
  const inReview = await until(brief.id, (s) => s.progress.phase === 'review' && s.packet.qa !== undefined, 'review');
  console.log(`${brief.id}: QA passed (revision ${inReview.progress.revision}); approving`);
  for (const reviewer of approvers(brief)) {
    await casebook('approve', brief.id, '--reviewer', reviewer, '--comment', 'reviewed the written case', '--revision', inReview.progress.revision!);
  }
  const published = await until(brief.id, (s) => s.progress.phase === 'published', 'published');
  // The trail is committed beside the document: paths in it are relative to the project, not this machine.
  const local = (v: unknown): unknown => (typeof v === 'string' ? v.split(`${projectRoot}${path.sep}`).join('') : v);
  const audit = ((await show(brief.id, true)).audit ?? []).map((e) => (e && typeof e === 'object' ? Object.fromEntries(Object.entries(e).map(([k, v]) => [k, local(v)])) : e));
  const out = path.join(libraryDir(), 'cases', brief.industry, `${brief.id}.audit.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ caseId: brief.id, revision: published.progress.revision, publishedPath: local(published.progress.publishedPath), audit }, null, 2)}\n`);
  console.log(`${brief.id}: published at ${published.progress.publishedPath}; audit trail in ${path.relative(projectRoot, out)}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { author: { type: 'string', default: writerName() }, again: { type: 'boolean', default: false } } });
  const plan = await loadPlan(defaultPlanFile());
  const dir = path.join(projectRoot, 'drafts', plan.version);
  if (!existsSync(dir)) throw new Error(`No drafts in ${path.relative(projectRoot, dir)}; write drafts/${plan.version}/<caseId>.md first.`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  const wanted = positionals.length ? positionals : files.map((f) => f.replace(/\.md$/, ''));
  for (const caseId of wanted) {
    const brief = plan.cases.find((c) => c.id === caseId);
    if (!brief) throw new Error(`drafts/${plan.version}/${caseId}.md names no case of the plan (${plan.cases.map((c) => c.id).join(', ')}).`);
    if (approvers(brief).includes(values.author!)) throw new Error(`${values.author} reviews ${caseId}; the writer may not approve their own draft. Pass --author <writer>.`);
    const file = path.join(dir, `${caseId}.md`);
    if (!existsSync(file)) throw new Error(`No draft ${path.relative(projectRoot, file)}.`);
    await publishOne(brief, file, values.author!, values.again!);
  }
}

main().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
