import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from './names';

/**
 * Custom search attributes: declared once, registered by `npm start`, compose and the tests.
 * Workflows import this file, so it holds only the keys; registration, which needs the protobuf
 * definitions, lives in `src/connection.ts`.
 */
export const CaseIdKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.caseId, SearchAttributeType.KEYWORD);
export const CaseIndustryKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.industry, SearchAttributeType.KEYWORD);
export const CasePhaseKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.phase, SearchAttributeType.KEYWORD);
export const CaseProgressKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.progress, SearchAttributeType.INT);
export const CaseRevisionKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.revision, SearchAttributeType.KEYWORD);
export const CaseReviewersKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.reviewers, SearchAttributeType.KEYWORD_LIST);
export const CampaignKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.campaign, SearchAttributeType.KEYWORD);

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
