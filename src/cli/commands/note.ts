/**
 * `casebook note`: kept apart from the draft commands, whose QA imports ES-module-only packages that
 * the CLI's V8 code-cache hook would compile as CommonJS (and that `note` does not need).
 */
import { Command } from 'commander';
import { addNoteSignal } from '../../messages';
import { checkCaseId, existingCase, withClient } from '../context';
import { UsageError } from '../errors';

export function noteCommand(): Command {
  return new Command('note')
    .argument('<caseId>', 'a case id')
    .argument('<text>', 'the note')
    .requiredOption('--author <name>', 'who adds it')
    .option('--url <url>', 'a public source for the note; collected the next time research runs')
    .action(async (caseId: string, text: string, opts: { author: string; url?: string }) => {
      if (opts.url && !/^https?:\/\//.test(opts.url)) throw new UsageError(`--url ${opts.url} is not an http(s) URL.`, 'Give the public address of the source, starting with https://.');
      if (text.length > 20_000) throw new UsageError(`The note has ${text.length} characters.`, 'Keep notes under 20000 characters, or add the material as a source file.');
      checkCaseId(caseId);
      await withClient(async (client) => {
        const handle = await existingCase(client, caseId);
        await handle.signal(addNoteSignal, { author: opts.author, text, url: opts.url });
        console.log(`Note added to ${caseId}. It is used the next time research runs (e.g. after \`request-changes --back-to research\`).`);
      });
    });
}
