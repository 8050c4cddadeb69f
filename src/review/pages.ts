/** The review app's HTML. Every value from a case is escaped here; draft HTML comes sanitised from render.ts. */
import type { AuditEntry } from '../messages';
import type { CitedFigure, Dossier } from '../domain/types';
import { REWORK_PHASES } from '../domain/types';
import type { CaseSnapshot } from './case-data';

export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface PageContext {
  /** Who is signed in (or picked), if anyone. */
  who?: string;
  mode: 'local' | 'tokens' | 'header';
  csrf: string;
}

export function layout(title: string, ctx: PageContext, body: string, data: Record<string, string> = {}): string {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  const who = ctx.who
    ? `signed in as <strong>${esc(ctx.who)}</strong>${ctx.mode === 'tokens' ? ` <form method="post" action="/logout" style="display:inline"><input type="hidden" name="_csrf" value="${esc(ctx.csrf)}"><button>sign out</button></form>` : ''}`
    : ctx.mode === 'local'
      ? 'pick your name on the inbox'
      : '';
  return `<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · casebook review</title>
<link rel="stylesheet" href="/assets/review.css"><link rel="stylesheet" href="/assets/highlight.css">
</head><body${attrs}>
<header class="top"><a href="/">casebook review</a><span class="who">${who}</span></header>
<main>${body}</main>
<script src="/assets/mermaid.min.js"></script><script src="/assets/review.js"></script>
</body></html>`;
}

export interface InboxRow {
  caseId: string;
  company?: string;
  title?: string;
  revision?: string;
  pending: string[];
  deadline?: string;
  qa?: { errors: number; warnings: number };
}

function when(iso?: string): string {
  if (!iso) return '—';
  const ms = Date.parse(iso) - Date.now();
  const hours = Math.round(Math.abs(ms) / 3_600_000);
  return `<time datetime="${esc(iso)}">${esc(iso.slice(0, 16).replace('T', ' '))} UTC</time> <span class="muted">(${ms >= 0 ? `in ${hours} h` : `overdue by ${hours} h`})</span>`;
}

/** One page of the inbox: its rows, where it sits among all the cases in review, and its poll key. */
export interface InboxListing {
  rows: InboxRow[];
  /** Cases in review (for this reviewer, when one is picked), on all pages. */
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  /** Every reviewer still pending on a listed case, for the name picker. */
  reviewers: string[];
  /** What `/inbox/state` answers while nothing on this page changed. */
  state: string;
}

function pager(data: InboxListing): string {
  if (data.total <= data.pageSize && data.page === 1) return '';
  const link = (page: number, text: string, rel: string) => `<a href="/?page=${page}" rel="${rel}" class="${rel}">${text}</a>`;
  const prev = data.page > 1 ? link(Math.min(data.page - 1, data.pages), '← previous', 'prev') : '';
  const next = data.page < data.pages ? link(data.page + 1, 'next →', 'next') : '';
  return `<nav class="pager" id="pager">${prev} <span>page ${data.page} of ${data.pages}</span> ${next}</nav>`;
}

export function inboxPage(ctx: PageContext, data: InboxListing): string {
  const { rows, reviewers } = data;
  const picker =
    ctx.mode === 'local'
      ? `<form method="post" action="/as" class="pick"><input type="hidden" name="_csrf" value="${esc(ctx.csrf)}">
<label>I am <input name="reviewer" list="reviewers" value="${esc(ctx.who ?? '')}" required pattern="[A-Za-z0-9._-]{1,64}"></label>
<datalist id="reviewers">${reviewers.map((r) => `<option value="${esc(r)}">`).join('')}</datalist> <button>show my inbox</button></form>`
      : '';
  const heading = ctx.who ? `Waiting for ${esc(ctx.who)}` : 'Cases waiting for review';
  const first = (data.page - 1) * data.pageSize + 1;
  const summary = data.total
    ? `<p class="muted" id="inbox-summary">${data.total} ${data.total === 1 ? 'case' : 'cases'} in review${rows.length ? `, ${first}–${first + rows.length - 1} shown` : ''}, sorted by case id.</p>`
    : '';
  const table = rows.length
    ? `<table class="list" id="inbox"><thead><tr><th>case</th><th>revision</th><th>QA</th><th>deadline</th><th>waiting for</th></tr></thead><tbody>${rows
        .map(
          (r) => `<tr><td><a href="/cases/${esc(r.caseId)}">${esc(r.company ?? r.caseId)}</a> <span class="muted">${esc(r.title ?? '')}</span></td>
<td><code>${esc(r.revision ?? '—')}</code></td>
<td>${r.qa ? `<span class="badge ${r.qa.errors ? 'err' : r.qa.warnings ? 'warn' : 'ok'}">${r.qa.errors} errors, ${r.qa.warnings} warnings</span>` : '—'}</td>
<td>${when(r.deadline)}</td><td>${esc(r.pending.join(', '))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : data.total
      ? `<p class="muted" id="past-end">There is no page ${data.page}: the inbox has ${data.pages} ${data.pages === 1 ? 'page' : 'pages'}. <a href="/?page=${data.pages}">Go to the last one</a>.</p>`
      : `<p class="muted">Nothing waits${ctx.who ? ` for ${esc(ctx.who)}` : ''}.</p>`;
  return layout('Inbox', ctx, `${picker}<h1>${heading}</h1>${summary}${table}${pager(data)}`, {
    'state-url': `/inbox/state?page=${data.page}`,
    state: data.state,
    'poll-ms': '5000',
  });
}

export interface CaseView {
  snapshot: CaseSnapshot;
  draftHtml?: string;
  dossier?: Dossier;
  diff?: { from: string; to: string; html: string; reason: string };
  message?: { kind: 'ok' | 'error'; text: string };
  stateKey: string;
  pollMs: number;
}

/** The sentence of the dossier that backs a figure: a fact from its source whose number the figure states. */
export function excerptFor(figure: CitedFigure, dossier?: Dossier): string | undefined {
  const facts = dossier?.facts.filter((f) => f.sourceId === figure.basis) ?? [];
  return facts.find((f) => figure.text.includes(f.raw))?.sentence;
}

function figuresPanel(view: CaseView): string {
  const figures = view.snapshot.packet.figures;
  if (!figures.length) return '<section class="panel" id="figures"><h2>Cited figures</h2><p class="muted">No figures in this revision.</p></section>';
  const items = figures.map((f) => {
    const src = view.dossier?.sources.find((s) => s.id === f.basis);
    const excerpt = excerptFor(f, view.dossier);
    const label = f.basis === 'target' ? '设计目标 (design target)' : f.basis === 'estimate' ? '估算 (estimate)' : undefined;
    const title = f.source?.title ?? src?.title;
    const url = f.source?.url ?? src?.url;
    const link = title ? (url && /^https?:\/\//.test(url) ? `<a class="source" href="${esc(url)}" rel="noopener noreferrer" target="_blank">${esc(title)}</a>` : `<span class="source">${esc(title)}</span>`) : '';
    return `<li class="figure"><div>${esc(f.text)} <span class="muted">line ${f.line}</span></div>
<div>${label ? `<span class="badge">${label}</span>` : `<span class="badge">[${esc(f.basis)}]</span> ${link}${f.source?.date ?? src?.date ? ` <span class="muted">${esc(f.source?.date ?? src?.date)}</span>` : ''}${src?.publisher ? ` <span class="muted">· ${esc(src.publisher)}</span>` : ''}`}</div>
${excerpt ? `<blockquote class="excerpt">${esc(excerpt)}</blockquote>` : label ? '' : '<div class="muted">No sentence of the source states this number; check the source.</div>'}</li>`;
  });
  return `<section class="panel" id="figures"><h2>Cited figures (${figures.length})</h2><ul class="figures">${items.join('')}</ul></section>`;
}

function decisionOf(audit: AuditEntry[], reviewer: string): AuditEntry | undefined {
  return [...audit].reverse().find((a) => a.actor === reviewer && a.accepted && (a.action === 'approve' || a.action.startsWith('request changes')));
}

function reviewersPanel(view: CaseView): string {
  const { progress, brief, deadline, reviewSince, audit } = view.snapshot;
  const rows = progress.reviewers.map((r) => {
    const d = decisionOf(audit, r.name);
    const pending = progress.pendingReviewers.includes(r.name);
    return `<tr><td>${esc(r.name)} <span class="muted">${esc(r.role)}</span></td><td>${r.approved ? '<span class="badge ok">approved</span>' : pending ? '<span class="badge warn">pending</span>' : ''}</td><td class="muted">${d ? `${esc(d.action)} @${esc(d.revision)} ${esc(d.at.slice(0, 16).replace('T', ' '))}` : '—'}</td></tr>`;
  });
  const quorum = brief ? ('count' in brief.review.quorum ? `${brief.review.quorum.count} approval${brief.review.quorum.count === 1 ? '' : 's'}` : `one per role: ${brief.review.quorum.roles.join(', ')}`) : '';
  return `<section class="panel" id="reviewers"><h2>Reviewers</h2><table class="list">${rows.join('')}</table>
<p class="muted">${quorum ? `Quorum: ${esc(quorum)}. ` : ''}${brief ? `Backup: ${esc(brief.review.backup.name)}${progress.escalated ? ' (escalated)' : ''}. ` : ''}${reviewSince ? `In review since ${esc(reviewSince.slice(0, 16).replace('T', ' '))} UTC. ` : ''}</p>
${deadline ? `<p>Deadline: ${when(deadline)}${brief ? ` <span class="muted">(reminder after ${esc(brief.review.remindAfter)}, escalation after ${esc(brief.review.escalateAfter)})</span>` : ''}</p>` : ''}</section>`;
}

function decisionPanel(view: CaseView, ctx: PageContext): string {
  const { progress, packet, caseId } = view.snapshot;
  if (progress.phase !== 'review') return `<section class="panel" id="decide"><h2>Decision</h2><p class="muted">The case is in ${esc(progress.phase)}; decisions are taken in review.</p></section>`;
  const names = [...progress.reviewers.map((r) => r.name)];
  const who =
    ctx.mode === 'local'
      ? `<label>Deciding as <select name="reviewer" required>${[ctx.who && !names.includes(ctx.who) ? ctx.who : undefined, ...names]
          .filter(Boolean)
          .map((n) => `<option${n === ctx.who ? ' selected' : ''}>${esc(n)}</option>`)
          .join('')}</select></label>`
      : `<p>Deciding as <strong>${esc(ctx.who)}</strong></p>`;
  return `<section class="panel" id="decide"><h2>Decision on revision <code>${esc(packet.revision)}</code></h2>
<div id="stale-banner" class="message error" hidden>A new revision has arrived; reload the page to review it.</div>
<form method="post" action="/cases/${esc(caseId)}/decision" class="decide">
<input type="hidden" name="_csrf" value="${esc(ctx.csrf)}"><input type="hidden" name="revision" value="${esc(packet.revision)}">
${who}
<label for="comment">Comment</label><textarea id="comment" name="comment" maxlength="10000" placeholder="required when requesting changes"></textarea>
<label for="backTo">Back to (when requesting changes)</label><select id="backTo" name="backTo">${REWORK_PHASES.map((p) => `<option${p === 'writing' ? ' selected' : ''}>${p}</option>`).join('')}</select>
<div><button name="decision" value="approve" type="submit">Approve</button><button name="decision" value="requestChanges" type="submit">Request changes</button></div>
</form></section>`;
}

function auditPanel(audit: AuditEntry[]): string {
  return `<section class="panel" id="audit"><h2>Audit trail</h2><ol class="audit">${audit
    .map((a) => `<li><span class="muted">${esc(a.at.slice(0, 19).replace('T', ' '))}</span> ${esc(a.actor)} ${esc(a.action)}${a.revision ? ` @${esc(a.revision)}` : ''}${a.accepted ? '' : ' <span class="badge err">rejected</span>'}${a.detail ? ` — ${esc(a.detail)}` : ''} <span class="muted">(${a.via})</span></li>`)
    .join('')}</ol></section>`;
}

export function casePage(ctx: PageContext, view: CaseView): string {
  const { progress, packet, caseId } = view.snapshot;
  const qa = packet.qa;
  const header = `<h1>${esc(progress.company)} — ${esc(progress.title)}</h1>
<p>phase <span class="badge">${esc(progress.phase)}</span> · revision <code id="revision">${esc(packet.revision ?? '—')}</code> (${progress.revisionCount} revisions, ${progress.reworkLoops} rework loops) · QA ${qa ? `<span class="badge ${qa.errors ? 'err' : qa.warnings ? 'warn' : 'ok'}">${qa.errors} errors, ${qa.warnings} warnings</span>` : 'not run yet'}${progress.attention ? ` · <span class="badge err">needs attention</span> ${esc(progress.attention)}` : ''}</p>`;
  const message = view.message ? `<div class="message ${view.message.kind}" role="${view.message.kind === 'error' ? 'alert' : 'status'}" id="message">${esc(view.message.text)}</div>` : '';
  const diff = view.diff
    ? `<section class="panel" id="diff"><h2>Changes ${esc(view.diff.reason)}: <code>${esc(view.diff.from)}</code> → <code>${esc(view.diff.to)}</code></h2><div class="diffbox">${view.diff.html}</div></section>`
    : '';
  const draft = view.draftHtml ? `<article class="draft" id="draft">${view.draftHtml}</article>` : '<p class="muted">No draft yet.</p>';
  const side = `${decisionPanel(view, ctx)}${reviewersPanel(view)}${figuresPanel(view)}${auditPanel(view.snapshot.audit)}`;
  return layout(`${progress.company}`, ctx, `${message}${header}${diff}<div class="layout"><div>${draft}</div><div>${side}</div></div>`, {
    'state-url': `/cases/${caseId}/state`,
    state: view.stateKey,
    'poll-ms': String(view.pollMs),
  });
}

export function loginPage(ctx: PageContext, error?: string): string {
  return layout(
    'Sign in',
    ctx,
    `<h1>Sign in</h1>${error ? `<div class="message error" role="alert">${esc(error)}</div>` : ''}
<form method="post" action="/login"><input type="hidden" name="_csrf" value="${esc(ctx.csrf)}"><label>Reviewer token <input type="password" name="token" required autocomplete="current-password"></label> <button>Sign in</button></form>
<p class="muted">Tokens are given to each reviewer by whoever runs casebook (CASEBOOK_REVIEW_TOKENS).</p>`,
  );
}
