#!/usr/bin/env node
// Runs the CLI compiled to dist/ by `npm run build` (which `npm install` runs). Without a build, or
// when the sources changed after it, it runs the TypeScript sources through tsx (slower) and says so.
const path = require('node:path');
const { buildState, dist } = require('../scripts/build.js');

const state = buildState();
if (state === 'fresh') {
  // Compiling the Temporal client's modules is a good part of a call that loads it: keep V8's code
  // cache. Not for the commands that run QA (`qa`, and `draft`, whose upload checks the draft at
  // once): QA requires ES-module-only packages (markdownlint, micromark), which this CommonJS hook
  // would compile as CommonJS. Not for help and the read-only commands either: they read over the
  // server's HTTP API, load a few small modules, and the cache's own loading costs them more than
  // it saves (measured with `npm run bench:cli`).
  const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  const withoutCache = [undefined, 'help', 'status', 'show', 'inbox', 'qa', 'draft'];
  if (!withoutCache.includes(command)) require('v8-compile-cache');
  require(path.join(dist, 'src', 'cli', 'main.js')).main();
} else {
  process.stderr.write(
    state === 'missing'
      ? 'casebook: dist/ is missing, so the CLI runs its TypeScript sources through tsx (slow). Run `npm run build` (npm install does it).\n'
      : 'casebook: the sources changed since the last build, so the CLI runs them through tsx (slow). Run `npm run build`.\n',
  );
  require('tsx/cjs');
  require('../src/cli/main.ts').main();
}
