/**
 * Where the Temporal server is, for worker, CLI and tests: `@temporalio/envconfig` (profile file,
 * `TEMPORAL_*` variables), else the dev server `npm start` recorded. Light on purpose: the CLI's
 * read-only commands load it without the SDK client.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { loadClientConnectConfig } from '@temporalio/envconfig';
import { casebookHome, temporalHttpUrl, uiUrl } from './config';

/** The Temporal config file envconfig reads when none is named (the SDK's rule, per platform). */
function defaultTemporalConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  let dir: string | undefined;
  if (process.platform === 'win32') dir = env.APPDATA;
  else if (process.platform === 'darwin') dir = env.HOME && path.join(env.HOME, 'Library', 'Application Support');
  else dir = env.XDG_CONFIG_HOME || (env.HOME ? path.join(env.HOME, '.config') : os.homedir() && path.join(os.homedir(), '.config'));
  return dir ? path.join(dir, 'temporalio', 'temporal.toml') : undefined;
}

/**
 * `@temporalio/envconfig`, or undefined when it has nothing to read (no `TEMPORAL_*` variable, no
 * config file): then its answer is known, and loading it (and its TOML parser) would only slow down
 * the start of every CLI call.
 */
function envconfig(): typeof import('@temporalio/envconfig') | undefined {
  const file = defaultTemporalConfigFile();
  const hasInput = Object.keys(process.env).some((name) => name.startsWith('TEMPORAL_')) || (file !== undefined && existsSync(file));
  return hasInput ? (require('@temporalio/envconfig') as typeof import('@temporalio/envconfig')) : undefined;
}

/** What `npm start` writes when it runs the embedded dev server, so the CLI finds it. */
export interface DevServerInfo {
  address: string;
  uiUrl: string;
  /** The server's HTTP API (`http://host:port`); absent in records of older versions. */
  httpUrl?: string;
  namespace: string;
  pid: number;
}

export function devServerInfoFile(): string {
  return path.join(casebookHome(), 'dev-server.json');
}

export function readDevServerInfo(): DevServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(devServerInfoFile(), 'utf8')) as DevServerInfo;
  } catch {
    return undefined;
  }
}

/**
 * True when the user pointed casebook at a Temporal server of their own: `TEMPORAL_ADDRESS`, or a
 * profile (`TEMPORAL_PROFILE`, or an address in the Temporal config file).
 */
export function hasExternalServer(): boolean {
  if (process.env.TEMPORAL_ADDRESS || process.env.TEMPORAL_PROFILE) return true;
  try {
    return Boolean(envconfig()?.loadClientConfigProfile({ disableEnv: true }).address);
  } catch {
    return false;
  }
}

/** Connection settings for worker, CLI and tests, from one place. */
export interface ConnectionSettings {
  address: string;
  namespace: string;
  /** Everything envconfig resolved: TLS, API key, headers. */
  connectOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  /** The Web UI base URL, when known. */
  uiUrl?: string;
  /**
   * The server's HTTP API, when known (`CASEBOOK_TEMPORAL_HTTP_URL`, or the dev server `npm start`
   * runs): the CLI's read-only commands use it instead of loading the gRPC client.
   */
  httpUrl?: string;
}

/**
 * Loads connection settings with `@temporalio/envconfig` (profile file, then `TEMPORAL_*`
 * environment variables). With neither, it falls back to the dev server `npm start` runs.
 */
export function loadConnectionSettings(): ConnectionSettings {
  const { connectionOptions, namespace } = envconfig()?.loadClientConnectConfig() ?? { connectionOptions: {}, namespace: undefined };
  const dev = hasExternalServer() ? undefined : readDevServerInfo();
  const address = connectionOptions.address ?? dev?.address ?? 'localhost:7233';
  return {
    address,
    namespace: namespace ?? dev?.namespace ?? 'default',
    connectOptions: { ...connectionOptions, address },
    uiUrl: uiUrl() ?? dev?.uiUrl ?? (hasExternalServer() ? undefined : 'http://localhost:8233'),
    httpUrl: temporalHttpUrl() ?? dev?.httpUrl,
  };
}
