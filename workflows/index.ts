export { caseWorkflow } from './case';
export type { CaseInput, CaseResult, CaseState } from './case';
