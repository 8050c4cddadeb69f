import { Command, Option } from 'commander';
import { approveUpdate, progressQuery, requestChangesUpdate, resumeUpdate } from '../../messages';
import { REWORK_PHASES, type ReworkPhase } from '../../domain/types';
import { checkCaseId, existingCase, explainUpdateError, output, withClient } from '../context';

/** The revision a decision is about: the one named, or the current one, read just before. */
async function revisionFor(handle: Awaited<ReturnType<typeof existingCase>>, named?: string): Promise<string | undefined> {
  return named ?? (await handle.query(progressQuery)).revision;
}

export function approveCommand(): Command {
  return new Command('approve')
    .argument('<caseId>', 'a case id')
    .requiredOption('--reviewer <name>', 'who approves')
    .option('--comment <text>', 'a comment for the audit trail')
    .option('--revision <id>', 'the revision you reviewed (default: the current one)')
    .option('--json', 'print JSON')
    .action(async (caseId: string, opts: { reviewer: string; comment?: string; revision?: string; json?: boolean }) => {
      checkCaseId(caseId);
      await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        const revision = await revisionFor(handle, opts.revision);
        const result = await handle
          .executeUpdate(approveUpdate, { args: [{ reviewer: opts.reviewer, revision, comment: opts.comment }] })
          .catch((err) => explainUpdateError(err, `${opts.reviewer}'s approval of ${caseId}`));
        output(opts.json ?? false, result, () =>
          result.quorumMet
            ? `Approved revision ${result.revision} of ${caseId}: quorum met, publishing.`
            : `Approved revision ${result.revision} of ${caseId}. Still waiting for: ${result.pending.join(', ')}.`,
        );
      });
    });
}

export function requestChangesCommand(): Command {
  return new Command('request-changes')
    .argument('<caseId>', 'a case id')
    .requiredOption('--reviewer <name>', 'who asks for changes')
    .requiredOption('--comment <text>', 'what to change')
    .addOption(new Option('--back-to <phase>', 'the phase to go back to').choices([...REWORK_PHASES]).default('writing'))
    .option('--revision <id>', 'the revision you reviewed (default: the current one)')
    .option('--json', 'print JSON')
    .action(async (caseId: string, opts: { reviewer: string; comment: string; backTo: ReworkPhase; revision?: string; json?: boolean }) => {
      checkCaseId(caseId);
      await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        const revision = await revisionFor(handle, opts.revision);
        const result = await handle
          .executeUpdate(requestChangesUpdate, {
            args: [{ reviewer: opts.reviewer, comment: opts.comment, backTo: opts.backTo, revision }],
          })
          .catch((err) => explainUpdateError(err, `${opts.reviewer}'s change request on ${caseId}`));
        output(opts.json ?? false, { ...result, backTo: opts.backTo }, () =>
          `Changes requested on revision ${result.revision} of ${caseId}; the case goes back to ${opts.backTo}.`,
        );
      });
    });
}

export function resumeCommand(): Command {
  return new Command('resume')
    .argument('<caseId>', 'a case id')
    .requiredOption('--by <name>', 'who decides (the lead)')
    .option('--extra-revisions <n>', 'revisions allowed beyond the cap', (v) => Number(v), 3)
    .addOption(new Option('--back-to <phase>', 'the phase to restart from').choices([...REWORK_PHASES]))
    .action(async (caseId: string, opts: { by: string; extraRevisions: number; backTo?: ReworkPhase }) => {
      checkCaseId(caseId);
      await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        await handle
          .executeUpdate(resumeUpdate, { args: [{ by: opts.by, extraRevisions: opts.extraRevisions, backTo: opts.backTo }] })
          .catch((err) => explainUpdateError(err, `Resuming ${caseId}`));
        console.log(`${caseId} resumed by ${opts.by}.`);
      });
    });
}
