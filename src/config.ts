/**
 * casebook's configuration: every `CASEBOOK_*` environment variable, with its default and meaning,
 * declared once in {@link SETTINGS}. The README's variable table is checked against this list
 * (test/config.test.ts).
 *
 * To add a setting: add a row to `SETTINGS`, a typed accessor below if code reads it, and the same
 * row to the README table. Read variables only through {@link setting} or an accessor, never
 * `process.env.CASEBOOK_*` directly. Workflows never read configuration: it reaches them in their
 * input (the template file, for example).
 */
import path from 'node:path';
import { DEFAULT_TASK_QUEUE } from './names';

/** Root of the casebook checkout (the folder that holds package.json), from src/ or the compiled dist/src/. */
export const projectRoot = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');

/** One `CASEBOOK_*` variable as the README documents it. */
export interface SettingDoc {
  name: `CASEBOOK_${string}`;
  /** The default as the README shows it (`–` when unset means "off"). */
  default: string;
  meaning: string;
  /**
   * `test`: read only by the test suite and the test scripts (test/helpers, scripts/test-production.ts),
   * documented in the README's second table; the application never reads it.
   */
  scope?: 'test';
}

/** Every `CASEBOOK_*` variable, in the README's order. */
export const SETTINGS = [
  { name: 'CASEBOOK_TEMPORAL_PORT', default: '7233', meaning: 'dev server port for `npm start`' },
  { name: 'CASEBOOK_UI_PORT', default: 'port + 1000', meaning: 'dev server Web UI port for `npm start`' },
  { name: 'CASEBOOK_TEMPORAL_IP', default: '127.0.0.1', meaning: 'dev server bind address' },
  { name: 'CASEBOOK_TEMPORAL_HTTP_PORT', default: 'port + 10', meaning: 'dev server HTTP API port for `npm start` (recorded for the CLI)' },
  { name: 'CASEBOOK_TEMPORAL_HTTP_URL', default: 'the dev server\'s HTTP API', meaning: 'Temporal HTTP API the CLI\'s read-only commands use, e.g. `http://temporal:7243`; without one they load the gRPC client (slower start, same output)' },
  { name: 'CASEBOOK_UI_URL', default: 'the dev server\'s UI', meaning: 'Web UI address the CLI links to' },
  { name: 'CASEBOOK_TASK_QUEUE', default: `\`${DEFAULT_TASK_QUEUE}\``, meaning: 'task queue' },
  { name: 'CASEBOOK_HOME', default: '`.casebook/`', meaning: 'the dev server\'s database; and the store when `CASEBOOK_STORE_URL` is unset' },
  { name: 'CASEBOOK_STORE_URL', default: '– (the local directory)', meaning: '`postgres://user:password@host:5432/database[?schema=name]`: the store in PostgreSQL (see below)' },
  { name: 'CASEBOOK_LIBRARY_DIR', default: '`docs/`', meaning: 'where documents are published' },
  { name: 'CASEBOOK_PLAN', default: '`plan/v15.0.yaml`', meaning: 'plan file' },
  { name: 'CASEBOOK_TEMPLATE', default: '`plan/template.yaml`', meaning: 'analysis template file (new cases take it into their input)' },
  { name: 'CASEBOOK_REVIEW_HOST', default: '127.0.0.1', meaning: 'where the review page listens; any other address needs tokens or a trusted header' },
  { name: 'CASEBOOK_REVIEW_PORT', default: '8234', meaning: 'review page port (`0`: a free port the system picks)' },
  { name: 'CASEBOOK_REVIEW_URL', default: 'the running page\'s address', meaning: 'the review page address people use (behind a proxy); shown by `casebook show` and in the workflow details' },
  { name: 'CASEBOOK_REVIEW_TOKENS', default: '–', meaning: 'reviewer tokens, `alice=<token>,bob=<token>` (each ≥ 16 characters)' },
  { name: 'CASEBOOK_REVIEW_TOKENS_FILE', default: '–', meaning: 'a file with the same, or a JSON object `{"alice": "<token>"}`' },
  { name: 'CASEBOOK_REVIEW_TRUSTED_HEADER', default: '–', meaning: 'header an SSO proxy sets to the signed-in reviewer, e.g. `X-Forwarded-User`' },
  { name: 'CASEBOOK_REVIEW_SECRET', default: 'random per start', meaning: 'key that signs review sessions and CSRF tokens (set it to keep sessions across restarts)' },
  { name: 'CASEBOOK_REVIEW_PAGE_SIZE', default: '50', meaning: 'cases per page of the review inbox (only the shown page\'s cases are read in full)' },
  { name: 'CASEBOOK_WRITER', default: '`writer`', meaning: 'author name `npm run publish:written` uploads drafts as' },
  { name: 'CASEBOOK_WEBHOOK_URL', default: '–', meaning: 'optional webhook for notifications' },
  { name: 'CASEBOOK_WEBHOOK_TOKEN', default: '–', meaning: 'bearer token of the webhook (never reaches logs or history)' },
  { name: 'CASEBOOK_SOURCE_HOSTS', default: '–', meaning: 'allow-list of hosts sources may come from' },
  { name: 'CASEBOOK_SOURCE_ALLOW', default: '–', meaning: 'hosts exempt from private-network blocking' },
  { name: 'CASEBOOK_FETCH_TIMEOUT_MS', default: '10000', meaning: 'timeout of one source fetch, in ms' },
  { name: 'CASEBOOK_FETCH_MAX_BYTES', default: '2097152', meaning: 'largest source snapshot fetched, in bytes' },
  { name: 'CASEBOOK_FETCH_ATTEMPTS', default: '3', meaning: 'attempts per source fetch (network errors and 5xx are retried)' },
  { name: 'CASEBOOK_FETCH_BACKOFF_MS', default: '500', meaning: 'wait before the second fetch attempt, in ms, doubling after' },
  { name: 'CASEBOOK_METRICS_ADDRESS', default: '–', meaning: 'Prometheus endpoint of the worker, e.g. `0.0.0.0:9464`' },
  { name: 'CASEBOOK_MAX_ACTIVITIES', default: '20', meaning: 'activities one worker runs at a time' },
  { name: 'CASEBOOK_MAX_CACHED_WORKFLOWS', default: '500', meaning: 'workflows a worker keeps in its cache: about 0.3 MB of worker RSS each; a parked case outside it replays its history when it wakes (BENCHMARKS.md, worker memory)' },
  { name: 'CASEBOOK_STATUS_MAX_ROWS', default: '200', meaning: 'most cases `casebook status` lists row by row; over it, it prints the summary per phase (`--all` lists every case)' },
  { name: 'CASEBOOK_DEBUG', default: '–', meaning: 'when set, the CLI prints the stack of an unexpected error' },
  { name: 'CASEBOOK_TEST_STORE', default: '`local`', meaning: '`postgres`: run the tests against the PostgreSQL store (`npm run test:pg`)', scope: 'test' },
  { name: 'CASEBOOK_TEST_STORE_URL', default: 'set by the test setup', meaning: 'the private cluster\'s URL, passed from jest\'s global setup to the test files', scope: 'test' },
  { name: 'CASEBOOK_PG_BIN', default: '`/usr/lib/postgresql/<version>/bin`', meaning: 'where `initdb` and `postgres` are, for the test cluster', scope: 'test' },
  { name: 'CASEBOOK_PG_OS_USER', default: '`postgres`', meaning: 'system user that owns the test cluster when the tests run as root (PostgreSQL refuses root)', scope: 'test' },
  { name: 'CASEBOOK_KEEP_PRODUCTION_TMP', default: '–', meaning: '`1`: `npm run test:production` keeps its temp dir for inspection', scope: 'test' },
] as const satisfies readonly SettingDoc[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** The value of a setting, or undefined when it is unset or empty (`env` for tests that pass their own). */
export function setting(name: SettingName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A setting that must be a whole number of at least `min`; says which variable is wrong and how to fix it. */
export function intSetting(name: SettingName, fallback: number, min = 1): number {
  const raw = setting(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}; got ${JSON.stringify(raw)}. Fix it or unset it (default ${fallback}).`);
  }
  return value;
}

/** A setting that must be a TCP port (1–65535); says which variable is wrong and how to fix it. */
export function portSetting(name: SettingName, fallback: number, min = 1): number {
  const raw = setting(name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new Error(`${name}=${raw} is not a port number; use a whole number from ${min} to 65535, or unset it (default ${fallback}).`);
  }
  return port;
}

/** Working state: artifacts, snapshots, logs, the dev server's SQLite file. */
export function casebookHome(): string {
  return path.resolve(setting('CASEBOOK_HOME') ?? path.join(projectRoot, '.casebook'));
}

/** Where published documents go: `<library>/cases/<industry>/<case>.md` and the library documents. */
export function libraryDir(): string {
  return path.resolve(setting('CASEBOOK_LIBRARY_DIR') ?? path.join(projectRoot, 'docs'));
}

/** The plan file used when none is given. */
export function defaultPlanFile(): string {
  return path.resolve(setting('CASEBOOK_PLAN') ?? path.join(projectRoot, 'plan', 'v15.0.yaml'));
}

/** The analysis template file. */
export function templateFile(): string {
  return path.resolve(setting('CASEBOOK_TEMPLATE') ?? path.join(projectRoot, 'plan', 'template.yaml'));
}

/** The task queue every casebook worker polls (tests set their own). */
export function taskQueue(): string {
  return setting('CASEBOOK_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE;
}

/** How much one worker takes on at a time. */
export function workerLimits(): { maxCachedWorkflows: number; maxConcurrentActivityTaskExecutions: number } {
  return {
    maxCachedWorkflows: intSetting('CASEBOOK_MAX_CACHED_WORKFLOWS', 500, 0),
    maxConcurrentActivityTaskExecutions: intSetting('CASEBOOK_MAX_ACTIVITIES', 20),
  };
}

/** How many cases `casebook status` lists row by row before it prints the summary instead. */
export function statusMaxRows(): number {
  return intSetting('CASEBOOK_STATUS_MAX_ROWS', 200, 0);
}

/** The worker's Prometheus endpoint, when one is wanted. */
export function metricsAddress(): string | undefined {
  return setting('CASEBOOK_METRICS_ADDRESS');
}

/** The notification webhook and its token, when set. */
export function webhook(): { url?: string; token?: string } {
  return { url: setting('CASEBOOK_WEBHOOK_URL'), token: setting('CASEBOOK_WEBHOOK_TOKEN') };
}

/** The Web UI address the CLI links to, when set. */
export function uiUrl(): string | undefined {
  return setting('CASEBOOK_UI_URL');
}

/** The PostgreSQL store's URL, or undefined for the local directory under `CASEBOOK_HOME`. */
export function storeUrl(): string | undefined {
  return setting('CASEBOOK_STORE_URL');
}

/**
 * Where `npm start` runs the dev server: bind address, frontend port, Web UI port and HTTP API port
 * (port + 10: 7243, the HTTP port a Temporal server uses by default).
 */
export function devServerAddress(): { ip: string; port: number; uiPort: number; httpPort: number } {
  const port = portSetting('CASEBOOK_TEMPORAL_PORT', 7233);
  return {
    ip: setting('CASEBOOK_TEMPORAL_IP') ?? '127.0.0.1',
    port,
    uiPort: portSetting('CASEBOOK_UI_PORT', port + 1000),
    httpPort: portSetting('CASEBOOK_TEMPORAL_HTTP_PORT', Math.min(port + 10, 65535)),
  };
}

/** The Temporal HTTP API the CLI reads from, when set (no trailing slash). */
export function temporalHttpUrl(): string | undefined {
  const url = setting('CASEBOOK_TEMPORAL_HTTP_URL')?.replace(/\/+$/, '');
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
    throw new Error(`CASEBOOK_TEMPORAL_HTTP_URL=${url} is not an http(s) URL; use e.g. http://127.0.0.1:7243 (the server's frontend httpPort), or unset it.`);
  }
  return url;
}

/** Whether the CLI prints the stack of an unexpected error. */
export function debug(): boolean {
  return setting('CASEBOOK_DEBUG') !== undefined;
}

/** The author `npm run publish:written` uploads drafts as. */
export function writerName(): string {
  return setting('CASEBOOK_WRITER') ?? 'writer';
}

/** Port of the review page when none is configured (beside the Web UI's 8233). */
export const DEFAULT_REVIEW_PORT = 8234;

/** Where the review page listens. */
export function reviewListen(): { host: string; port: number } {
  return { host: setting('CASEBOOK_REVIEW_HOST') ?? '127.0.0.1', port: portSetting('CASEBOOK_REVIEW_PORT', DEFAULT_REVIEW_PORT, 0) };
}

/** The review page address people use, when configured (behind a proxy); no trailing slash. */
export function reviewUrlSetting(): string | undefined {
  return setting('CASEBOOK_REVIEW_URL')?.replace(/\/+$/, '');
}

/** Cases per page of the review inbox. */
export function reviewPageSize(): number {
  return intSetting('CASEBOOK_REVIEW_PAGE_SIZE', 50);
}

/** The key that signs review sessions, when configured (else the page makes one per start). */
export function reviewSecret(): string | undefined {
  return setting('CASEBOOK_REVIEW_SECRET');
}
