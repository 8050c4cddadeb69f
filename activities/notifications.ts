/**
 * Notifications to reviewers and the lead: a console line, a JSON line in
 * `<home>/notifications.log`, and an optional webhook (`CASEBOOK_WEBHOOK_URL`).
 *
 * Everything written or sent goes through `redact`, so tokens and API keys never reach the log, the
 * console or an error message (and from there workflow history).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { casebookHome, webhook } from '../src/config';
import type { NotificationKind } from '../src/domain/activities';
import { redact, redactedMessage } from '../src/redact';
import { NonRetryable, Retryable } from '../src/domain/failures';

export type { NotificationKind } from '../src/domain/activities';

/** How long the webhook may take before the attempt fails (and Temporal retries). */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** One notification line in `notifications.log`. */
export interface NotificationRecord {
  at: string;
  /** `<workflowId>/<runId>/<activityId>`: the same for every attempt of one activity. */
  key?: string;
  caseId: string;
  kind: NotificationKind;
  to: string[];
  message: string;
  workflowId?: string;
}

/** Written after the webhook accepted a notification, so a retry does not post it twice. */
interface WebhookRecord {
  at: string;
  key: string;
  event: 'webhook-delivered';
  status: number;
}

/** Path of the notification log. */
export function notificationLogFile(): string {
  return path.join(casebookHome(), 'notifications.log');
}

/** Key shared by all attempts of the current activity; undefined outside an activity. */
function idempotencyKey(): string | undefined {
  let info;
  try {
    info = Context.current().info;
  } catch {
    // Called directly (not as an activity): nothing to deduplicate against.
    return undefined;
  }
  const run = info.workflowExecution;
  return run ? `${run.workflowId}/${run.runId}/${info.activityId}` : `activity/${info.activityId}`;
}

/**
 * Keys already in the log, read incrementally: the log is append-only, so each call reads only what
 * was appended since the last one (by this process or another worker).
 */
interface LogIndex {
  offset: number;
  ino: number;
  notified: Set<string>;
  webhooked: Set<string>;
}
const indexes = new Map<string, LogIndex>();
const reading = new Map<string, Promise<LogIndex>>();

/**
 * Reads are serialised per file: two notifications at once would otherwise both read from the same
 * offset and move it twice.
 */
function logIndex(file: string): Promise<LogIndex> {
  const previous = reading.get(file) ?? Promise.resolve(undefined);
  const next = previous.then(
    () => readLogIndex(file),
    () => readLogIndex(file),
  );
  reading.set(file, next);
  return next;
}

async function readLogIndex(file: string): Promise<LogIndex> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    indexes.delete(file);
    return { offset: 0, ino: 0, notified: new Set(), webhooked: new Set() };
  }
  let index = indexes.get(file);
  if (!index || index.ino !== stat.ino || stat.size < index.offset) {
    index = { offset: 0, ino: stat.ino, notified: new Set(), webhooked: new Set() };
    indexes.set(file, index);
  }
  if (stat.size > index.offset) {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - index.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, index.offset);
      const chunk = buffer.subarray(0, bytesRead);
      // Stop at the last complete line; a line being appended right now is read next time.
      const end = chunk.lastIndexOf(0x0a) + 1;
      for (const line of chunk.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        let record: Partial<NotificationRecord & WebhookRecord>;
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof record.key !== 'string') continue;
        if (record.event === 'webhook-delivered') index.webhooked.add(record.key);
        else index.notified.add(record.key);
      }
      index.offset += end;
    } finally {
      await handle.close();
    }
  }
  return index;
}

async function appendLine(file: string, value: object): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // One write per line, opened for append: concurrent writers do not interleave within a line.
  await fs.appendFile(file, `${redact(JSON.stringify(value))}\n`);
}

function webhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw ApplicationFailure.nonRetryable(
      `CASEBOOK_WEBHOOK_URL is not a valid URL (${redact(raw)}); set it to an http(s) URL or unset it`,
      NonRetryable.WebhookMisconfigured,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw ApplicationFailure.nonRetryable(
      `CASEBOOK_WEBHOOK_URL must be http(s), not ${url.protocol}; fix the variable or unset it`,
      NonRetryable.WebhookMisconfigured,
    );
  }
  if (url.username || url.password) {
    throw ApplicationFailure.nonRetryable(
      'CASEBOOK_WEBHOOK_URL must not contain credentials; put the token in CASEBOOK_WEBHOOK_TOKEN instead',
      NonRetryable.WebhookMisconfigured,
    );
  }
  return url;
}

function abortSignal(): AbortSignal {
  const timeout = AbortSignal.timeout(WEBHOOK_TIMEOUT_MS);
  try {
    return AbortSignal.any([timeout, Context.current().cancellationSignal]);
  } catch {
    return timeout;
  }
}

async function postWebhook(raw: string, payload: object): Promise<number> {
  const url = webhookUrl(raw);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const { token } = webhook();
  if (token) headers.authorization = `Bearer ${token}`;
  // Only the origin: webhook paths often embed a secret (as Slack's do).
  const target = url.origin;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      // A redirect could carry the token elsewhere; a webhook endpoint has no reason to redirect.
      redirect: 'manual',
      signal: abortSignal(),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${redactedMessage(err.cause)})` : '';
    throw ApplicationFailure.retryable(
      `webhook ${target} unreachable: ${redactedMessage(err)}${cause}`,
      Retryable.WebhookUnavailable,
    );
  }
  // The body is not needed; reading it releases the connection.
  await response.arrayBuffer().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return status;
  const summary = `webhook ${target} answered ${status} ${redact(response.statusText)}`;
  // 408 and 429 are the client errors that go away by waiting.
  if (status >= 500 || status === 408 || status === 429) {
    throw ApplicationFailure.retryable(`${summary}; will retry`, Retryable.WebhookUnavailable);
  }
  throw ApplicationFailure.nonRetryable(
    `${summary}; check CASEBOOK_WEBHOOK_URL and CASEBOOK_WEBHOOK_TOKEN`,
    NonRetryable.WebhookRejected,
  );
}

/**
 * Notifies people about a case: prints one line, appends a JSON line to `<home>/notifications.log`
 * and, when `CASEBOOK_WEBHOOK_URL` is set, POSTs the record as JSON (with
 * `Authorization: Bearer $CASEBOOK_WEBHOOK_TOKEN` when that is set; 5 s timeout).
 *
 * Idempotent per activity: a retried attempt does not print or log again, and does not post again
 * once the webhook has accepted the notification. Webhook 5xx, 408, 429 and network errors throw a
 * retryable `WebhookUnavailable`; other 4xx and a bad URL throw a non-retryable `WebhookRejected` /
 * `WebhookMisconfigured`. Secrets are redacted from everything written.
 *
 * @returns the channels that carry the notification: `console`, `log` and, when configured, `webhook`.
 */
export async function notify(input: {
  caseId: string;
  kind: NotificationKind;
  to: string[];
  message: string;
  workflowId?: string;
}): Promise<{ delivered: string[] }> {
  const key = idempotencyKey();
  const record: NotificationRecord = {
    at: new Date().toISOString(),
    ...(key ? { key } : {}),
    caseId: redact(input.caseId),
    kind: input.kind,
    to: input.to.map((name) => redact(name)),
    message: redact(input.message),
    ...(input.workflowId ? { workflowId: redact(input.workflowId) } : {}),
  };
  const file = notificationLogFile();
  const index = await logIndex(file);

  if (!key || !index.notified.has(key)) {
    const recipients = record.to.length ? record.to.join(', ') : '(nobody)';
    console.log(redact(`[casebook] ${record.kind} ${record.caseId} -> ${recipients}: ${record.message}`));
    await appendLine(file, record);
    if (key) index.notified.add(key);
  }
  const delivered = ['console', 'log'];

  const { url } = webhook();
  if (url) {
    if (!key || !index.webhooked.has(key)) {
      const status = await postWebhook(url, record);
      if (key) {
        const done: WebhookRecord = { at: new Date().toISOString(), key, event: 'webhook-delivered', status };
        await appendLine(file, done);
        index.webhooked.add(key);
      }
    }
    delivered.push('webhook');
  }
  return { delivered };
}
