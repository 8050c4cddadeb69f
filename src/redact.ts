/**
 * Masks secrets before text reaches a log, the console, an error message or workflow history.
 */

/** What a masked secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets named explicitly, whatever their name's ending. */
const NAMED_SECRETS = ['CASEBOOK_WEBHOOK_TOKEN', 'TEMPORAL_API_KEY'];

const SECRET_NAME = /_(TOKEN|KEY|SECRET|PASSWORD)$/i;

/**
 * Values shorter than this are not treated as secrets: masking every `1` or `on` in a text would
 * ruin it while protecting nothing (real tokens and keys are far longer).
 */
const MIN_SECRET_LENGTH = 6;

/** Values of environment variables that hold secrets, longest first. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!NAMED_SECRETS.includes(name) && !SECRET_NAME.test(name)) continue;
    const trimmed = value.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) values.add(trimmed);
  }
  // Longest first, so a secret that contains another one is masked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const AUTHORIZATION = /\b(authorization["']?\s*[:=]\s*["']?)((?:Bearer|Basic|Token)\s+)?([^\s"',;}]+)/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const SECRET_QUERY = /([?&](?:token|access_token|api[_-]?key|key|secret|password)=)[^&#\s"']+/gi;

/**
 * Returns `text` with secrets masked: the values of `CASEBOOK_WEBHOOK_TOKEN`, `TEMPORAL_API_KEY` and
 * of every environment variable whose name ends in `_TOKEN`, `_KEY`, `_SECRET` or `_PASSWORD`;
 * `Authorization` header values and `Bearer` tokens; credentials in URLs (`https://user:pw@host`)
 * and secret-looking query parameters (`?token=...`).
 */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const secret of secretValues(env)) {
    out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(AUTHORIZATION, (match: string, prefix: string, scheme: string | undefined, value: string) =>
      value === REDACTED ? match : `${prefix}${scheme ?? ''}${REDACTED}`,
    )
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_QUERY, `$1${REDACTED}`);
}

/** The message of any thrown value, redacted: for error messages built from lower-level errors. */
export function redactedMessage(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}
