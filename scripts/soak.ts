/**
 * `npm run test:soak`: runs the fault and CLI tests (real processes, real servers: where races show)
 * N times in a row and prints how many runs passed. A test that fails once in a few runs is a defect
 * to find, not to retry; this is how to find it.
 *
 *   npm run test:soak -- [--runs 5] [test/some.test.ts ...]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/config';

const DEFAULT_FILES = ['test/faults.test.ts', 'test/cli.test.ts'];

function parseArgs(argv: string[]): { runs: number; files: string[] } {
  let runs = 5;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number ≥ 1, got "${argv[i]}". Example: npm run test:soak -- --runs 10`);
    } else if (argv[i].endsWith('.test.ts')) {
      files.push(argv[i]);
    } else {
      throw new Error(`Unknown argument "${argv[i]}". Usage: npm run test:soak -- [--runs N] [test/x.test.ts ...]`);
    }
  }
  return { runs, files: files.length ? files : DEFAULT_FILES };
}

/** One jest run; resolves with its exit code and the names of the failed tests. */
function jestOnce(files: string[]): Promise<{ code: number; failed: string[]; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('jest/bin/jest', { paths: [projectRoot] }), ...files], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const failed = [...output.matchAll(/^\s+● (.+)$/gm)].map((m) => m[1]).filter((name) => !name.startsWith('Console'));
      if (code !== 0) process.stdout.write(output);
      resolve({ code: code ?? 1, failed: [...new Set(failed)], seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main(): Promise<void> {
  const { runs, files } = parseArgs(process.argv.slice(2));
  console.log(`soak: ${files.map((f) => path.normalize(f)).join(', ')}, ${runs} runs in a row`);
  let passed = 0;
  const failures = new Map<string, number>();
  for (let run = 1; run <= runs; run++) {
    const result = await jestOnce(files);
    if (result.code === 0) passed++;
    for (const name of result.failed) failures.set(name, (failures.get(name) ?? 0) + 1);
    console.log(`run ${run}/${runs}: ${result.code === 0 ? 'pass' : `FAIL (${result.failed.join('; ') || `exit code ${result.code}`})`} in ${result.seconds.toFixed(0)} s`);
  }
  console.log(`\nsoak: ${passed} of ${runs} runs passed, ${runs - passed} failed`);
  for (const [name, count] of failures) console.log(`  failed ${count}×: ${name}`);
  process.exitCode = passed === runs ? 0 : 1;
}

main().catch((err) => {
  console.error(`test:soak: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
