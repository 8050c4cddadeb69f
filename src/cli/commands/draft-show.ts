import { Command } from 'commander';
import { CaseReader, DraftNotFound } from '../../review/case-data';
import { workerStore } from '../../review/drafts';
import { checkCaseId, existingCase, output, withClient } from '../context';
import { CliError } from '../errors';

/** Turns an unreadable draft into a message for people. */
export function explainDraftError(err: unknown): never {
  if (err instanceof DraftNotFound) throw new CliError(err.message, err.hint, 1, { cause: err });
  throw err;
}

/** `casebook draft show`: the Markdown of the current (or a given) revision. */
export function draftShowCommand(): Command {
  return new Command('show')
    .description('print the Markdown of the current draft (or of --revision)')
    .argument('<caseId>', 'a case id')
    .option('--revision <id>', 'a revision id (see `casebook show --audit`)')
    .option('--json', 'print JSON: revision, author, QA summary and the text')
    .action(async (caseId: string, opts: { revision?: string; json?: boolean }) => {
      checkCaseId(caseId);
      await withClient(async (client) => {
        await existingCase(client, caseId);
        const reader = new CaseReader(client, workerStore);
        const snapshot = await reader.snapshot(caseId);
        const { revision, markdown } = await reader.markdown(snapshot, opts.revision).catch(explainDraftError);
        const entry = snapshot.revisions.find((r) => r.revision === revision);
        const qa = snapshot.packet.qa && snapshot.progress.qa?.revision === revision ? snapshot.packet.qa : undefined;
        output(
          opts.json ?? false,
          {
            caseId,
            revision,
            current: revision === snapshot.packet.revision,
            author: entry?.author,
            bytes: Buffer.byteLength(markdown, 'utf8'),
            qa: qa ? { errors: qa.errors, warnings: qa.warnings, findings: qa.findings } : null,
            markdown,
          },
          () => markdown.replace(/\n$/, ''),
        );
      });
    });
}
