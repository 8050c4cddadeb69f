import { Option } from 'commander';
import { defaultPlanFile, templateFile } from '../config';
import { PlanError, loadPlan } from '../plan';
import type { Plan } from '../domain/types';
import { CliError } from './errors';

export const planOption = () => new Option('--plan <file>', 'plan file (YAML)').default(undefined, 'plan/v15.0.yaml');

/** Loads and validates the plan, turning validation problems into one readable error. */
export async function readPlan(file: string | undefined): Promise<{ plan: Plan; planFile: string; templateFile: string }> {
  const planFile = file ?? defaultPlanFile();
  try {
    return { plan: await loadPlan(planFile), planFile, templateFile: templateFile() };
  } catch (err) {
    if (err instanceof PlanError) {
      throw new CliError(err.message, `Fix the plan file and run the command again; nothing was started.`, 1, { cause: err });
    }
    throw err;
  }
}
