/**
 * jest global setup:
 * - builds dist/ when it is missing or older than the sources: the CLI tests run `bin/casebook.js`
 *   as users do, which runs the compiled JavaScript;
 * - with CASEBOOK_TEST_STORE=postgres, starts one private PostgreSQL cluster for the run and hands
 *   its URL to the test files (CASEBOOK_TEST_STORE_URL, inherited by jest's workers).
 */
import { startPostgres, type PostgresCluster } from './postgres';
import { setting } from '../../src/config';

// scripts/build.js is plain CommonJS shared with `npm install`'s postinstall.
const { build, buildState } = require('../../scripts/build.js') as { build(): number; buildState(): string };

declare global {
  var casebookTestPostgres: PostgresCluster | undefined;
}

function buildDist(): void {
  const state = buildState();
  if (state === 'fresh') return;
  process.stdout.write(`\n[jest] dist/ is ${state}: npm run build\n`);
  if (build() !== 0) throw new Error('npm run build failed (see the TypeScript errors above); the CLI tests need the compiled CLI.');
}

export default async function globalSetup(): Promise<void> {
  buildDist();
  const mode = setting('CASEBOOK_TEST_STORE');
  if (mode === undefined || mode === '' || mode === 'local') return;
  if (mode !== 'postgres') {
    throw new Error(`CASEBOOK_TEST_STORE=${mode}: use "postgres" (or leave it unset for the local directory)`);
  }
  const cluster = await startPostgres();
  globalThis.casebookTestPostgres = cluster;
  process.env.CASEBOOK_TEST_STORE_URL = cluster.url('casebook_test');
  console.log(`\ntests use the PostgreSQL store: a private cluster on 127.0.0.1:${cluster.port}`);
}
