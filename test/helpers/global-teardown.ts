/** jest global teardown: stops the PostgreSQL cluster of global-setup.ts, if one was started. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.casebookTestPostgres?.stop();
}
