/**
 * CONTRIBUTING.md's map of the code names real files: every path in the map's table exists, so the
 * map cannot drift from the tree unnoticed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/config';

/** The paths one row of the map names: `dir/file.ts` as given, a bare `file.ts` inside the last folder named before it. */
function pathsOfRow(row: string): string[] {
  const paths: string[] = [];
  let folder = '';
  for (const [, token] of row.matchAll(/`([^`]+)`/g)) {
    if (token.includes('<') || token.includes('…') || token.includes(' ')) continue;
    if (token.includes('/')) {
      paths.push(token);
      folder = token.endsWith('/') ? token : path.posix.dirname(token);
    } else if (/\.(ts|js|md|yaml)$/.test(token)) {
      paths.push(path.posix.join(folder, token));
    }
  }
  return paths;
}

test('every path in CONTRIBUTING.md\'s map of the code exists', () => {
  const doc = readFileSync(path.join(projectRoot, 'CONTRIBUTING.md'), 'utf8');
  const map = doc.slice(doc.indexOf('## Map of the code'), doc.indexOf('\n## ', doc.indexOf('## Map of the code') + 1));
  const rows = map.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| you are looking for'));
  const paths = rows.flatMap(pathsOfRow);
  expect(paths.length).toBeGreaterThan(40);
  expect(paths.filter((p) => !existsSync(path.join(projectRoot, p)))).toEqual([]);
});
