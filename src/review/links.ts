/**
 * Where the review page is, for the CLI, the workflow details in the Web UI and the banner. Light:
 * the CLI imports it without loading the web app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { casebookHome, reviewListen, reviewUrlSetting } from '../config';

/** What a running review server writes, so the CLI finds it. */
export function reviewServerInfoFile(): string {
  return path.join(casebookHome(), 'review-server.json');
}

/**
 * Base URL of the review page: `CASEBOOK_REVIEW_URL` (the address people use, e.g. behind a proxy),
 * else the one a running review server wrote, else localhost on `CASEBOOK_REVIEW_PORT` (8234).
 */
export function reviewBaseUrl(): string {
  const configured = reviewUrlSetting();
  if (configured) return configured;
  try {
    const info = JSON.parse(readFileSync(reviewServerInfoFile(), 'utf8')) as { url?: string };
    if (info.url) return info.url;
  } catch {
    // No review server wrote its address here; use the default.
  }
  return `http://localhost:${reviewListen().port}`;
}

/** The review page of one case. */
export function reviewUrl(caseId: string, base = reviewBaseUrl()): string {
  return `${base}/cases/${encodeURIComponent(caseId)}`;
}
