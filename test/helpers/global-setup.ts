/**
 * jest global setup: with CASEBOOK_TEST_STORE=postgres, starts one private PostgreSQL cluster for the
 * run and hands its URL to the test files (CASEBOOK_TEST_STORE_URL, inherited by jest's workers).
 */
import { startPostgres, type PostgresCluster } from './postgres';

declare global {
  var casebookTestPostgres: PostgresCluster | undefined;
}

export default async function globalSetup(): Promise<void> {
  const mode = process.env.CASEBOOK_TEST_STORE;
  if (mode === undefined || mode === '' || mode === 'local') return;
  if (mode !== 'postgres') {
    throw new Error(`CASEBOOK_TEST_STORE=${mode}: use "postgres" (or leave it unset for the local directory)`);
  }
  const cluster = await startPostgres();
  globalThis.casebookTestPostgres = cluster;
  process.env.CASEBOOK_TEST_STORE_URL = cluster.url('casebook_test');
  console.log(`\ntests use the PostgreSQL store: a private cluster on 127.0.0.1:${cluster.port}`);
}
