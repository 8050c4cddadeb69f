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
}

/** Every `CASEBOOK_*` variable, in the README's order. */
export const SETTINGS = [
  { name: 'CASEBOOK_TEMPORAL_PORT', default: '7233', meaning: 'dev server port for `npm start`' },
  { name: 'CASEBOOK_UI_PORT', default: 'port + 1000', meaning: 'dev server Web UI port for `npm start`' },
  { name: 'CASEBOOK_TEMPORAL_IP', default: '127.0.0.1', meaning: 'dev server bind address' },
  { name: 'CASEBOOK_UI_URL', default: 'the dev server\'s UI', meaning: 'Web UI address the CLI links to' },
  { name: 'CASEBOOK_TASK_QUEUE', default: `\`${DEFAULT_TASK_QUEUE}\``, meaning: 'task queue' },
  { name: 'CASEBOOK_HOME', default: '`.casebook/`', meaning: 'artifacts, snapshots, dev-server database, notification log' },
  { name: 'CASEBOOK_LIBRARY_DIR', default: '`docs/`', meaning: 'where documents are published' },
  { name: 'CASEBOOK_PLAN', default: '`plan/v15.0.yaml`', meaning: 'plan file' },
  { name: 'CASEBOOK_TEMPLATE', default: '`plan/template.yaml`', meaning: 'analysis template file (new cases take it into their input)' },
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
  { name: 'CASEBOOK_MAX_CACHED_WORKFLOWS', default: '2000', meaning: 'workflows a worker keeps in its cache (memory against replays)' },
  { name: 'CASEBOOK_DEBUG', default: '–', meaning: 'when set, the CLI prints the stack of an unexpected error' },
] as const satisfies readonly SettingDoc[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** The value of a setting, or undefined when it is unset or empty. */
export function setting(name: SettingName): string | undefined {
  const value = process.env[name];
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
    maxCachedWorkflows: intSetting('CASEBOOK_MAX_CACHED_WORKFLOWS', 2000, 0),
    maxConcurrentActivityTaskExecutions: intSetting('CASEBOOK_MAX_ACTIVITIES', 20),
  };
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
