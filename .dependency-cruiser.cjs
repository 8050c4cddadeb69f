/**
 * Import rules checked by `npm run lint` (dependency-cruiser): no cycles among casebook's modules,
 * and the one-way dependencies of STYLE.md (workflows never import activities, src/domain stays
 * pure). Type-only imports count too: a cycle of types is still a knot to untie when changing.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle; move the shared part into its own module (see src/domain/case.ts).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-not-activities',
      severity: 'error',
      comment: 'Workflows call activities through proxyActivities and their types in src/domain/activities.ts.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypes: ['local', 'import', 'require', 'export'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain is imported by workflows: it may not reach activities, the CLI or Node built-ins.',
      from: { path: '^src/domain/' },
      to: { path: '^(activities/|src/cli/|src/worker|src/start)|^node:|^(fs|path|os|child_process|net|http|https|crypto)$' },
    },
    {
      name: 'plan-schema-types-only',
      severity: 'error',
      comment: 'The plan schema pulls in zod: workflows and the rest of src/domain take only its types (import type), so zod stays out of the workflow bundle. src/plan.ts loads plans with it.',
      from: { path: '^(workflows|src/domain)/', pathNot: '^src/domain/plan-schema\\.ts$' },
      to: { path: '^src/domain/plan-schema\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.temporal|\\.casebook|docs|coverage|test/fixtures|workflows-scratch-)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
