import { Command } from 'commander';
import { CaseReader, diffBase } from '../../review/case-data';
import { diffStats, diffText } from '../../review/diff';
import { workerStore } from '../../review/drafts';
import { checkCaseId, existingCase, output, withClient } from '../context';
import { CliError } from '../errors';
import { explainDraftError } from './draft-show';

/** `casebook diff`: what changed between two revisions of a draft. */
export function diffCommand(): Command {
  return new Command('diff')
    .description('what changed in a draft: since the revision --reviewer last decided on, the previous revision, or --from/--to')
    .argument('<caseId>', 'a case id')
    .option('--from <revision>', 'the older revision (default: the one --reviewer last decided on, else the previous one)')
    .option('--to <revision>', 'the newer revision (default: the current one)')
    .option('--reviewer <name>', 'compare with the revision this reviewer last decided on')
    .option('--json', 'print JSON')
    .action(async (caseId: string, opts: { from?: string; to?: string; reviewer?: string; json?: boolean }) => {
      checkCaseId(caseId);
      await withClient(async (client) => {
        await existingCase(client, caseId);
        const reader = new CaseReader(client, workerStore);
        const snapshot = await reader.snapshot(caseId);
        const fromRevision = opts.from ?? diffBase(snapshot, opts.reviewer);
        if (!fromRevision) {
          throw new CliError(
            `${caseId} has ${snapshot.revisions.length === 1 ? 'only one revision' : 'no revision yet'}${opts.reviewer ? ` and ${opts.reviewer} has decided on none before it` : ''}; there is nothing to compare.`,
            `Read the draft with \`casebook draft show ${caseId}\`, or name revisions with --from and --to.`,
          );
        }
        const [from, to] = await Promise.all([reader.markdown(snapshot, fromRevision), reader.markdown(snapshot, opts.to)]).catch(explainDraftError);
        const stats = diffStats(from.markdown, to.markdown);
        const colour = !opts.json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
        const patch = diffText(from, to, colour);
        output(opts.json ?? false, { caseId, from: from.revision, to: to.revision, ...stats, patch: diffText(from, to, false) }, () =>
          from.revision === to.revision ? `Revisions ${from.revision} and ${to.revision} are the same.` : `${patch.replace(/\n$/, '')}\n${stats.added} lines added, ${stats.removed} removed (${from.revision} → ${to.revision}).`,
        );
      });
    });
}
