/**
 * Errors the CLI shows to people. Deep code throws these; `main.ts` prints them and exits, the only
 * place that does.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** What the user can do next. */
    readonly hint: string,
    readonly exitCode: 1 | 2 = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string, hint: string) {
    super(message, hint, 2);
    this.name = 'UsageError';
  }
}
