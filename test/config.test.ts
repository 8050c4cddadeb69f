/**
 * The configuration is declared once (src/config.ts): the README's table says the same, every
 * `CASEBOOK_*` variable the code names is declared, and bad numbers are refused with the fix.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS, intSetting, projectRoot, taskQueue } from '../src/config';

/** The README table rows that document `CASEBOOK_*` variables, as [name, default, meaning]. */
function readmeRows(): string[][] {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  return readme
    .split('\n')
    .filter((line) => line.startsWith('| `CASEBOOK_'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '')))
    .map(([name, ...rest]) => [name.replace(/`/g, ''), ...rest]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|cjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

test('the README table lists every setting of src/config.ts, with its default and meaning', () => {
  expect(readmeRows()).toEqual(SETTINGS.map((s) => [s.name, s.default, s.meaning]));
});

test('every CASEBOOK_* variable the code names is declared in src/config.ts', () => {
  const declared = new Set<string>(SETTINGS.map((s) => s.name));
  const named = new Map<string, string>();
  for (const file of ['src', 'activities', 'workflows', 'scripts', 'bin', 'test'].flatMap(sourceFiles)) {
    for (const [name] of readFileSync(file, 'utf8').matchAll(/CASEBOOK_[A-Z_]+/g)) {
      if (!name.startsWith('CASEBOOK_SEARCH_ATTRIBUTE')) named.set(name, path.relative(projectRoot, file));
    }
  }
  const undeclared = [...named].filter(([name]) => !declared.has(name));
  expect(undeclared).toEqual([]);
});

test('the application reads no test-only setting, and nothing reads process.env.CASEBOOK_* outside src/config.ts', () => {
  const testOnly = SETTINGS.filter((s) => 'scope' in s).map((s) => s.name);
  const found: string[] = [];
  for (const file of ['src', 'activities', 'workflows'].flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(projectRoot, file);
    if (rel === path.join('src', 'config.ts')) continue;
    for (const name of testOnly) if (text.includes(name)) found.push(`${rel}: ${name}`);
    if (/process\.env(\.|\[')CASEBOOK_/.test(text)) found.push(`${rel}: process.env.CASEBOOK_*`);
  }
  expect(found).toEqual([]);
});

describe('reading settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('an unset or empty variable gives the default', () => {
    delete process.env.CASEBOOK_TASK_QUEUE;
    expect(taskQueue()).toBe('casebook');
    process.env.CASEBOOK_TASK_QUEUE = '';
    expect(taskQueue()).toBe('casebook');
    process.env.CASEBOOK_TASK_QUEUE = 'mine';
    expect(taskQueue()).toBe('mine');
  });

  test('a number that is not one is refused, naming the variable and the fix', () => {
    process.env.CASEBOOK_MAX_ACTIVITIES = 'lots';
    expect(() => intSetting('CASEBOOK_MAX_ACTIVITIES', 20)).toThrow(/CASEBOOK_MAX_ACTIVITIES must be a whole number of at least 1; got "lots". Fix it or unset it \(default 20\)/);
    process.env.CASEBOOK_MAX_ACTIVITIES = '8';
    expect(intSetting('CASEBOOK_MAX_ACTIVITIES', 20)).toBe(8);
  });
});
