import path from 'node:path';
import {
  type Client,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { isGrpcServiceError } from '@temporalio/client';
import { projectRoot } from '../config';
import { connectClient, loadConnectionSettings, type ConnectionSettings } from '../connection';
import { caseWorkflowId } from '../names';
import { CliError } from './errors';
import { checkCaseId } from './output';

export { checkCaseId, output, webUiLink } from './output';

/** Connects, runs `fn`, closes the connection in every case. */
export async function withClient<T>(fn: (client: Client, settings: ConnectionSettings) => Promise<T>): Promise<T> {
  const settings = loadConnectionSettings();
  let client: Client;
  try {
    client = await connectClient(settings);
  } catch (err) {
    throw new CliError(
      `Cannot reach the Temporal server at ${settings.address} (namespace ${settings.namespace}).`,
      'Start it with `npm start` (in another terminal), or point casebook at your server with TEMPORAL_ADDRESS / a Temporal profile.',
      1,
      { cause: err },
    );
  }
  try {
    return await fn(client, settings);
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === 14 /* UNAVAILABLE */) {
      throw new CliError(`Lost the Temporal server at ${settings.address}.`, 'Check that `npm start` is still running.', 1, { cause: err });
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

/** The handle of a case's workflow, after checking that it exists. */
export async function existingCase(client: Client, caseId: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(caseWorkflowId(checkCaseId(caseId)));
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new CliError(
        `No case "${caseId}" was found on the server (workflow id ${handle.workflowId}).`,
        `Start it with \`casebook start ${caseId}\`, or list the cases with \`casebook status\`.`,
      );
    }
    throw err;
  }
  return handle;
}

/** Turns a rejected update into the validator's message, for people. */
export function explainUpdateError(err: unknown, what: string): never {
  if (err instanceof WorkflowUpdateFailedError) {
    const reason = err.cause instanceof Error ? err.cause.message : err.message;
    throw new CliError(`${what} was rejected: ${reason}`, 'Nothing was changed; see `casebook show <caseId>` for the case as it stands.');
  }
  throw err;
}

/** Plan files are passed to the worker relative to the project root when they live inside it. */
export function workerPath(file: string): string {
  const relative = path.relative(projectRoot, path.resolve(file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
}
