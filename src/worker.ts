import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadConnectionSettings, connectWorker } from './connection';
import { metricsAddress, taskQueue, workerLimits } from './config';
import { currentStore } from './store';
import { SHARED_WORKFLOW_MODULES } from './workflow-modules';

/** Options of {@link createWorker}; tests pass their own task queue, bundle and activities. */
export interface CasebookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  activities?: object;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long running activities may finish on shutdown (default 20 s), and when the worker gives up. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  shutdownForceTime?: WorkerOptions['shutdownForceTime'];
}

/** Creates the casebook worker: the case and campaign workflows and every activity. */
export async function createWorker(options: CasebookWorkerOptions): Promise<Worker> {
  // Loaded lazily: activities pull in heavy modules (TypeScript for QA) that tests may not need.
  let activities = options.activities;
  if (!activities) {
    activities = (await import('../activities')).activities;
    // Build the TypeScript program over the Temporal types now, not during the first QA run.
    (await import('./qa')).warmTypeChecker();
  }
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? taskQueue(),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows'), bundlerOptions: { preloadModules: SHARED_WORKFLOW_MODULES } }),
    activities,
    // Let running activities finish when the worker is asked to stop (Ctrl-C, SIGTERM).
    shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
    ...(options.shutdownForceTime ? { shutdownForceTime: options.shutdownForceTime } : {}),
    ...workerLimits(),
  });
}

/**
 * Installs the SDK runtime, with the Prometheus endpoint when CASEBOOK_METRICS_ADDRESS (e.g.
 * 0.0.0.0:9464) is set. `shutdownSignals: []` leaves signal handling to the caller (`npm start`).
 */
export function installRuntime(options: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  const bindAddress = metricsAddress();
  if (!bindAddress && !options.shutdownSignals) return;
  Runtime.install({
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
  });
}

async function main(): Promise<void> {
  installRuntime();
  const settings = loadConnectionSettings();
  const store = currentStore();
  await store.ready().catch((err: unknown) => {
    throw new Error(`cannot use the store (${store.description}): ${err instanceof Error ? err.message : String(err)}; check CASEBOOK_STORE_URL`);
  });
  const connection = await connectWorker(settings);
  try {
    const worker = await createWorker({ connection, namespace: settings.namespace });
    console.log(`casebook worker polling "${taskQueue()}" on ${settings.address} (namespace ${settings.namespace}); store: ${store.description}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`casebook worker stopped: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
