/**
 * The part of markdownlint 0.37's promise API that QA uses. The package publishes its types for
 * `exports` subpaths only, which the project's `moduleResolution: node` cannot see.
 */
declare module 'markdownlint/promise' {
  export type Configuration = Record<string, unknown>;
  export interface LintError {
    lineNumber: number;
    ruleNames: string[];
    ruleDescription: string;
    ruleInformation: string | null;
    errorDetail: string | null;
    errorContext: string | null;
    fixInfo: unknown;
  }
  export function lint(options: { strings: Record<string, string>; config?: Configuration }): Promise<Record<string, LintError[]>>;
}
