/**
 * The `ApplicationFailure` types activities throw, declared once. Workflows list the non-retryable
 * ones in `nonRetryableErrorTypes`, the activities throw them, and tests match on them.
 *
 * Pure: workflows import this file.
 */

/**
 * Business-rule failures: retrying the same input cannot succeed, so they fail the activity at
 * once. Activities also throw them with `nonRetryable: true`; listing them in the retry policy as
 * well keeps a failure non-retryable even when one is thrown without the flag.
 */
export const NonRetryable = {
  /** An artifact reference that is not (or no longer) in the store; the producing phase must run again. */
  ArtifactMissing: 'ArtifactMissing',
  /** An artifact that belongs to another case. */
  CaseMismatch: 'CaseMismatch',
  /** An uploaded or composed draft that cannot be used (wrong section, empty, not Markdown). */
  InvalidDraft: 'InvalidDraft',
  /** The plan file does not load. */
  InvalidPlan: 'InvalidPlan',
  /** The analysis template does not load. */
  InvalidTemplate: 'InvalidTemplate',
  /** The stored draft is not the revision that was approved. */
  RevisionMismatch: 'RevisionMismatch',
  /** A path that would leave the library, or a symbolic link in it. */
  UnsafePath: 'UnsafePath',
  /** The version a rollback should restore is gone from the artifact store. */
  PreviousVersionMissing: 'PreviousVersionMissing',
  /** CASEBOOK_WEBHOOK_URL is not a usable URL. */
  WebhookMisconfigured: 'WebhookMisconfigured',
  /** The webhook refused the notification (a 4xx other than 408 and 429). */
  WebhookRejected: 'WebhookRejected',
} as const;

/** Transient failures: they are retried with the activity's retry policy. */
export const Retryable = {
  /** The webhook did not answer, or answered 5xx, 408 or 429. */
  WebhookUnavailable: 'WebhookUnavailable',
} as const;

export type NonRetryableType = (typeof NonRetryable)[keyof typeof NonRetryable];

/** Every non-retryable type, for an activity's `nonRetryableErrorTypes`. */
export const NON_RETRYABLE_TYPES: NonRetryableType[] = Object.values(NonRetryable);
