/**
 * QA rules about the sources behind a case document's figures: each figure cited to a source
 * carries the page check of the facts behind it (see `collectSources`).
 *
 * - `sources/mismatch` (error): the source's page was read and does not state the figure the
 *   excerpt gives; the excerpt must be corrected before the document can be published.
 * - `sources/unverified` (warning): the page could not be read, so the figure rests on the excerpt
 *   alone; reviewers see it.
 * - `sources/conflict` (warning): two sources give different values for one metric; both are named.
 */
import { factsBehind, figuresOf } from '../domain/compose';
import { conflictingFacts } from '../domain/facts';
import type { CollectedSource, Dossier, Fact, Finding } from '../domain/types';

function sourceName(dossier: Dossier, id: string): string {
  const s: CollectedSource | undefined = dossier.sources.find((x) => x.id === id);
  return s ? `[^${id}] (${s.title}${s.publisher ? `, ${s.publisher}` : ''})` : `[^${id}]`;
}

function excerptOf(dossier: Dossier, id: string): string {
  const s = dossier.sources.find((x) => x.id === id);
  return s?.location.startsWith('file:') ? s.location.slice('file:'.length) : `the source ${id}`;
}

function valueOf(f: Fact): string {
  return f.unit && f.unit !== '%' && !f.raw.toLowerCase().includes(f.unit.toLowerCase()) ? `${f.raw} ${f.unit}` : f.unit === '%' ? `${f.raw}%` : f.raw;
}

/** The page-check and disagreement findings of a case document against its research dossier. */
export function checkSourceFacts(markdown: string, dossier: Dossier): Finding[] {
  const out: Finding[] = [];
  const figures = figuresOf(markdown, dossier);
  for (const figure of figures) {
    if (!figure.source || figure.status === undefined || figure.status === 'verified') continue;
    const facts = factsBehind(figure.text, figure.basis, dossier).filter((f): f is Fact => f !== undefined);
    if (figure.status === 'mismatch') {
      const wrong = facts.filter((f) => f.status === 'mismatch');
      out.push({
        rule: 'sources/mismatch',
        severity: 'error',
        line: figure.line,
        message: `${sourceName(dossier, figure.basis)} does not state ${wrong.map(valueOf).join(', ')}: ${wrong[0]?.check ?? 'the page was read and the figure is not in it'}`,
        fix: `compare ${excerptOf(dossier, figure.basis)} with the page, correct the excerpt to what the page says (or cite a source that states the figure), then run research again`,
      });
    } else {
      // Figures with no checked fact behind them are the citation rules' business, not this one's.
      const unchecked = facts.find((f) => f.status === 'unverified');
      if (!unchecked) continue;
      const why = unchecked.check ?? 'the page was not read';
      out.push({
        rule: 'sources/unverified',
        severity: 'warning',
        line: figure.line,
        message: `the figures cited to ${sourceName(dossier, figure.basis)} could not be checked against its page (${why})`,
        fix: 'open the URL in the footnote and confirm the figure, or run research again where the page can be reached',
      });
    }
  }
  for (const c of conflictingFacts(dossier.facts)) {
    // Point at the first statement of the document that rests on either figure, when there is one.
    const at = figures.find((f) => f.source && factsBehind(f.text, f.basis, dossier).some((x) => x === c.a || x === c.b));
    out.push({
      rule: 'sources/conflict',
      severity: 'warning',
      ...(at ? { line: at.line } : {}),
      message:
        `${sourceName(dossier, c.a.sourceId)} gives ${valueOf(c.a)} and ${sourceName(dossier, c.b.sourceId)} gives ${valueOf(c.b)} ` +
        `for the same metric (both state ${valueOf(c.anchor.a)}): "${c.a.sentence}" / "${c.b.sentence}"`,
      fix: 'cite the primary source (the company\'s own release) for this metric, or say in the text that the sources differ and why',
    });
  }
  return out;
}
