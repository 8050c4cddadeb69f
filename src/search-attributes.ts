import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: declared once, registered by `npm start`, compose and the tests.
 * Workflows import this file, so it holds only the keys; registration, which needs the protobuf
 * definitions, lives in `src/connection.ts`.
 */
export const CaseIdKey = defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD);
export const CaseIndustryKey = defineSearchAttributeKey('CaseIndustry', SearchAttributeType.KEYWORD);
export const CasePhaseKey = defineSearchAttributeKey('CasePhase', SearchAttributeType.KEYWORD);
export const CaseProgressKey = defineSearchAttributeKey('CaseProgress', SearchAttributeType.INT);
export const CaseRevisionKey = defineSearchAttributeKey('CaseRevision', SearchAttributeType.KEYWORD);
export const CaseReviewersKey = defineSearchAttributeKey('CaseReviewers', SearchAttributeType.KEYWORD_LIST);
export const CampaignKey = defineSearchAttributeKey('Campaign', SearchAttributeType.KEYWORD);

/**
 * The search attributes a case starts with, for the start options: what is known before it runs,
 * so that its first workflow task has nothing to write (the workflow seeds what it has written
 * from these).
 */
export function caseStartSearchAttributes(c: { caseId: string; industry: string; campaign?: string }): SearchAttributePair[] {
  return [
    { key: CaseIdKey, value: c.caseId },
    { key: CaseIndustryKey, value: c.industry },
    { key: CasePhaseKey, value: 'research' },
    { key: CaseProgressKey, value: 0 },
    ...(c.campaign ? [{ key: CampaignKey, value: c.campaign }] : []),
  ];
}

const ALL_KEYS = [
  CaseIdKey,
  CaseIndustryKey,
  CasePhaseKey,
  CaseProgressKey,
  CaseRevisionKey,
  CaseReviewersKey,
  CampaignKey,
];

const CLI_TYPE_NAMES: Record<string, 'Keyword' | 'Int' | 'KeywordList'> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** The same list in the spelling of `temporal ... --search-attribute Name=Type`. */
export const CASEBOOK_SEARCH_ATTRIBUTES: { name: string; type: 'Keyword' | 'Int' | 'KeywordList' }[] =
  ALL_KEYS.map((key) => ({ name: key.name, type: CLI_TYPE_NAMES[key.type] }));

/** The typed keys, for `TestWorkflowEnvironment.createLocal({ server: { searchAttributes } })`. */
export const CASEBOOK_SEARCH_ATTRIBUTE_KEYS = ALL_KEYS;
