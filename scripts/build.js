#!/usr/bin/env node
// `npm run build` (run by `npm install`): compiles src/, workflows/ and activities/ to dist/ with
// tsconfig.build.json, so `casebook` starts as plain JavaScript instead of compiling TypeScript
// through tsx on every call. Also answers whether dist/ is there and newer than the sources.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
/** Written after a successful build; its mtime is the time the build started. */
const stamp = path.join(dist, '.built');
const SOURCES = ['src', 'workflows', 'activities', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of fs.readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)));
  return newest;
}

/** 'missing' (never built), 'stale' (a source changed since the build) or 'fresh'. */
function buildState() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return 'missing';
  }
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built) ? 'stale' : 'fresh';
}

/** Compiles to dist/; returns tsc's exit status. */
function build() {
  const started = new Date();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // Required here: bin/casebook.js loads this module on every call, only to ask buildState().
  const { spawnSync } = require('node:child_process');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  fs.writeFileSync(stamp, `${started.toISOString()}\n`);
  fs.utimesSync(stamp, started, started);
  return 0;
}

module.exports = { dist, buildState, build };

if (require.main === module) {
  const status = build();
  if (status !== 0) console.error('casebook: the build failed (see the TypeScript errors above); `npm run typecheck` shows them again.');
  process.exit(status);
}
