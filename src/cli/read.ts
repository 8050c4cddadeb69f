/**
 * How the read-only commands (status, show, inbox) read cases: through the Temporal server's HTTP
 * API when its address is known (the dev server `npm start` runs records it;
 * `CASEBOOK_TEMPORAL_HTTP_URL` names any other), else through the SDK client. Both give the same
 * rows and query results, so the output is the same either way; the HTTP path only starts faster
 * (no gRPC, no protobuf definitions to load).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadConnectionSettings, type ConnectionSettings } from '../connection-settings';
import { caseWorkflowId } from '../names';
import { TemporalHttpApi, TemporalHttpError, TemporalHttpUnreachable, type WorkflowCount, type WorkflowListing } from '../temporal-http';
import { CliError } from './errors';
import { checkCaseId } from './output';

/** One execution of a listing: its id, task queue, status, start time and search attributes by name. */
export type WorkflowRow = Omit<WorkflowListing, 'runId' | 'type'>;
export type { WorkflowCount };

/** What the read-only commands need from the server. */
export interface CaseReader {
  /** Executions matching a visibility query, in the server's order; at most `limit` of them when given. */
  list(query: string, limit?: number): AsyncIterable<WorkflowRow>;
  /** How many executions match a visibility query (one server call; `GROUP BY ExecutionStatus` gives groups). */
  count(query: string): Promise<WorkflowCount>;
  /** Runs a query on a case's workflow; a case that does not exist is a CliError that says so. */
  query<T>(caseId: string, queryName: string): Promise<T>;
  /** Whether any worker polls the task queue for workflow tasks (queries need one). */
  hasWorker(taskQueue: string): Promise<boolean>;
}

const noSuchCase = (caseId: string) =>
  new CliError(
    `No case "${caseId}" was found on the server (workflow id ${caseWorkflowId(caseId)}).`,
    `Start it with \`casebook start ${caseId}\`, or list the cases with \`casebook status\`.`,
  );

/** The reader over the HTTP API; server errors become CliErrors that say what to do. */
export function httpReader(settings: ConnectionSettings & { httpUrl: string }): CaseReader {
  const tls = typeof settings.connectOptions.tls === 'object' && settings.connectOptions.tls ? settings.connectOptions.tls : undefined;
  const api = new TemporalHttpApi({
    baseUrl: settings.httpUrl,
    namespace: settings.namespace,
    apiKey: typeof settings.connectOptions.apiKey === 'string' ? settings.connectOptions.apiKey : undefined,
    tls: tls && {
      ca: tls.serverRootCACertificate,
      cert: tls.clientCertPair?.crt,
      key: tls.clientCertPair?.key,
      servername: tls.serverNameOverride,
    },
  });
  const explain = (err: unknown, caseId?: string): never => {
    if (err instanceof TemporalHttpUnreachable) {
      throw new CliError(
        `Cannot reach the Temporal server's HTTP API at ${api.url} (namespace ${settings.namespace}).`,
        'Start it with `npm start` (in another terminal). For a server of your own, set CASEBOOK_TEMPORAL_HTTP_URL to its HTTP API (frontend httpPort), or unset it to use gRPC at TEMPORAL_ADDRESS.',
        1,
        { cause: err },
      );
    }
    if (err instanceof TemporalHttpError && err.code === 5 && caseId) throw noSuchCase(caseId);
    if (err instanceof TemporalHttpError && err.code === 4 && caseId) {
      throw new CliError(`Case "${caseId}" did not answer: ${err.message}.`, 'Queries need a running worker: check that `npm start` (or `npm run worker`) is running.', 1, { cause: err });
    }
    if (err instanceof TemporalHttpError) throw new CliError(`The Temporal server refused the request: ${err.message}`, 'Check the server address and namespace (TEMPORAL_NAMESPACE).', 1, { cause: err });
    throw err;
  };
  return {
    async *list(query, limit = Infinity) {
      if (limit <= 0) return;
      let seen = 0;
      try {
        for await (const row of api.listWorkflows(query, Math.min(limit, 1000))) {
          yield row;
          if (++seen >= limit) return;
        }
      } catch (err) {
        explain(err);
      }
    },
    async count(query) {
      try {
        return await api.countWorkflows(query);
      } catch (err) {
        return explain(err);
      }
    },
    async query<T>(caseId: string, queryName: string) {
      try {
        return await api.query<T>(caseWorkflowId(checkCaseId(caseId)), queryName);
      } catch (err) {
        return explain(err, caseId);
      }
    },
    async hasWorker(taskQueue) {
      try {
        return (await api.workflowPollers(taskQueue)) > 0;
      } catch (err) {
        return explain(err);
      }
    },
  };
}

/** The reader over an SDK client (`casebook` without an HTTP address, and scripts that hold a client). */
export function sdkReader(client: Client): CaseReader {
  const { existingCase } = require('./context') as typeof import('./context');
  const handles = new Map<string, Promise<WorkflowHandle>>();
  return {
    async *list(query, limit = Infinity) {
      if (limit <= 0) return;
      let seen = 0;
      for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
        yield {
          workflowId: wf.workflowId,
          taskQueue: wf.taskQueue,
          status: wf.status.name,
          startTime: wf.startTime.getTime(),
          searchAttributes: Object.fromEntries(wf.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value])),
        };
        if (++seen >= limit) return;
      }
    },
    async count(query) {
      const { count, groups } = await client.workflow.count(query);
      // The SDK decodes a group value as the legacy search attribute form, a list (["Running"]); the HTTP API gives the value.
      const unwrap = (value: unknown) => (Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value);
      return { count, groups: groups.map((g) => ({ values: g.groupValues.map(unwrap), count: g.count })) };
    },
    async query<T>(caseId: string, queryName: string) {
      if (!handles.has(caseId)) handles.set(caseId, existingCase(client, caseId));
      const handle = await handles.get(caseId)!;
      return handle.query<T>(queryName);
    },
    async hasWorker(taskQueue) {
      const { temporal } = require('@temporalio/proto') as typeof import('@temporalio/proto');
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return pollers.length > 0;
    },
  };
}

/**
 * Runs `fn` with a reader: over HTTP when the server's HTTP API is known, else over an SDK client
 * (loaded only then), closed in every case.
 */
export async function withReader<T>(fn: (reader: CaseReader, settings: ConnectionSettings) => Promise<T>): Promise<T> {
  const settings = loadConnectionSettings();
  const { httpUrl } = settings;
  if (httpUrl) return fn(httpReader({ ...settings, httpUrl }), settings);
  const { withClient } = require('./context') as typeof import('./context');
  return withClient((client) => fn(sdkReader(client), settings));
}
