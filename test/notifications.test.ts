import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { notify, readNotificationLog } from '../activities/notifications';
import { REDACTED, redact } from '../src/redact';
import { expectApplicationFailure } from './helpers/harness';
import { freshTestStore } from './helpers/test-store';

const ENV_NAMES = [
  'CASEBOOK_HOME',
  'CASEBOOK_WEBHOOK_URL',
  'CASEBOOK_WEBHOOK_TOKEN',
  'TEMPORAL_API_KEY',
  'SOME_SERVICE_SECRET',
  'DB_PASSWORD',
  'SHORT_KEY',
] as const;
const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));

let tmp: string;
let printed: string[];

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-notify-'));
  for (const name of ENV_NAMES) delete process.env[name];
  process.env.CASEBOOK_HOME = tmp;
  freshTestStore();
  printed = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
});

afterEach(async () => {
  jest.restoreAllMocks();
  for (const name of ENV_NAMES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await fs.rm(tmp, { recursive: true, force: true });
});

function activityEnv(activityId = '12', runId = 'run-1'): MockActivityEnvironment {
  return new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'case-square', runId }, activityId },
    // Expected failures are asserted in the tests; the SDK's warnings would only be noise.
    { logger: new DefaultLogger('ERROR') },
  );
}

const reminder = {
  caseId: 'square',
  kind: 'reminder' as const,
  to: ['alice', 'bob'],
  message: 'Revision 0123456789ab of square waits for your review',
  workflowId: 'case-square',
};

function logLines(): Promise<Record<string, unknown>[]> {
  return readNotificationLog();
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function webhook(statuses: number[]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)];
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/casebook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs `fn` with a webhook answering `statuses` in turn as CASEBOOK_WEBHOOK_URL; closes it after. */
async function withWebhook(statuses: number[], fn: (hook: Awaited<ReturnType<typeof webhook>>) => Promise<void>): Promise<void> {
  const hook = await webhook(statuses);
  try {
    process.env.CASEBOOK_WEBHOOK_URL = hook.url;
    await fn(hook);
  } finally {
    await hook.close();
  }
}

const failureOf = expectApplicationFailure;

describe('notify', () => {
  test('prints one line and appends one JSON line to the log', async () => {
    const result = await activityEnv().run(notify, reminder);

    expect(result).toEqual({ delivered: ['console', 'log'] });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('reminder square -> alice, bob: Revision 0123456789ab of square waits for your review');
    const lines = await logLines();
    expect(lines).toEqual([
      expect.objectContaining({
        key: 'case-square/run-1/12',
        caseId: 'square',
        kind: 'reminder',
        to: ['alice', 'bob'],
        message: reminder.message,
        workflowId: 'case-square',
      }),
    ]);
  });

  test('a retried activity (same context) appends once; another activity appends again', async () => {
    const env = activityEnv('12');
    await env.run(notify, reminder);
    await env.run(notify, reminder);
    expect(await logLines()).toHaveLength(1);
    expect(printed).toHaveLength(1);

    await activityEnv('13').run(notify, reminder);
    // The same activity id in a new run (after continue-as-new) is a different notification.
    await activityEnv('12', 'run-2').run(notify, reminder);
    expect((await logLines()).map((line) => line.key)).toEqual([
      'case-square/run-1/12',
      'case-square/run-1/13',
      'case-square/run-2/12',
    ]);
  });

  test('many notifications at once in one worker are each logged once', async () => {
    await activityEnv('0').run(notify, reminder);
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => activityEnv(`r${round}-${i}`).run(notify, reminder)));
    }
    await Promise.all(Array.from({ length: 40 }, (_, i) => activityEnv(`r0-${i}`).run(notify, reminder)));
    expect((await logLines()).length).toBe(201);
  });

  test('outside an activity every call is logged', async () => {
    await notify(reminder);
    await notify(reminder);
    const lines = await logLines();
    expect(lines).toHaveLength(2);
    expect(lines[0].key).toBeUndefined();
  });

  test('posts to the webhook with the bearer token, and the token is in no log or console line', async () => {
    const token = 'tok-3f9a1c77e2b84d10aa5e';
    await withWebhook([204], async (hook) => {
      process.env.CASEBOOK_WEBHOOK_TOKEN = token;
      const result = await activityEnv().run(notify, { ...reminder, message: `token is ${token}; header Bearer ${token}` });

      expect(result).toEqual({ delivered: ['console', 'log', 'webhook'] });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0].headers.authorization).toBe(`Bearer ${token}`);
      expect(hook.received[0].headers['content-type']).toBe('application/json');
      const payload = JSON.parse(hook.received[0].body);
      expect(payload).toEqual(expect.objectContaining({ caseId: 'square', kind: 'reminder', to: ['alice', 'bob'], key: 'case-square/run-1/12' }));
      expect(hook.received[0].body).not.toContain(token);

      const log = JSON.stringify(await logLines());
      expect(log).not.toContain(token);
      expect(log).toContain(REDACTED);
      expect(printed.join('\n')).not.toContain(token);
      expect((await logLines()).map((line) => line.event ?? 'notification')).toEqual(['notification', 'webhook-delivered']);
    });
  });

  test('without a token no Authorization header is sent', async () => {
    await withWebhook([200], async (hook) => {
      await activityEnv().run(notify, reminder);
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0].headers.authorization).toBeUndefined();
    });
  });

  test('a 500 from the webhook throws a retryable failure; the retry delivers without logging twice', async () => {
    await withWebhook([500, 200], async (hook) => {
      process.env.CASEBOOK_WEBHOOK_TOKEN = 'secret-token-value-1234';
      const env = activityEnv();

      const err = await failureOf(env.run(notify, reminder));
      expect(err.nonRetryable).toBe(false);
      expect(err.type).toBe('WebhookUnavailable');
      expect(err.message).toContain('500');
      expect(err.message).not.toContain('secret-token-value-1234');

      await env.run(notify, reminder);
      expect(hook.received).toHaveLength(2);
      // A third attempt after success posts nothing more.
      await env.run(notify, reminder);
      expect(hook.received).toHaveLength(2);
      expect((await logLines()).map((line) => line.event ?? 'notification')).toEqual(['notification', 'webhook-delivered']);
      expect(printed).toHaveLength(1);
    });
  });

  test('a 400 from the webhook throws a non-retryable failure', async () => {
    await withWebhook([400], async () => {
      const err = await failureOf(activityEnv().run(notify, reminder));
      expect(err.nonRetryable).toBe(true);
      expect(err.type).toBe('WebhookRejected');
      expect(err.message).toContain('400');
    });
  });

  test('a 429 from the webhook is retryable', async () => {
    await withWebhook([429], async () => {
      const err = await failureOf(activityEnv().run(notify, reminder));
      expect(err.nonRetryable).toBe(false);
    });
  });

  test('an unreachable webhook throws a retryable failure', async () => {
    const hook = await webhook([200]);
    const { url } = hook;
    await hook.close();
    process.env.CASEBOOK_WEBHOOK_URL = url;
    const err = await failureOf(activityEnv().run(notify, reminder));
    expect(err.nonRetryable).toBe(false);
    expect(err.type).toBe('WebhookUnavailable');
    // Only the origin is named: webhook paths can hold secrets.
    expect(err.message).toContain(new URL(url).origin);
    expect(err.message).not.toContain('/hooks/casebook');
  });

  test.each([
    ['with credentials', 'http://user:pa55word@127.0.0.1:9/hook'],
    ['that is not http(s)', 'file:///etc/passwd'],
  ])('a webhook URL %s is refused without retry and without being echoed', async (_what, url) => {
    process.env.CASEBOOK_WEBHOOK_URL = url;
    const err = await failureOf(activityEnv().run(notify, reminder));
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe('WebhookMisconfigured');
    expect(err.message).not.toContain(url);
    expect(err.message).not.toContain('pa55word');
  });
});

describe('redact', () => {
  test('masks the values of secret environment variables', () => {
    const env = {
      CASEBOOK_WEBHOOK_TOKEN: 'webhook-token-abcdef',
      TEMPORAL_API_KEY: 'temporal-api-key-123456',
      SOME_SERVICE_SECRET: 'service-secret-xyz',
      DB_PASSWORD: 'hunter2hunter2',
      PATH: '/usr/bin:/bin',
    };
    const text = 'a webhook-token-abcdef b temporal-api-key-123456 c service-secret-xyz d hunter2hunter2 e /usr/bin:/bin';
    expect(redact(text, env)).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d ${REDACTED} e /usr/bin:/bin`);
  });

  test('reads process.env by default', () => {
    process.env.TEMPORAL_API_KEY = 'live-key-from-env-0001';
    expect(redact('key=live-key-from-env-0001')).toBe(`key=${REDACTED}`);
    delete process.env.TEMPORAL_API_KEY;
    expect(redact('key=live-key-from-env-0001')).toBe('key=live-key-from-env-0001');
  });

  test('leaves text alone when nothing secret is in it', () => {
    const env = { OTHER_VALUE: 'not-a-secret-name', SHORT_KEY: 'on' };
    expect(redact('not-a-secret-name is on', env)).toBe('not-a-secret-name is on');
  });

  test('masks a secret that contains another secret whole', () => {
    const env = { A_TOKEN: 'abcdefgh', B_TOKEN: 'abcdefgh-longer' };
    expect(redact('x abcdefgh-longer y abcdefgh', env)).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  test('masks Authorization headers and Bearer tokens even when not in the environment', () => {
    const env = {};
    expect(redact('Authorization: Bearer eyJhbGciOi.abc-def_1', env)).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redact('{"authorization":"Basic dXNlcjpwYXNz"}', env)).toBe(`{"authorization":"Basic ${REDACTED}"}`);
    expect(redact('sent bearer abc123 to host', env)).toBe(`sent Bearer ${REDACTED} to host`);
    expect(redact('authorization=rawsecret', env)).toBe(`authorization=${REDACTED}`);
  });

  test('masks credentials in URLs and secret query parameters', () => {
    const env = {};
    expect(redact('GET https://user:pw@hooks.example.com/x?token=abc&page=2', env)).toBe(
      `GET https://${REDACTED}@hooks.example.com/x?token=${REDACTED}&page=2`,
    );
    expect(redact('https://hooks.example.com/x?page=2', env)).toBe('https://hooks.example.com/x?page=2');
  });

  test('is stable: redacting twice changes nothing more', () => {
    const env = { CASEBOOK_WEBHOOK_TOKEN: 'webhook-token-abcdef' };
    const once = redact('Authorization: Bearer webhook-token-abcdef', env);
    expect(redact(once, env)).toBe(once);
  });
});
