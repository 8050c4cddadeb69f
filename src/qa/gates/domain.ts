/**
 * Domain coherence: the identifiers of a case's code come from the case's own vocabulary. A word
 * that belongs to some business domain (payments, games, vehicles, factories, build pipelines) may
 * appear in an identifier only when the case's brief uses it, or the shared appendix does.
 *
 * The vocabulary of a case is every English word of its brief (title, context, features,
 * requirements, pain points, targets, source titles), stemmed. The case's own domains are the
 * lexicon domains of which its brief uses at least {@link OWN_DOMAIN_WORDS} words; every word of an
 * own domain is fine (a payments case may say `reserveFunds` even if its brief says only "charge").
 * Words outside every domain lexicon (`input`, `retry`, `status`) and the names a block imports from
 * `@temporalio/*` (`patched`) are always fine.
 */
import type { CaseBrief, Finding } from '../../domain/types';
import type { ParsedDoc } from '../markdown';
import type { GateContext } from './context';
import { codeBlocks, identifiersOf, isTs, stem, wordsOfIdentifier, wordsOfText } from './text';

/**
 * Words that mark a business domain, by domain. Only these can make an identifier off-domain, so a
 * word every domain uses (an "asset" is a game's art, a plant's machine and a bank's holding) is not one.
 */
export const DOMAIN_LEXICON: Readonly<Record<string, readonly string[]>> = {
  payments: [
    'payment', 'pay', 'charge', 'refund', 'merchant', 'card', 'capture', 'authorize', 'settle', 'settlement', 'ledger',
    'invoice', 'checkout', 'order', 'stock', 'inventory', 'fund', 'funds', 'currency', 'fx', 'sanction', 'aml', 'kyc',
    'chargeback', 'wallet', 'debit', 'credit', 'reconcile', 'reconciliation', 'dispute', 'cart',
  ],
  games: ['player', 'match', 'matchmaking', 'lobby', 'game', 'ddos', 'realm', 'login'],
  assets: ['chunk', 'patch', 'manifest', 'cook', 'cdn'],
  vehicles: ['vehicle', 'car', 'sensor', 'telemetry', 'reading', 'trip', 'odometer', 'autopilot'],
  factories: ['equipment', 'machine', 'plant', 'downtime', 'maintenance', 'technician', 'spare', 'mes', 'erp'],
};

const LEXICON = new Map<string, string>(
  Object.entries(DOMAIN_LEXICON).flatMap(([domain, words]) => words.map((w) => [stem(w), domain] as [string, string])),
);

/** The stemmed English words of a brief. */
export function vocabularyOf(brief: CaseBrief): Set<string> {
  const texts = [
    brief.company,
    brief.title.en,
    brief.context.en,
    ...brief.features.map((f) => f.en),
    ...brief.requirements.map((r) => r.en),
    ...brief.painPoints.map((p) => p.en),
    ...brief.targets.map((g) => g.text.en),
    ...brief.sources.map((s) => s.title),
  ];
  return new Set(texts.flatMap(wordsOfText).map(stem));
}

/** Brief words of a domain needed before the whole domain counts as the case's own. */
export const OWN_DOMAIN_WORDS = 2;

function ownDomains(vocabulary: Set<string>): Set<string> {
  const count = new Map<string, number>();
  for (const w of vocabulary) {
    const d = LEXICON.get(w);
    if (d) count.set(d, (count.get(d) ?? 0) + 1);
  }
  return new Set([...count].filter(([, n]) => n >= OWN_DOMAIN_WORDS).map(([d]) => d));
}

function temporalImports(code: string): Set<string> {
  const out = new Set<string>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"]@temporalio\/[^'"]+['"]/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) out.add(name);
    }
  }
  return out;
}

/** Identifiers in `code` whose domain words are neither in `vocabulary` nor in one of its own domains. */
export function offDomainIdentifiers(code: string, vocabulary: Set<string>): { identifier: string; word: string; domain: string }[] {
  const out: { identifier: string; word: string; domain: string }[] = [];
  const own = ownDomains(vocabulary);
  const seen = temporalImports(code);
  for (const id of identifiersOf(code)) {
    if (seen.has(id)) continue;
    seen.add(id);
    for (const word of wordsOfIdentifier(id)) {
      const s = stem(word);
      const domain = LEXICON.get(s);
      if (domain && !vocabulary.has(s) && !own.has(domain)) {
        out.push({ identifier: id, word, domain });
        break;
      }
    }
  }
  return out;
}

/** Off-domain identifiers in the case's TypeScript blocks. Skipped when the brief is unknown. */
export function checkDomain(doc: ParsedDoc, ctx: GateContext): Finding[] {
  if (!ctx.brief) return [];
  const vocabulary = vocabularyOf(ctx.brief);
  for (const code of ctx.appendix?.code ?? []) for (const id of identifiersOf(code)) for (const w of wordsOfIdentifier(id)) vocabulary.add(stem(w));
  const out: Finding[] = [];
  for (const block of codeBlocks(doc).filter(isTs)) {
    for (const hit of offDomainIdentifiers(block.code, vocabulary)) {
      out.push({
        rule: 'gates/domain',
        severity: 'error',
        line: block.line,
        message: `\`${hit.identifier}\` is a ${hit.domain} term ("${hit.word}") that ${ctx.brief.company}'s brief never uses`,
        fix: `name it in this case's own terms (the brief's domain words), or take it from the shared appendix; a ${hit.domain} identifier does not belong in this case`,
      });
    }
  }
  return out;
}
