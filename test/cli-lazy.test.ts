/**
 * The CLI loads only what the command it runs needs: it runs the JavaScript compiled to dist/, and
 * only `qa` loads the QA engine and the TypeScript compiler. Checked on the modules a real
 * `bin/casebook.js` process loaded (no server needed: the server commands fail to connect, after
 * loading everything they use).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/config';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-lazy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;

/** Runs `casebook ...args` and returns the modules it loaded, relative to the project. */
function loadedBy(...args: string[]): Promise<{ code: number; modules: string[]; stderr: string }> {
  return loadedWith({}, ...args);
}

/** The same, with more environment variables. */
function loadedWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; modules: string[]; stderr: string }> {
  const file = path.join(tmp, `modules-${n++}.txt`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', path.join(__dirname, 'helpers', 'loaded-modules.js'), path.join(projectRoot, 'bin', 'casebook.js'), ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, LOADED_MODULES_FILE: file, TEMPORAL_ADDRESS: '127.0.0.1:1', CASEBOOK_HOME: path.join(tmp, 'home'), ...extraEnv },
      },
      (err, _stdout, stderr) => {
        const modules = readFileSync(file, 'utf8')
          .split('\n')
          .map((m) => path.relative(projectRoot, m));
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, modules, stderr });
      },
    );
  });
}

const has = (modules: string[], part: string) => modules.some((m) => m.includes(part));

test('`casebook --help` runs the compiled CLI and loads no command, no Temporal client, no QA engine', async () => {
  const { code, modules, stderr } = await loadedBy('--help');
  expect(code).toBe(0);
  expect(stderr).toBe(''); // no "running the sources through tsx" hint
  expect(modules).toContain(path.join('dist', 'src', 'cli', 'main.js'));
  expect(has(modules, 'tsx')).toBe(false);
  expect(has(modules, path.join('src', 'cli', 'commands'))).toBe(false);
  expect(has(modules, '@temporalio/client')).toBe(false);
  expect(has(modules, path.join('node_modules', 'typescript'))).toBe(false);
});

test.each([
  ['status', ['status'], 'status.js'],
  ['show', ['show', 'square'], 'show.js'],
  ['approve', ['approve', 'square', '--reviewer', 'alice'], 'decide.js'],
  ['inbox', ['inbox', '--reviewer', 'alice'], 'inbox.js'],
])('`casebook %s` loads its own command and the client, not the QA engine or the TypeScript compiler', async (_name, args, own) => {
  const { code, modules, stderr } = await loadedBy(...args);
  expect(code).toBe(1);
  expect(stderr).toMatch(/Cannot reach the Temporal server at 127.0.0.1:1/);
  const commands = modules.filter((m) => m.includes(path.join('dist', 'src', 'cli', 'commands')));
  expect(commands).toEqual([path.join('dist', 'src', 'cli', 'commands', own)]);
  expect(has(modules, '@temporalio/client')).toBe(true);
  expect(has(modules, path.join('dist', 'src', 'qa'))).toBe(false);
  expect(has(modules, path.join('node_modules', 'typescript'))).toBe(false);
});

test.each([
  ['status', ['status'], 'status.js'],
  ['show', ['show', 'square'], 'show.js'],
  ['inbox', ['inbox', '--reviewer', 'alice'], 'inbox.js'],
])('`casebook %s` with the server\'s HTTP API known reads over it: no Temporal client, no gRPC, no plan loader', async (_name, args, own) => {
  const { code, modules, stderr } = await loadedWith({ CASEBOOK_TEMPORAL_HTTP_URL: 'http://127.0.0.1:1' }, ...args);
  expect(code).toBe(1);
  expect(stderr).toMatch(/Cannot reach the Temporal server's HTTP API at http:\/\/127.0.0.1:1/);
  const commands = modules.filter((m) => m.includes(path.join('dist', 'src', 'cli', 'commands')));
  expect(commands).toEqual([path.join('dist', 'src', 'cli', 'commands', own)]);
  expect(has(modules, path.join('dist', 'src', 'temporal-http.js'))).toBe(true);
  for (const heavy of ['@temporalio/client', '@grpc/grpc-js', '@temporalio/proto', path.join('dist', 'src', 'plan.js'), path.join('node_modules', 'yaml')]) {
    expect([heavy, has(modules, heavy)]).toEqual([heavy, false]);
  }
});

test('`casebook qa` loads the QA engine and the TypeScript compiler', async () => {
  const file = path.join(tmp, 'note.md');
  writeFileSync(file, '# A note\n\nSome code:\n\n```ts\nconst answer: number = 42;\nexport { answer };\n```\n');
  const { modules } = await loadedBy('qa', file);
  expect(has(modules, path.join('dist', 'src', 'qa'))).toBe(true);
  expect(has(modules, path.join('node_modules', 'typescript'))).toBe(true);
  expect(has(modules, '@temporalio/client')).toBe(false);
});

test.each([
  ['note', ['note', 'square', 'a remark', '--author', 'frank']],
  ['draft show', ['draft', 'show', 'square']],
])('`casebook %s` runs the compiled CLI up to the server without loading the QA engine', async (_name, args) => {
  const { code, modules, stderr } = await loadedBy(...args);
  // Not "Unexpected token 'export'": nothing ES-module-only went through the code-cache hook.
  expect(stderr).toMatch(/Cannot reach the Temporal server at 127.0.0.1:1/);
  expect(code).toBe(1);
  expect(has(modules, path.join('dist', 'src', 'qa'))).toBe(false);
  expect(has(modules, path.join('node_modules', 'typescript'))).toBe(false);
});
