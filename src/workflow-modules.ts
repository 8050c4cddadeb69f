/**
 * Modules of the workflow bundle that hold no per-workflow state (names, message and search-attribute
 * definitions, pure domain rules). With the reusable V8 context, every cached workflow otherwise gets
 * its own instance of each module it imports; preloaded, they are evaluated once, frozen and shared
 * (BENCHMARKS.md, worker memory). Only modules whose top level defines constants and functions belong
 * here: nothing that reads workflowInfo() or keeps state at load time. Every bundle of casebook's
 * workflows (the worker's, the tests', the bench's) passes this list.
 */
export const SHARED_WORKFLOW_MODULES: string[] = ['./names', './messages', './search-attributes', './domain/phases', './domain/review', './domain/failures', './domain/campaign'].map(
  (m) => require.resolve(m),
);
