import { Command } from 'commander';
import { CasePhaseKey, CaseReviewersKey, CaseRevisionKey } from '../../search-attributes';
import { output, webUiLink, withClient } from '../context';

export function inboxCommand(): Command {
  return new Command('inbox')
    .requiredOption('--reviewer <name>', 'the reviewer')
    .option('--json', 'print JSON')
    .action(async (opts: { reviewer: string; json?: boolean }) => {
      await withClient(async (client, settings) => {
        const name = opts.reviewer.replace(/"/g, '');
        const query = `WorkflowType = "caseWorkflow" AND ExecutionStatus = "Running" AND ${CasePhaseKey.name} = "review" AND ${CaseReviewersKey.name} = "${name}"`;
        const items: { workflowId: string; caseId: string; revision?: string; webUi?: string }[] = [];
        for await (const wf of client.workflow.list({ query })) {
          items.push({
            workflowId: wf.workflowId,
            caseId: wf.workflowId.replace(/^case-/, ''),
            revision: wf.typedSearchAttributes.get(CaseRevisionKey),
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
