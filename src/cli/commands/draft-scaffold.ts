import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { getArtifact } from '../../../activities/store';
import { scaffoldMarkdown } from '../../domain/scaffold';
import { reviewPacketQuery } from '../../messages';
import { findCase, PlanError } from '../../plan';
import { planOption, readPlan } from '../plan-option';
import { checkCaseId, existingCase, withClient } from '../context';
import { CliError } from '../errors';

/** `casebook draft scaffold <caseId>`: the writer's Markdown skeleton of a running case. */
export function draftScaffoldCommand(): Command {
  return new Command('scaffold')
    .description("write the writer's skeleton of a case: the dossier's facts, footnotes ready to cite, the challenges to answer, the gates to pass")
    .argument('<caseId>', 'a case id')
    .option('--out <file>', 'write it to this file instead of standard output')
    .addOption(planOption())
    .action(async (caseId: string, opts: { out?: string; plan?: string }) => {
      checkCaseId(caseId);
      const { plan } = await readPlan(opts.plan);
      let brief;
      try {
        brief = findCase(plan, caseId);
      } catch (err) {
        if (err instanceof PlanError) throw new CliError(err.message, 'Give a case of the plan (`casebook status` lists them).', 1, { cause: err });
        throw err;
      }
      const markdown = await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        const packet = await handle.query(reviewPacketQuery);
        if (!packet.draft) {
          throw new CliError(`${caseId} has no draft yet.`, `Wait until it reaches drafting (\`casebook status ${caseId}\`), then run this again.`);
        }
        try {
          return await getArtifact(packet.draft.ref);
        } catch (err) {
          throw new CliError(
            `The draft ${packet.draft.ref} is not in this machine's artifact store.`,
            'Run the scaffold where the worker runs, or set CASEBOOK_HOME to the worker\'s state folder.',
            1,
            { cause: err },
          );
        }
      });
      const scaffold = scaffoldMarkdown(markdown, brief, brief.language);

      if (opts.out) {
        await writeFile(opts.out, scaffold, 'utf8');
        console.log(`Wrote the scaffold of ${caseId} to ${opts.out}. Fill in every "✍️ 待撰写", then \`casebook draft upload ${caseId} ${opts.out} --author <name>\`.`);
      } else {
        process.stdout.write(scaffold);
      }
    });
}
