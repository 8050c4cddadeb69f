/**
 * Tables: well-formed rows, and total rows that add up.
 */
import type { Table } from 'mdast';
import type { Finding } from '../domain/types';
import { cellsOf, codeBlocksOf, lineOf, type ParsedDoc, sectionAt, tablesOf } from './markdown';

/** Splits a raw table line into cells on unescaped pipes (GFM splits before inline parsing). */
export function splitRawRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '\\|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else {
      cur += s[i];
    }
  }
  cells.push(cur.trim());
  return cells;
}

/** Strips a blockquote or list-item prefix the table may sit under. */
function unprefix(line: string): string {
  return line.replace(/^\s*(?:>\s?)+/, '');
}

/** Rows whose cell count differs from the header, and pipe rows that are not part of any table. */
export function checkTableShape(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  const covered = new Set<number>();
  for (const block of codeBlocksOf(doc.tree)) {
    for (let l = lineOf(block); l <= (block.position?.end.line ?? 0); l++) covered.add(l);
  }
  for (const table of tablesOf(doc.tree)) {
    const first = lineOf(table);
    const last = table.position?.end.line ?? first;
    for (let l = first; l <= last; l++) covered.add(l);
    const header = splitRawRow(unprefix(doc.lines[first - 1] ?? ''));
    for (let l = first + 2; l <= last; l++) {
      const raw = unprefix(doc.lines[l - 1] ?? '');
      if (!raw.trim()) continue;
      const n = splitRawRow(raw).length;
      if (n !== header.length) {
        out.push({
          rule: 'table/shape',
          severity: 'error',
          line: l,
          section: sectionAt(doc, l),
          message: `this table row has ${n} cell(s), the header has ${header.length}`,
          fix: n > header.length ? 'remove the extra cells or escape a literal pipe as `\\|`' : 'add the missing cells (an empty cell is `| |`)',
        });
      }
    }
  }
  doc.lines.forEach((line, i) => {
    const l = i + 1;
    if (covered.has(l) || !/^\s*\|.*\|\s*$/.test(unprefix(line))) return;
    if (line.trim().startsWith('[^') || /^\s{4,}/.test(line)) return;
    out.push({
      rule: 'table/shape',
      severity: 'error',
      line: l,
      section: sectionAt(doc, l),
      message: 'this line looks like a table row but is not part of a table',
      fix: 'start the table with a header row followed by a delimiter row (`| --- | --- |`), with a blank line before it',
    });
    covered.add(l);
  });
  return out;
}

const TOTAL_LABEL = /^(?:总计|合计|总和|共计|总数|Total|Totals|Grand total|Sum)$/i;
const STATUS_MARK = /[✅⏳❌⚠✔✖🔄🚧]|完成|进行中|待开始|待添加|已有|done|pending|in progress/iu;
const NAME_HEADER = /案例|公司|企业|客户|厂商|名单|case|compan|customer|vendor|name/i;
const EMPTY = /^(?:|-|—|–|无|none|n\/a)$/i;

const strip = (cell: string): string => cell.replace(/\*\*|__|`/g, '').replace(/[*_]/g, '').trim();

/** Parses a count or amount cell: `**5个**`, `1,200`, `3.5 万`; undefined when it is not one number. */
function parseAmount(cell: string): { value: number; decimals: number; percent: boolean } | undefined {
  const m = /^([+-]?\d{1,3}(?:,\d{3})+|[+-]?\d+)(?:\.(\d+))?\s*(%|个|家|项|条|件|次|人|台|笔|份|例|k|K|M|万|亿)?$/.exec(strip(cell));
  if (!m) return undefined;
  const scale = m[3] === 'k' || m[3] === 'K' ? 1e3 : m[3] === 'M' ? 1e6 : m[3] === '万' ? 1e4 : m[3] === '亿' ? 1e8 : 1;
  return {
    value: Number(`${m[1].replace(/,/g, '')}.${m[2] ?? '0'}`) * scale,
    decimals: m[2]?.length ?? 0,
    percent: m[3] === '%',
  };
}

/** Splits a cell that lists names: `Coinbase, Stripe` or `亚马逊、阿里巴巴`. */
function namesIn(cell: string): string[] {
  const s = strip(cell);
  if (EMPTY.test(s)) return [];
  return s
    .split(/\s*(?:[,，、;；]|\band\b|\s和\s)\s*/)
    .map((x) => x.trim())
    .filter((x) => x && !EMPTY.test(x));
}

/**
 * A row labelled 总计/合计/Total must equal the sum of the rows above it (back to the previous total
 * row) in each numeric column; where the rows list names instead of numbers, the names are counted.
 * Percentages, mixed columns and status columns are not judged.
 */
export function checkTableTotals(doc: ParsedDoc): Finding[] {
  const out: Finding[] = [];
  for (const table of tablesOf(doc.tree)) out.push(...totalsOf(doc, table));
  return out;
}

function totalsOf(doc: ParsedDoc, table: Table): Finding[] {
  const out: Finding[] = [];
  const [headerRow, ...rows] = table.children;
  if (!headerRow) return out;
  const header = cellsOf(headerRow).map(strip);
  let groupStart = 0;
  rows.forEach((row, r) => {
    const cells = cellsOf(row);
    const labelCol = cells.findIndex((c) => strip(c) !== '');
    if (labelCol < 0 || !TOTAL_LABEL.test(strip(cells[labelCol]))) return;
    const above = rows.slice(groupStart, r).map(cellsOf);
    groupStart = r + 1;
    if (above.length === 0) return;
    for (let c = labelCol + 1; c < cells.length; c++) {
      const total = parseAmount(cells[c] ?? '');
      if (!total || total.percent) continue;
      const column = above.map((cs) => cs[c] ?? '');
      const amounts = column.map((cell) => (EMPTY.test(strip(cell)) ? { value: 0, decimals: 0, percent: false } : parseAmount(cell)));
      const line = lineOf(row);
      const name = header[c] || `column ${c + 1}`;
      const label = strip(cells[labelCol]);
      if (amounts.every((a) => a !== undefined)) {
        if (amounts.some((a) => a!.percent)) continue;
        const decimals = Math.max(total.decimals, ...amounts.map((a) => a!.decimals));
        const sum = amounts.reduce((acc, a) => acc + a!.value, 0);
        if (Math.abs(sum - total.value) > 0.5 * 10 ** -decimals) {
          out.push({
            rule: 'data/table-total',
            severity: 'error',
            line,
            section: sectionAt(doc, line),
            message: `the ${label} row says ${strip(cells[c])} in column "${name}", but the ${above.length} rows above add up to ${Number(sum.toFixed(decimals))}`,
            fix: 'correct the total or the rows so that they agree',
          });
        }
        continue;
      }
      // Columns that list names: count them, unless the column is a status or a free-text column.
      if (column.some((cell) => STATUS_MARK.test(cell)) || column.some((cell) => /\d/.test(strip(cell)))) continue;
      const listsNames = NAME_HEADER.test(name) || column.some((cell) => namesIn(cell).length > 1);
      if (!listsNames || total.decimals > 0) continue;
      const names = column.flatMap(namesIn);
      if (names.length !== total.value) {
        out.push({
          rule: 'data/table-total',
          severity: 'error',
          line,
          section: sectionAt(doc, line),
          message: `the ${label} row says ${strip(cells[c])} in column "${name}", but the rows above list ${names.length}: ${names.join(', ')}`,
          fix: `write ${names.length} in the ${label} row, or correct the rows above`,
        });
      }
    }
  });
  return out;
}
