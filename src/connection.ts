import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConfigProfile, loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { casebookHome, uiUrl } from './config';
import { CASEBOOK_SEARCH_ATTRIBUTES } from './search-attributes';

/** What `npm start` writes when it runs the embedded dev server, so the CLI finds it. */
export interface DevServerInfo {
  address: string;
  uiUrl: string;
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
    return Boolean(loadClientConfigProfile({ disableEnv: true }).address);
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
}

/**
 * Loads connection settings with `@temporalio/envconfig` (profile file, then `TEMPORAL_*`
 * environment variables). With neither, it falls back to the dev server `npm start` runs.
 */
export function loadConnectionSettings(): ConnectionSettings {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const dev = hasExternalServer() ? undefined : readDevServerInfo();
  const address = connectionOptions.address ?? dev?.address ?? 'localhost:7233';
  return {
    address,
    namespace: namespace ?? dev?.namespace ?? 'default',
    connectOptions: { ...connectionOptions, address },
    uiUrl: uiUrl() ?? dev?.uiUrl ?? (hasExternalServer() ? undefined : 'http://localhost:8233'),
  };
}

/** A client for the CLI and scripts. Close `client.connection` when done. */
export async function connectClient(settings = loadConnectionSettings()): Promise<Client> {
  const connection = await Connection.connect(settings.connectOptions);
  return new Client({ connection, namespace: settings.namespace });
}

/** A native connection for the worker. */
export async function connectWorker(settings = loadConnectionSettings()): Promise<NativeConnection> {
  // Required here, not at the top: the CLI imports this module and must not load the worker package.
  const { NativeConnection: Native } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  return Native.connect(settings.connectOptions);
}

/** Anything with an operator service: a client connection or a test environment's. */
type WithOperatorService = Pick<Connection, 'operatorService'>;

const INDEXED_VALUE_TYPE = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/**
 * Registers casebook's search attributes on a server that lacks them (an existing server, the
 * time-skipping test server). Attributes already there are left alone.
 */
export async function registerSearchAttributes(connection: WithOperatorService, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService
    .listSearchAttributes({ namespace })
    .then((r) => new Set(Object.keys(r.customAttributes ?? {})))
    .catch(() => new Set<string>());
  const missing = CASEBOOK_SEARCH_ATTRIBUTES.filter((sa) => !existing.has(sa.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, INDEXED_VALUE_TYPE[sa.type]])),
  });
  return missing.map((sa) => sa.name);
}
