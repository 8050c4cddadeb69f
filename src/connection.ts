import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { loadConnectionSettings } from './connection-settings';
import { CASEBOOK_SEARCH_ATTRIBUTES } from './search-attributes';

// Where the server is: a module of its own, so the CLI's read-only commands can find it without
// loading the SDK client.
export {
  type ConnectionSettings,
  type DevServerInfo,
  devServerInfoFile,
  hasExternalServer,
  loadConnectionSettings,
  readDevServerInfo,
} from './connection-settings';

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
