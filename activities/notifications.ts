/**
 * Notifications to reviewers and the lead: a console line, a JSON line in the store's notification
 * log (`<home>/notifications.log`, or a table when the store is PostgreSQL), and an optional webhook
 * (`CASEBOOK_WEBHOOK_URL`).
 *
 * Everything written or sent goes through `redact`, so tokens and API keys never reach the log, the
 * console or an error message (and from there workflow history).
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { casebookHome, webhook } from '../src/config';
import type { NotificationKind } from '../src/domain/activities';
import { redact, redactedMessage } from '../src/redact';
import { NonRetryable, Retryable } from '../src/domain/failures';
import { currentStore } from '../src/store';

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

/** Path of the notification log of the local-directory store. */
export function notificationLogFile(): string {
  return path.join(casebookHome(), 'notifications.log');
}

/** Every record of the notification log (whichever store holds it), oldest first. */
export async function readNotificationLog(): Promise<Record<string, unknown>[]> {
  return (await currentStore().readLog()).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function webhookDelivered(key: string): Promise<boolean> {
  return currentStore().hasLog(key, 'webhook-delivered');
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

/** Appends a record to the store's notification log unless this key and event are there already. */
function appendRecord(value: { key?: string; event?: string }): Promise<boolean> {
  return currentStore().appendLog(redact(JSON.stringify(value)), value.key, value.event ?? 'notified');
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
 * Notifies people about a case: prints one line, appends a JSON line to the notification log
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
  // Printed once the record is stored, and only by the attempt that stored it.
  if (await appendRecord(record)) {
    const recipients = record.to.length ? record.to.join(', ') : '(nobody)';
    console.log(redact(`[casebook] ${record.kind} ${record.caseId} -> ${recipients}: ${record.message}`));
  }
  const delivered = ['console', 'log'];

  const { url } = webhook();
  if (url) {
    if (!key || !(await webhookDelivered(key))) {
      const status = await postWebhook(url, record);
      if (key) {
        const done: WebhookRecord = { at: new Date().toISOString(), key, event: 'webhook-delivered', status };
        await appendRecord(done);
      }
    }
    delivered.push('webhook');
  }
  return { delivered };
}
