/** Differences between two revisions of a draft, with jsdiff: a patch for terminals, HTML for the page. */
import { createTwoFilesPatch, structuredPatch } from 'diff';

const COLOURS = { add: '\u001b[32m', del: '\u001b[31m', hunk: '\u001b[36m', head: '\u001b[1m', reset: '\u001b[0m' };

/** A unified diff of two revisions; coloured when `colour` (a terminal), plain otherwise. */
export function diffText(from: { revision: string; markdown: string }, to: { revision: string; markdown: string }, colour: boolean): string {
  const patch = createTwoFilesPatch(`revision ${from.revision}`, `revision ${to.revision}`, from.markdown, to.markdown, undefined, undefined, { context: 3 });
  if (!colour) return patch;
  return patch
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return `${COLOURS.head}${line}${COLOURS.reset}`;
      if (line.startsWith('+')) return `${COLOURS.add}${line}${COLOURS.reset}`;
      if (line.startsWith('-')) return `${COLOURS.del}${line}${COLOURS.reset}`;
      if (line.startsWith('@@')) return `${COLOURS.hunk}${line}${COLOURS.reset}`;
      return line;
    })
    .join('\n');
}

/** Counts of added and removed lines. */
export function diffStats(from: string, to: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of structuredPatch('a', 'b', from, to, undefined, undefined, { context: 0 }).hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  return { added, removed };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The hunks of a diff as an HTML table (every line escaped): line numbers, then the text. */
export function diffHtml(from: string, to: string): string {
  const { hunks } = structuredPatch('a', 'b', from, to, undefined, undefined, { context: 3 });
  if (!hunks.length) return '<p class="muted">No change in the text.</p>';
  const rows: string[] = [];
  for (const hunk of hunks) {
    rows.push(`<tr class="hunk"><td colspan="3">@@ −${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@</td></tr>`);
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      const mark = line[0];
      const body = escapeHtml(line.slice(1));
      if (mark === '+') rows.push(`<tr class="add"><td></td><td>${newLine++}</td><td><ins>${body}</ins></td></tr>`);
      else if (mark === '-') rows.push(`<tr class="del"><td>${oldLine++}</td><td></td><td><del>${body}</del></td></tr>`);
      else if (mark === ' ') rows.push(`<tr><td>${oldLine++}</td><td>${newLine++}</td><td>${body}</td></tr>`);
    }
  }
  return `<table class="diff">${rows.join('')}</table>`;
}
