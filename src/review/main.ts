/**
 * `npm run review`: the review page alone, against the Temporal server the connection settings name
 * (the dev server of `npm start`, or TEMPORAL_ADDRESS / a profile). Reads drafts from the workers'
 * store, so it needs the workers' CASEBOOK_HOME.
 */
import { loadConnectionSettings } from '../connection';
import { startReviewServer } from './server';

async function main(): Promise<void> {
  const settings = loadConnectionSettings();
  const server = await startReviewServer({ announce: true });
  console.log(`[casebook] review page ${server.url} (Temporal ${settings.address}, namespace ${settings.namespace})`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`[casebook] the review page did not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
