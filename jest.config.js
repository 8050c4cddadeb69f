const fs = require('node:fs');
const path = require('node:path');

/**
 * Packages that ship only ES modules (the unified/micromark parsers and markdownlint used by the QA
 * engine), as paths below node_modules, nested copies included. Node 20.19+ loads them with
 * `require`, but jest's CommonJS module system cannot, so jest transpiles them to CommonJS.
 */
function esmOnlyPackages(dir = path.join(__dirname, 'node_modules'), prefix = '') {
  const names = [];
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (entry.startsWith('@')) {
      names.push(...esmOnlyPackages(full, `${prefix}${entry}/`));
      continue;
    }
    try {
      if (JSON.parse(fs.readFileSync(path.join(full, 'package.json'), 'utf8')).type === 'module') names.push(`${prefix}${entry}`);
    } catch {
      continue; // Not a package folder.
    }
    names.push(...esmOnlyPackages(path.join(full, 'node_modules'), `${prefix}${entry}/node_modules/`));
  }
  return names;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run typecheck`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'ES2022' } }],
  },
  // Anchored at the first node_modules segment, so nested copies are matched by their full path.
  transformIgnorePatterns: [`^(?:(?!/node_modules/).)*/node_modules/(?!(?:${esmOnlyPackages().map(escapeRegExp).join('|')})/)`],
  testTimeout: 120_000,
  // Builds dist/ when it is missing or stale: the CLI tests run the compiled CLI, as users do.
  globalSetup: '<rootDir>/test/global-setup.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
