/**
 * Security basics, end to end: a worker process with a webhook token and a Temporal API key in its
 * environment runs a case through publish with the real `notify` activity against a local webhook
 * that first fails with the token echoed in its status line. Neither secret may reach workflow
 * history, the notification log or the worker's output.
 *
 * Covered elsewhere, not repeated here: publish paths are confined to the library folder (case ids
 * and industries with `..`, `/`, `\`, symbolic links: test/publishing.test.ts); source fetching
 * honours the `CASEBOOK_SOURCE_HOSTS` allow-list and refuses loopback, private and non-http(s)
 * targets (test/sources.test.ts, test/bad-input.test.ts); snapshots are stored under their sha256,
 * so no input names a snapshot path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { approveUpdate, progressQuery } from '../src/messages';
import { currentStore } from '../src/store';
import { LocalStore } from '../src/store/local';
import type { caseWorkflow } from '../workflows/case';
import { bundle, unique } from './helpers/env';
import { testInput } from './helpers/fakes';
import { type DevServer, type WorkerProcess, freePort, killAll, startDevServer, startWorkerProcess, stopProcess, waitFor } from './helpers/processes';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'casebook-security-'));
const WEBHOOK_TOKEN = 'whk-7d1e0c5a93f24b6e8c01';
const API_KEY = 'tak-51c2b8e0d7a94f3b9e66';

interface Hook {
  url: string;
  authorizations: string[];
  bodies: string[];
  close: () => Promise<void>;
}

/** A webhook that answers the first request 503 with the bearer token in its status line, then 204. */
async function webhook(): Promise<Hook> {
  const authorizations: string[] = [];
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      authorizations.push(req.headers.authorization ?? '');
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      if (authorizations.length === 1) res.writeHead(503, `Unavailable for ${req.headers.authorization ?? ''}`);
      else res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    authorizations,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let server: DevServer;
let connection: Connection;
let client: Client;
let hook: Hook;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const [{ code }, started, h] = await Promise.all([bundle(), startDevServer(path.join(tmp, 't.db'), port, uiPort), webhook()]);
  writeFileSync(path.join(tmp, 'workflow-bundle.js'), code);
  server = started;
  hook = h;
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: 'default' });
});

afterAll(async () => {
  await connection?.close();
  await killAll();
  await hook?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A history with payloads decoded to text, so a secret inside a payload would show. */
function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
}

test('the webhook token and the API key reach neither workflow history, nor the notification log, nor worker output', async () => {
  const home = path.join(tmp, 'home');
  const taskQueue = unique('security');
  worker = await startWorkerProcess({
    FAULT_ADDRESS: server.address,
    FAULT_TASK_QUEUE: taskQueue,
    FAULT_BUNDLE: path.join(tmp, 'workflow-bundle.js'),
    FAULT_DIR: path.join(tmp, 'markers'),
    FAULT_REAL_NOTIFY: '1',
    CASEBOOK_HOME: home,
    CASEBOOK_LIBRARY_DIR: path.join(tmp, 'library'),
    CASEBOOK_WEBHOOK_URL: hook.url,
    CASEBOOK_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    // The worker connects to the local dev server without it; it is here only as a secret to leak.
    TEMPORAL_API_KEY: API_KEY,
  });
  try {
    const caseId = unique('secure');
    const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      taskQueue,
      workflowId: `case-${caseId}`,
      args: [testInput(caseId)],
    });
    await waitFor('review', async () => (await handle.query(progressQuery)).phase === 'review', 60_000);
    for (const reviewer of ['alice', 'bob']) await handle.executeUpdate(approveUpdate, { args: [{ reviewer }] });
    const result = await handle.result();
    expect(result.phase).toBe('published');

    // The secrets were really in use: the webhook got the token, and its first answer echoed it.
    expect(hook.authorizations.length).toBeGreaterThanOrEqual(3);
    expect(hook.authorizations.every((a) => a === `Bearer ${WEBHOOK_TOKEN}`)).toBe(true);
    expect(hook.bodies.join('\n')).not.toContain(WEBHOOK_TOKEN);

    const history = historyText(await handle.fetchHistory());
    // The failed first delivery is in history (as the retried attempt's last failure), redacted.
    expect(history).toContain('WebhookUnavailable');
    expect(history).toContain('answered 503 Unavailable for Bearer [REDACTED]');
    expect(history).not.toContain(WEBHOOK_TOKEN);
    expect(history).not.toContain(API_KEY);

    // The worker's store: the test's PostgreSQL schema (inherited), or its CASEBOOK_HOME.
    const store = process.env.CASEBOOK_STORE_URL ? currentStore() : new LocalStore(home);
    const log = (await store.readLog()).join('\n');
    expect(log).toContain('"kind":"published"');
    expect(log).not.toContain(WEBHOOK_TOKEN);
    expect(log).not.toContain(API_KEY);

    const output = worker.output.join('');
    expect(output).toContain('review-requested');
    expect(output).not.toContain(WEBHOOK_TOKEN);
    expect(output).not.toContain(API_KEY);
  } finally {
    await stopProcess(worker.process, 'SIGKILL');
  }
});
