// Jest global setup: the CLI tests run `bin/casebook.js` as users do, which runs the JavaScript
// compiled to dist/. Compile it once here when it is missing or older than the sources.
const { build, buildState } = require('../scripts/build.js');

module.exports = async function globalSetup() {
  const state = buildState();
  if (state === 'fresh') return;
  process.stdout.write(`\n[jest] dist/ is ${state}: npm run build\n`);
  const status = build();
  if (status !== 0) throw new Error('npm run build failed (see the TypeScript errors above); the CLI tests need the compiled CLI.');
};
