import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { requireBinary } from '../../src/binaries';
import { registerSearchAttributes } from '../../src/connection';
import { SHARED_WORKFLOW_MODULES } from '../../src/workflow-modules';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS } from '../../src/search-attributes';

/**
 * A real dev server (the provisioned `temporal` binary) with casebook's search attributes;
 * `extraArgs` go to `temporal server start-dev` (e.g. dynamic config values).
 */
export function localEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      searchAttributes: CASEBOOK_SEARCH_ATTRIBUTE_KEYS,
      extraArgs,
    },
  });
}

/** The real time-skipping test server (the provisioned `temporal-test-server` binary). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('test-server') } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** The workflow bundle, built once per test file. */
export function bundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), preloadModules: SHARED_WORKFLOW_MODULES, logger: quietLogger });
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/** A unique suffix so each test has its own task queue and workflow ids. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A worker with the real activities (as `npm start` runs it), polling `taskQueue` on the
 * environment's server. Call `stop()` in afterAll.
 */
export async function startRealWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  workflowBundle: WorkflowBundleWithSourceMap,
): Promise<{ stop: () => Promise<void> }> {
  const { createWorker } = await import('../../src/worker');
  const worker = await createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle });
  const running = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
