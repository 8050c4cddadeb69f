#!/usr/bin/env node
// Runs the CLI compiled to dist/ by `npm run build` (which `npm install` runs). Without a build, or
// when the sources changed after it, it runs the TypeScript sources through tsx (slower) and says so.
const path = require('node:path');
const { buildState, dist } = require('../scripts/build.js');

const state = buildState();
if (state === 'fresh') {
  // Compiling the Temporal client's modules is a good part of every call: keep V8's code cache. Not
  // for `qa` and `draft` (an upload runs QA for the writer's feedback): QA requires ES-module-only
  // packages (markdownlint, micromark), which this CommonJS hook would compile as CommonJS.
  if (!['qa', 'draft'].includes(process.argv.slice(2).find((arg) => !arg.startsWith('-')))) require('v8-compile-cache');
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
