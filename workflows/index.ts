export { caseWorkflow } from './case';
export type { CaseInput, CaseResult, CaseState } from '../src/domain/case';
export { campaignWorkflow } from './campaign';
export type { CampaignInput, CampaignState } from './campaign';
