/**
 * The review page: a Fastify app that shows reviewers what they approve (inbox, rendered draft,
 * cited figures with their sources, QA findings, diff, audit trail) and takes their decisions
 * through the same workflow updates as the CLI.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { approveUpdate, progressQuery, requestChangesUpdate } from '../messages';
import { REWORK_PHASES, type Dossier, type ReworkPhase } from '../domain/types';
import { CASE_ID_PATTERN } from '../names';
import { CaseReviewersKey, CasePhaseKey, CaseRevisionKey } from '../search-attributes';
import { type AuthConfig, authFromEnv, reviewerForToken } from './auth';
import { CaseReader, type CaseSnapshot, DraftNotFound, diffBase, lastDecidedRevision } from './case-data';
import { diffHtml } from './diff';
import { type DraftStore, workerStore } from './drafts';
import { reviewServerInfoFile } from './links';
import { reviewListen, reviewPageSize, reviewSecret } from '../config';
import { type CaseView, type InboxListing, type InboxRow, type PageContext, casePage, esc, inboxPage, layout, loginPage } from './pages';
import { renderDraft } from './render';

export interface ReviewAppOptions {
  client: Client;
  auth: AuthConfig;
  store?: DraftStore;
  /** How often an open page asks whether the case changed; default 3000 ms. */
  pollMs?: number;
  /** Signs session and CSRF cookies; default: random per process (sessions end with it). */
  secret?: string;
}

const SESSION_COOKIE = 'casebook_session';
const PICK_COOKIE = 'casebook_as';
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A small least-recently-used cache for immutable things (content-addressed drafts, their HTML). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): V {
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return value;
  }
}

function asset(file: string): Buffer {
  return readFileSync(file);
}

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'mermaid.min.js': { file: () => path.join(path.dirname(require.resolve('mermaid')), 'mermaid.min.js'), type: 'text/javascript; charset=utf-8' },
  'highlight.css': { file: () => require.resolve('highlight.js/styles/github.css'), type: 'text/css; charset=utf-8' },
  'review.js': { file: () => path.join(__dirname, 'assets', 'review.js'), type: 'text/javascript; charset=utf-8' },
  'review.css': { file: () => path.join(__dirname, 'assets', 'review.css'), type: 'text/css; charset=utf-8' },
};

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Mermaid writes <style> into the SVGs it draws.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The reviewer a request speaks for, or undefined. */
function identify(req: FastifyRequest, auth: AuthConfig): string | undefined {
  if (auth.mode === 'header') {
    const value = req.headers[auth.header];
    const name = Array.isArray(value) ? value[0] : value;
    if (name && NAME.test(name)) return name;
  }
  const tokens = auth.mode === 'local' ? undefined : auth.tokens;
  if (tokens) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const byToken = reviewerForToken(tokens, bearer);
    if (byToken) return byToken;
    const signed = req.cookies[SESSION_COOKIE];
    if (signed) {
      const unsigned = req.unsignCookie(signed);
      if (unsigned.valid && unsigned.value && [...tokens.values()].includes(unsigned.value)) return unsigned.value;
    }
    return undefined;
  }
  if (auth.mode === 'local') {
    const picked = req.cookies[PICK_COOKIE];
    return picked && NAME.test(picked) ? picked : undefined;
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    reviewer?: string;
  }
}

/** Builds the review app (not listening). */
export async function buildReviewApp(options: ReviewAppOptions): Promise<FastifyInstance> {
  const { client, auth } = options;
  const store = options.store ?? workerStore;
  const pollMs = options.pollMs ?? 3000;
  const reader = new CaseReader(client, store);
  const drafts = new Lru<string>(32);
  const rendered = new Lru<string>(32);
  const dossiers = new Lru<Dossier>(32);
  const diffs = new Lru<string>(32);
  const inboxDetails = new Lru<Omit<InboxRow, 'pending'>>(5000);
  const assets = new Map(Object.entries(ASSETS).map(([name, a]) => [name, { body: asset(a.file()), type: a.type }]));

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  await app.register(cookie, { secret: options.secret ?? randomBytes(32).toString('hex') });
  await app.register(formbody);
  await app.register(csrf, { cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/' } });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  const open = (url: string) => url.startsWith('/assets/') || url === '/login' || url === '/healthz';
  app.addHook('onRequest', async (req, reply) => {
    req.reviewer = identify(req, auth);
    if (auth.mode === 'local' || req.reviewer || open(req.url.split('?')[0])) return;
    reply.code(401);
    if (auth.mode === 'header') {
      return reply.type('text/plain; charset=utf-8').send(`Not signed in: this page is reached through the sign-in proxy, which sets ${auth.header}.`);
    }
    if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
      return reply.type('text/html; charset=utf-8').send(loginPage(ctxOf(req, reply)));
    }
    return reply.type('text/plain; charset=utf-8').send('Not signed in: send Authorization: Bearer <your reviewer token>, or sign in at /login.');
  });

  function ctxOf(req: FastifyRequest, reply: FastifyReply): PageContext {
    return { who: req.reviewer, mode: auth.mode, csrf: reply.generateCsrf() };
  }

  const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body);

  app.get('/healthz', async () => ({ ok: true }));
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const a = assets.get(req.params.name);
    if (!a) return reply.code(404).send('no such asset');
    return reply.type(a.type).header('cache-control', 'public, max-age=3600').send(a.body);
  });

  // ---- who is deciding ------------------------------------------------------------------------
  app.get('/login', async (req, reply) => (auth.mode === 'local' ? reply.redirect('/') : html(reply, loginPage(ctxOf(req, reply)))));
  app.post<{ Body: { token?: string } }>('/login', { preHandler: app.csrfProtection }, async (req, reply) => {
    const tokens = auth.mode === 'local' ? undefined : auth.tokens;
    const name = tokens ? reviewerForToken(tokens, req.body?.token) : undefined;
    if (!name) return html(reply, loginPage(ctxOf(req, reply), 'That token belongs to no reviewer. Ask whoever runs casebook for yours.'), 401);
    reply.setCookie(SESSION_COOKIE, name, { signed: true, httpOnly: true, sameSite: 'strict', path: '/' });
    return reply.redirect('/', 303);
  });
  app.post('/logout', { preHandler: app.csrfProtection }, async (_req, reply) => reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/', 303));
  app.post<{ Body: { reviewer?: string } }>('/as', { preHandler: app.csrfProtection }, async (req, reply) => {
    if (auth.mode !== 'local') return reply.code(403).send('Your name comes from your sign-in here.');
    const name = (req.body?.reviewer ?? '').trim();
    if (!NAME.test(name)) return reply.code(400).type('text/plain; charset=utf-8').send('A reviewer name is letters, digits, dot, dash or underscore. Go back and pick one.');
    reply.setCookie(PICK_COOKIE, name, { httpOnly: true, sameSite: 'strict', path: '/' });
    return reply.redirect('/', 303);
  });

  // ---- inbox --------------------------------------------------------------------------------
  // The inbox lists from visibility alone (case id, revision, pending reviewers: search attributes)
  // and reads a case in full only when it is on the page shown, so its cost grows with the page
  // size, not with the number of cases in review. Visibility on the dev server (SQLite) cannot
  // order by custom attributes, so the rows are sorted here by case id: stable across pages.
  interface Listed { caseId: string; key: string; revision?: string; pending: string[] }
  const listings = new Map<string, { at: number; rows: Promise<Listed[]> }>();
  async function listInReview(who?: string): Promise<Listed[]> {
    const query = `WorkflowType = "caseWorkflow" AND ExecutionStatus = "Running" AND ${CasePhaseKey.name} = "review"${who ? ` AND ${CaseReviewersKey.name} = "${who}"` : ''}`;
    const listed: Listed[] = [];
    for await (const wf of client.workflow.list({ query, pageSize: 1000 })) {
      const revision = wf.typedSearchAttributes.get(CaseRevisionKey);
      listed.push({ caseId: wf.workflowId.replace(/^case-/, ''), key: `${wf.workflowId}:${wf.runId}:${revision}`, revision, pending: wf.typedSearchAttributes.get(CaseReviewersKey) ?? [] });
    }
    return listed.sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  }
  // Open inbox pages poll every few seconds: requests within a second share one listing.
  function listing(who?: string): Promise<Listed[]> {
    const key = who ?? '';
    const hit = listings.get(key);
    if (hit && Date.now() - hit.at < 1000) return hit.rows;
    const rows = listInReview(who);
    listings.set(key, { at: Date.now(), rows });
    rows.catch(() => listings.delete(key));
    return rows;
  }

  /** The page number asked for, or an error text for the reviewer. */
  function pageOf(raw: string | undefined): number | string {
    if (raw === undefined || raw === '') return 1;
    return /^[1-9][0-9]{0,6}$/.test(raw) ? Number(raw) : `There is no page “${raw}”: a page is a whole number from 1. Go back to the inbox at /.`;
  }

  /** What the open inbox page compares: the shown page's cases and revisions, and the total. */
  const inboxStateKey = (total: number, rows: { caseId: string; revision?: string }[]) => `${total}|${rows.map((r) => `${r.caseId}@${r.revision}`).join(',')}`;

  async function inboxPageData(who: string | undefined, page: number): Promise<InboxListing> {
    const all = await listing(who);
    const pageSize = reviewPageSize();
    const shown = all.slice((page - 1) * pageSize, page * pageSize);
    const missing = shown.filter((l) => !inboxDetails.get(l.key));
    // Details are fixed per run and revision (QA counts, review deadline), so each is read once.
    let next = 0;
    const fetchOne = async () => {
      while (next < missing.length) {
        const item = missing[next++];
        try {
          const s = await reader.snapshot(item.caseId);
          inboxDetails.set(item.key, {
            caseId: item.caseId,
            company: s.progress.company,
            title: s.progress.title,
            revision: s.packet.revision,
            deadline: s.deadline,
            qa: s.packet.qa && { errors: s.packet.qa.errors, warnings: s.packet.qa.warnings },
          });
        } catch {
          // Closed or unreachable since it was listed: shown without details.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, missing.length) }, fetchOne));
    return {
      rows: shown.map((l) => ({ caseId: l.caseId, revision: l.revision, ...inboxDetails.get(l.key), pending: l.pending })),
      total: all.length,
      page,
      pages: Math.max(1, Math.ceil(all.length / pageSize)),
      pageSize,
      reviewers: [...new Set(all.flatMap((r) => r.pending))].sort(),
      state: inboxStateKey(all.length, shown),
    };
  }

  app.get<{ Querystring: { page?: string } }>('/', async (req, reply) => {
    const page = pageOf(req.query.page);
    if (typeof page === 'string') return reply.code(400).type('text/plain; charset=utf-8').send(page);
    const data = await inboxPageData(req.reviewer, page);
    return html(reply, inboxPage(ctxOf(req, reply), data));
  });
  app.get<{ Querystring: { page?: string } }>('/inbox/state', async (req, reply) => {
    const page = pageOf(req.query.page);
    if (typeof page === 'string') return reply.code(400).send({ error: page });
    // Visibility only: no case is read in full to answer a poll.
    const all = await listing(req.reviewer);
    const pageSize = reviewPageSize();
    return { key: inboxStateKey(all.length, all.slice((page - 1) * pageSize, page * pageSize)), total: all.length };
  });

  // ---- a case -------------------------------------------------------------------------------
  const stateKey = (phase: string, revision: string | undefined, pending: string[]) => `${phase}|${revision ?? ''}|${pending.join(',')}`;

  async function caseView(snapshot: CaseSnapshot, who: string | undefined, from?: string): Promise<CaseView> {
    const { packet, progress } = snapshot;
    const view: CaseView = { snapshot, stateKey: stateKey(progress.phase, packet.revision, progress.pendingReviewers), pollMs };
    const readMarkdown = async (revision?: string) => {
      const entry = snapshot.revisions.find((r) => r.revision === (revision ?? packet.revision));
      const cached = entry?.ref ? drafts.get(entry.ref) : undefined;
      if (cached !== undefined) return cached;
      const { markdown } = await reader.markdown(snapshot, revision);
      return entry?.ref ? drafts.set(entry.ref, markdown) : markdown;
    };
    // Revisions are content hashes, so the diff of two of them never changes.
    const cachedDiff = async (base: string, markdown: string) => {
      const key = `${base}:${packet.revision}`;
      return diffs.get(key) ?? diffs.set(key, diffHtml(await readMarkdown(base), markdown));
    };
    if (packet.revision && packet.draft) {
      try {
        const markdown = await readMarkdown();
        const findings = packet.qa && progress.qa?.revision === packet.revision ? packet.qa.findings : [];
        const key = `${packet.draft.ref}:${JSON.stringify(findings)}`;
        view.draftHtml = rendered.get(key) ?? rendered.set(key, await renderDraft(markdown, findings));
        const base = from ?? diffBase(snapshot, who);
        if (base && base !== packet.revision) {
          const decided = who ? lastDecidedRevision(snapshot.audit, who) : undefined;
          view.diff = {
            from: base,
            to: packet.revision,
            html: await cachedDiff(base, markdown),
            reason: from ? 'between the revisions asked for' : base === decided ? `since ${who}'s last decision` : 'since the previous revision',
          };
        }
      } catch (err) {
        if (!(err instanceof DraftNotFound)) throw err;
        view.message = { kind: 'error', text: `${err.message} ${err.hint}` };
      }
    }
    if (snapshot.dossierRef) {
      try {
        view.dossier = dossiers.get(snapshot.dossierRef) ?? dossiers.set(snapshot.dossierRef, await store.readDossier(snapshot.dossierRef));
      } catch {
        // Without the dossier, figures still show their source title and link, only no excerpt.
      }
    }
    return view;
  }

  const notFound = (req: FastifyRequest, reply: FastifyReply, caseId: string) =>
    html(reply, layout('Not found', ctxOf(req, reply), `<h1>No case “${esc(caseId)}”</h1><p>Start it with <code>casebook start ${esc(caseId)}</code>, or go back to the <a href="/">inbox</a>.</p>`), 404);

  app.get<{ Params: { caseId: string }; Querystring: { from?: string; decided?: string; rev?: string } }>('/cases/:caseId', async (req, reply) => {
    const { caseId } = req.params;
    if (!CASE_ID_PATTERN.test(caseId)) return notFound(req, reply, caseId);
    let snapshot: CaseSnapshot;
    try {
      snapshot = await reader.snapshot(caseId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return notFound(req, reply, caseId);
      throw err;
    }
    const from = req.query.from && /^[a-f0-9]{12}$/.test(req.query.from) ? req.query.from : undefined;
    const view = await caseView(snapshot, req.reviewer, from);
    if (req.query.decided && !view.message) {
      view.message = { kind: 'ok', text: req.query.decided === 'approve' ? `Approval of revision ${req.query.rev ?? ''} recorded.` : `Change request on revision ${req.query.rev ?? ''} recorded; the case goes back for rework.` };
    }
    return html(reply, casePage(ctxOf(req, reply), view));
  });

  app.get<{ Params: { caseId: string } }>('/cases/:caseId/state', async (req, reply) => {
    if (!CASE_ID_PATTERN.test(req.params.caseId)) return reply.code(404).send({ error: 'no such case' });
    try {
      const p = await reader.handle(req.params.caseId).query(progressQuery);
      return { key: stateKey(p.phase, p.revision, p.pendingReviewers), phase: p.phase, revision: p.revision };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ error: 'no such case' });
      throw err;
    }
  });

  app.post<{ Params: { caseId: string }; Body: { decision?: string; reviewer?: string; revision?: string; comment?: string; backTo?: string } }>(
    '/cases/:caseId/decision',
    { preHandler: app.csrfProtection },
    async (req, reply) => {
      const { caseId } = req.params;
      if (!CASE_ID_PATTERN.test(caseId)) return notFound(req, reply, caseId);
      const body = req.body ?? {};
      const reviewer = auth.mode === 'local' ? (body.reviewer ?? '').trim() : req.reviewer!;
      const comment = body.comment?.trim() || undefined;
      const revision = body.revision || undefined;
      let problem: string | undefined;
      if (!reviewer) problem = 'Pick who is deciding.';
      else if (body.decision !== 'approve' && body.decision !== 'requestChanges') problem = 'Choose Approve or Request changes.';
      else if (body.decision === 'requestChanges' && body.backTo && !(REWORK_PHASES as readonly string[]).includes(body.backTo)) problem = `Back to must be one of ${REWORK_PHASES.join(', ')}.`;
      const handle = reader.handle(caseId);
      if (!problem) {
        try {
          if (body.decision === 'approve') {
            await handle.executeUpdate(approveUpdate, { args: [{ reviewer, revision, comment }] });
          } else {
            await handle.executeUpdate(requestChangesUpdate, { args: [{ reviewer, revision, comment: comment ?? '', backTo: (body.backTo as ReworkPhase) ?? 'writing' }] });
          }
          if (auth.mode === 'local') reply.setCookie(PICK_COOKIE, reviewer, { httpOnly: true, sameSite: 'strict', path: '/' });
          return reply.redirect(`/cases/${encodeURIComponent(caseId)}?decided=${body.decision}&rev=${encodeURIComponent(revision ?? '')}`, 303);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return notFound(req, reply, caseId);
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          // The workflow's validator said no: show its words.
          problem = `Not recorded: ${err.cause instanceof Error ? err.cause.message : err.message}`;
        }
      }
      const snapshot = await reader.snapshot(caseId);
      const view = await caseView(snapshot, reviewer || req.reviewer);
      view.message = { kind: 'error', text: problem };
      return html(reply, casePage({ ...ctxOf(req, reply), who: reviewer || req.reviewer }, view), 409);
    },
  );

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const text =
      err.code?.startsWith('FST_CSRF')
        ? 'The form has expired or did not come from this page (CSRF check). Reload the page and try again.'
        : status === 500
          ? `The review page failed: ${err.message}. Check that the Temporal server and the worker are running.`
          : err.message;
    if (status === 500) req.log.error(err);
    return reply.code(status).type('text/plain; charset=utf-8').send(text);
  });

  return app;
}

export interface ReviewServerOptions extends Partial<ReviewAppOptions> {
  host?: string;
  port?: number;
  /** Write `.casebook/review-server.json` so the CLI finds the page (npm start, npm run review). */
  announce?: boolean;
}

export interface RunningReviewServer {
  url: string;
  app: FastifyInstance;
  close: () => Promise<void>;
}

/**
 * Starts the review page: `CASEBOOK_REVIEW_HOST` (127.0.0.1) and `CASEBOOK_REVIEW_PORT` (8234)
 * unless given; authentication from the environment (see auth.ts). Connects its own Temporal client
 * when none is given, and closes it on `close()`.
 */
export async function startReviewServer(options: ReviewServerOptions = {}): Promise<RunningReviewServer> {
  const host = options.host ?? reviewListen().host;
  const port = options.port ?? reviewListen().port;
  const auth = options.auth ?? authFromEnv(host);
  let client = options.client;
  const ownClient = !client;
  if (!client) {
    const { connectClient } = await import('../connection');
    client = await connectClient();
  }
  const app = await buildReviewApp({ ...options, client, auth, secret: options.secret ?? reviewSecret() });
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if (ownClient) await client.connection.close();
    const code = (err as { code?: string }).code;
    throw new Error(code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use; choose another with CASEBOOK_REVIEW_PORT.` : `the review page cannot listen on ${host}:${port}: ${String(err)}`, { cause: err });
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host}:${actualPort}`;
  let announced = false;
  if (options.announce) {
    try {
      mkdirSync(path.dirname(reviewServerInfoFile()), { recursive: true });
      writeFileSync(reviewServerInfoFile(), JSON.stringify({ url, pid: process.pid, auth: auth.mode }, null, 2));
      announced = true;
    } catch {
      // A read-only state folder (the compose service): the CLI then uses CASEBOOK_REVIEW_URL.
    }
  }
  return {
    url,
    app,
    close: async () => {
      if (announced) rmSync(reviewServerInfoFile(), { force: true });
      await app.close();
      if (ownClient) await client.connection.close();
    },
  };
}
