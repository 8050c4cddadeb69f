/**
 * QA gates for what a case says (beside its form): similarity to the other cases, leaks of
 * machinery into reader-facing text, domain coherence of its code, challenges answered, Temporal
 * limits, citations. They run on every case document, composed or written; errors block publishing.
 */
import type { Finding } from '../../domain/types';
import type { ParsedDoc } from '../markdown';
import { checkChallenges } from './challenges';
import { checkCitationGate } from './citations';
import { type GateContext, loadGateContext } from './context';
import { checkDomain } from './domain';
import { checkLeaks } from './leaks';
import { checkLimits } from './limits';
import { checkSimilarity } from './similarity';

export { type GateContext, loadGateContext } from './context';

/** What `runQa` may be given for the gates; without it the context comes from the configured plan and library. */
export interface GateOptions {
  gates?: GateContext;
}

/** Runs every gate on a case document. */
export async function caseGates(doc: ParsedDoc, options: GateOptions = {}): Promise<Finding[]> {
  const caseId = doc.frontmatter?.case;
  const ctx = options.gates ?? (typeof caseId === 'string' ? await loadGateContext(caseId) : { library: [] });
  return [
    ...checkSimilarity(doc, ctx),
    ...checkLeaks(doc),
    ...checkDomain(doc, ctx),
    ...checkChallenges(doc),
    ...checkLimits(doc),
    ...checkCitationGate(doc, ctx),
  ];
}
