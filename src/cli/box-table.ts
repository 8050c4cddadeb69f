/**
 * A boxed text table in linear time, for lists that may hold thousands of rows (`casebook status`
 * over 10,000 cases): cli-table3 lays rows out in quadratic time and took seconds for a thousand.
 * Widths are display widths (string-width: CJK and emoji take two columns), so Chinese labels line
 * up in a terminal.
 */
import stringWidth from 'string-width';

/** `head`, then `rows`, then `footer` after a rule of its own; every row has head.length cells. */
export function boxTable(head: string[], rows: string[][], footer: string[][] = []): string {
  // Each cell's width is measured once: string-width is the costly part of a long table.
  const measured = (row: string[]) => head.map((_, i) => ({ text: row[i] ?? '', width: stringWidth(row[i] ?? '') }));
  const [headCells, bodyCells, footCells] = [measured(head), rows.map(measured), footer.map(measured)];
  const widths = headCells.map((c) => c.width);
  for (const row of [...bodyCells, ...footCells]) row.forEach((cell, i) => (widths[i] = Math.max(widths[i], cell.width)));
  const rule = (left: string, middle: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${right}`;
  const line = (row: { text: string; width: number }[]) => `│ ${row.map((c, i) => c.text + ' '.repeat(widths[i] - c.width)).join(' │ ')} │`;
  const lines = [rule('┌', '┬', '┐'), line(headCells), rule('├', '┼', '┤'), ...bodyCells.map(line)];
  if (footCells.length) lines.push(rule('├', '┼', '┤'), ...footCells.map(line));
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}
