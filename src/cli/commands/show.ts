import { Command } from 'commander';
import type { AuditEntry, CaseProgress, ReviewPacket } from '../../messages';
import { QUERY_NAMES, caseWorkflowId } from '../../names';
import { reviewUrl } from '../../review/links';
import { checkCaseId, output, webUiLink } from '../output';
import { withReader } from '../read';

export function showCommand(): Command {
  return new Command('show')
    .argument('<caseId>', 'a case id')
    .option('--audit', 'include the audit trail')
    .option('--json', 'print JSON')
    .action(async (caseId: string, opts: { audit?: boolean; json?: boolean }) => {
      checkCaseId(caseId);
      await withReader(async (reader, settings) => {
        const [progress, packet, audit] = await Promise.all([
          reader.query<CaseProgress>(caseId, QUERY_NAMES.progress),
          reader.query<ReviewPacket>(caseId, QUERY_NAMES.reviewPacket),
          opts.audit ? reader.query<AuditEntry[]>(caseId, QUERY_NAMES.auditTrail) : Promise.resolve(undefined),
        ]);
        const link = webUiLink(settings, caseWorkflowId(caseId));
        const review = reviewUrl(caseId);
        output(opts.json ?? false, { progress, packet, audit, webUi: link, reviewUrl: review }, () => {
          const lines = [
            `${progress.company} — ${progress.title}`,
            `phase:      ${progress.phase} (${progress.percent}%)`,
            `revision:   ${progress.revision ?? '—'} (${progress.revisionCount} revisions, ${progress.reworkLoops} rework loops)`,
            `reviewers:  ${progress.reviewers.map((r) => `${r.name}/${r.role}${r.approved ? ' ✓' : ''}`).join(', ')}${progress.escalated ? ' (escalated)' : ''}`,
            `pending:    ${progress.pendingReviewers.join(', ') || '—'}`,
            `QA:         ${packet.qa ? `${packet.qa.errors} errors, ${packet.qa.warnings} warnings` : 'not run yet'}`,
          ];
          for (const f of packet.qa?.findings ?? []) lines.push(`  ${f.severity} ${f.rule}${f.line ? `:${f.line}` : ''} ${f.message}`);
          if (packet.sources.length) {
            lines.push('sources:');
            for (const src of packet.sources) lines.push(`  [${src.id}] ${src.status} ${src.title}${src.error ? ` — ${src.error}` : ''}`);
          }
          if (packet.figures.length) {
            lines.push('figures:');
            for (const fig of packet.figures) {
              lines.push(`  line ${fig.line}: ${fig.status ? `[${fig.status}] ` : ''}${fig.text} ← ${fig.source ? `${fig.source.title}${fig.source.url ? ` ${fig.source.url}` : ''}` : fig.basis}`);
              for (const original of fig.original ?? []) if (original !== fig.text) lines.push(`    source text: ${original}`);
            }
          }
          if (progress.attention) lines.push(`needs attention: ${progress.attention}`);
          if (progress.publishedPath) lines.push(`published:  ${progress.publishedPath}`);
          if (audit) {
            lines.push('audit trail:');
            for (const a of audit) lines.push(`  ${a.at} ${a.actor} ${a.action}${a.revision ? ` @${a.revision}` : ''}${a.accepted ? '' : ' (rejected)'}${a.detail ? ` — ${a.detail}` : ''}`);
          }
          lines.push(`review:     ${review}`);
          if (link) lines.push(`Web UI:     ${link}`);
          return lines.join('\n');
        });
      });
    });
}
