/**
 * The workflows `npm run bench` registers: casebook's own, plus the engine-floor workflow it
 * compares them with. Not part of the production bundle (workflows/index.ts).
 */
export * from '..';
export { benchFloorWorkflow } from './floor';
