import type { Connection } from '@temporalio/client';

/** Anything with an operator service: a client connection or a test environment's. */
type WithOperatorService = Pick<Connection, 'operatorService'>;
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Custom search attributes: declared once, registered by `npm start`, compose and the tests. */
export const CaseIdKey = defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD);
export const CaseIndustryKey = defineSearchAttributeKey('CaseIndustry', SearchAttributeType.KEYWORD);
export const CasePhaseKey = defineSearchAttributeKey('CasePhase', SearchAttributeType.KEYWORD);
export const CaseProgressKey = defineSearchAttributeKey('CaseProgress', SearchAttributeType.INT);
export const CaseRevisionKey = defineSearchAttributeKey('CaseRevision', SearchAttributeType.KEYWORD);
export const CaseReviewersKey = defineSearchAttributeKey('CaseReviewers', SearchAttributeType.KEYWORD_LIST);
export const CampaignKey = defineSearchAttributeKey('Campaign', SearchAttributeType.KEYWORD);

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

const INDEXED_VALUE_TYPE = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/**
 * Registers casebook's search attributes on a server that lacks them (an existing server, the
 * time-skipping test server). Attributes already there are left alone.
 */
export async function registerSearchAttributes(connection: WithOperatorService, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService
    .listSearchAttributes({ namespace })
    .then((r) => new Set(Object.keys(r.customAttributes ?? {})))
    .catch(() => new Set<string>());
  const missing = CASEBOOK_SEARCH_ATTRIBUTES.filter((sa) => !existing.has(sa.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, INDEXED_VALUE_TYPE[sa.type]])),
  });
  return missing.map((sa) => sa.name);
}
