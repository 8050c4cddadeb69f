/**
 * The store the tests use. By default the local directory (each test's CASEBOOK_HOME). With
 * CASEBOOK_TEST_STORE=postgres, jest's global setup (test/helpers/global-setup.ts) starts a private
 * PostgreSQL cluster and every test file gets its own schema in it, so the same tests run against
 * the PostgreSQL store.
 */
import { randomBytes } from 'node:crypto';
import { setting } from '../../src/config';

/** Points CASEBOOK_STORE_URL at a new, empty schema when the tests run on PostgreSQL; else a no-op. */
export function freshTestStore(): void {
  const base = setting('CASEBOOK_TEST_STORE_URL');
  if (!base) return;
  process.env.CASEBOOK_STORE_URL = `${base}?schema=test_${randomBytes(6).toString('hex')}`;
}

/** Whether the tests run against the PostgreSQL store. */
export function testStoreIsPostgres(): boolean {
  return Boolean(setting('CASEBOOK_TEST_STORE_URL'));
}
