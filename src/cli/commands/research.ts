import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { uploadDraftUpdate } from '../../messages';
import { checkCaseId, existingCase, explainUpdateError, output, withClient } from '../context';
import { CliError } from '../errors';
import { draftShowCommand } from './draft-show';
import { draftScaffoldCommand } from './draft-scaffold';

export function draftCommand(): Command {
  const draft = new Command('draft');
  draft
    .command('upload')
    .description('replace the whole draft, or one section, with a Markdown file (makes a new revision)')
    .argument('<caseId>', 'a case id')
    .argument('<file>', 'Markdown file')
    .requiredOption('--author <name>', 'who wrote it (may not approve it afterwards)')
    .option('--section <id>', 'a template section id or number (1-7) to replace only that section')
    .option('--json', 'print JSON')
    .action(async (caseId: string, file: string, opts: { author: string; section?: string; json?: boolean }) => {
      let markdown: string;
      try {
        markdown = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(`Cannot read ${file}.`, 'Check the path; give a Markdown file.', 2, { cause: err });
      }
      checkCaseId(caseId);
      await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        const info = await handle
          .executeUpdate(uploadDraftUpdate, { args: [{ author: opts.author, markdown, section: opts.section }] })
          .catch((err) => explainUpdateError(err, `The upload to ${caseId}`));
        // Loaded here: QA (ES-module-only packages) is needed by uploads only, not by `note`.
        const { renderWriterFeedback, writerFeedback } = require('../draft-feedback') as typeof import('../draft-feedback');
        const feedback = await writerFeedback(info, caseId);
        output(opts.json ?? false, { ...info, feedback }, () => `Uploaded: ${caseId} is now at revision ${info.revision} (${info.bytes} bytes).\n${renderWriterFeedback(feedback, caseId)}`);
      });
    });
  draft.addCommand(draftShowCommand());
  draft.addCommand(draftScaffoldCommand());
  return draft;
}
