/**
 * Who is deciding on the review page. Three modes:
 * - `local`: bound to a loopback address with no credentials configured; a person picks their
 *   reviewer name (this is a single-user machine, so the choice is trusted).
 * - `tokens`: per-reviewer secret tokens from configuration (`CASEBOOK_REVIEW_TOKENS` or
 *   `CASEBOOK_REVIEW_TOKENS_FILE`), sent as `Authorization: Bearer <token>` or entered once on the
 *   sign-in form (then a signed, HttpOnly session cookie).
 * - `header`: a trusted header set by an SSO proxy in front of the page (`CASEBOOK_REVIEW_TRUSTED_HEADER`,
 *   e.g. `X-Forwarded-User` from oauth2-proxy); the proxy must be the only way in.
 * Anything bound to a non-loopback address must use `tokens` or `header`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setting } from '../config';

export type AuthConfig =
  | { mode: 'local' }
  | { mode: 'tokens'; tokens: Map<string, string> }
  | { mode: 'header'; header: string; tokens?: Map<string, string> };

/** A configuration problem; the message says what is wrong and how to fix it. */
export class ReviewConfigError extends Error {
  override name = 'ReviewConfigError';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Parses `alice=token1,bob=token2` (or a JSON object `{"alice": "token1"}`). */
export function parseTokens(raw: string, where: string): Map<string, string> {
  const tokens = new Map<string, string>();
  const trimmed = raw.trim();
  let pairs: [string, unknown][];
  if (trimmed.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(trimmed) as Record<string, unknown>);
    } catch (err) {
      throw new ReviewConfigError(`${where} is not valid JSON (${(err as Error).message}). Write {"alice": "<token>", ...}.`);
    }
  } else {
    pairs = trimmed
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const at = p.indexOf('=');
        if (at < 1) throw new ReviewConfigError(`${where}: "${p.slice(0, 20)}…" is not reviewer=token. Write alice=<token>,bob=<token>.`);
        return [p.slice(0, at).trim(), p.slice(at + 1).trim()];
      });
  }
  for (const [name, token] of pairs) {
    if (typeof token !== 'string' || token.length < 16) {
      throw new ReviewConfigError(`${where}: the token of "${name}" must be a string of at least 16 characters (e.g. \`openssl rand -hex 24\`).`);
    }
    tokens.set(token, name);
  }
  if (!tokens.size) throw new ReviewConfigError(`${where} names no reviewer. Write alice=<token>,bob=<token>.`);
  return tokens;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The auth configuration from the environment, checked against the address the server binds. */
export function authFromEnv(host: string, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  let tokens: Map<string, string> | undefined;
  const inline = setting('CASEBOOK_REVIEW_TOKENS', env);
  if (inline) tokens = parseTokens(inline, 'CASEBOOK_REVIEW_TOKENS');
  const file = setting('CASEBOOK_REVIEW_TOKENS_FILE', env);
  if (file) {
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      throw new ReviewConfigError(`Cannot read CASEBOOK_REVIEW_TOKENS_FILE=${file}. Check the path.`);
    }
    tokens = parseTokens(raw, file);
  }
  const header = setting('CASEBOOK_REVIEW_TRUSTED_HEADER', env);
  if (header) return { mode: 'header', header: header.toLowerCase(), tokens };
  if (tokens) return { mode: 'tokens', tokens };
  if (!isLoopback(host)) {
    throw new ReviewConfigError(
      `The review page would listen on ${host} without authentication. ` +
        'Set CASEBOOK_REVIEW_TOKENS (alice=<token>,bob=<token>) or CASEBOOK_REVIEW_TRUSTED_HEADER (behind an SSO proxy), or bind to 127.0.0.1.',
    );
  }
  return { mode: 'local' };
}

/** The reviewer a token belongs to (constant-time comparison). */
export function reviewerForToken(tokens: Map<string, string>, token: string | undefined): string | undefined {
  if (!token) return undefined;
  const given = digest(token);
  let found: string | undefined;
  for (const [known, name] of tokens) {
    if (timingSafeEqual(digest(known), given)) found = name;
  }
  return found;
}
