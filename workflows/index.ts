export { caseWorkflow } from './case';
export type { CaseInput, CaseResult, CaseState } from './case';
export { campaignWorkflow } from './campaign';
export type { CampaignInput, CampaignState } from './campaign';
export { benchFloorWorkflow } from './bench-floor';
