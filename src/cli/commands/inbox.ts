import { Command } from 'commander';
import { SEARCH_ATTRIBUTE_NAMES as SA } from '../../names';
import { output, webUiLink } from '../output';
import { withReader } from '../read';

export function inboxCommand(): Command {
  return new Command('inbox')
    .requiredOption('--reviewer <name>', 'the reviewer')
    .option('--json', 'print JSON')
    .action(async (opts: { reviewer: string; json?: boolean }) => {
      await withReader(async (reader, settings) => {
        const name = opts.reviewer.replace(/"/g, '');
        const query = `WorkflowType = "caseWorkflow" AND ExecutionStatus = "Running" AND ${SA.phase} = "review" AND ${SA.reviewers} = "${name}"`;
        const items: { workflowId: string; caseId: string; revision?: string; webUi?: string }[] = [];
        for await (const wf of reader.list(query)) {
          items.push({
            workflowId: wf.workflowId,
            caseId: wf.workflowId.replace(/^case-/, ''),
            revision: wf.searchAttributes[SA.revision] as string | undefined,
            webUi: webUiLink(settings, wf.workflowId),
          });
        }
        output(opts.json ?? false, items, () =>
          items.length
            ? [`Waiting for ${opts.reviewer}:`, ...items.map((i) => `  ${i.caseId} (revision ${i.revision ?? '—'})  casebook show ${i.caseId}`)].join('\n')
            : `Nothing waits for ${opts.reviewer}.`,
        );
      });
    });
}
