import { promises as dns } from 'node:dns';
import { constants as fsConstants, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TextDecoder } from 'node:util';
import { Context } from '@temporalio/activity';
import { convert } from 'html-to-text';
import { extractFacts, figureInText, parseExcerpt } from '../src/domain/facts';
import type { CaseBrief, CollectedSource, Dossier, DossierSummary, Fact, PageSnapshot, ResearchNote, SourceKind, SourceRef } from '../src/domain/types';
import { getSnapshotRecord, putJson, putSnapshot, putSnapshotRecord } from './store';
import { intSetting, setting, type SettingName } from '../src/config';

/** Input of {@link collectSources}. */
export interface CollectSourcesInput {
  caseId: string;
  /** Absolute path of the plan file; `file:` sources are read relative to its folder. */
  planFile: string;
  /** The sources to collect; absent when `brief` is given (its sources are collected). */
  sources?: SourceRef[];
  /** Stored in the dossier, so analysis and writing read it from there (the brief travels once). */
  brief?: CaseBrief;
  notes: ResearchNote[];
}

const ALLOWED_TYPES = new Set(['text/html', 'text/plain', 'text/markdown', 'application/xhtml+xml', 'application/json']);
const FILE_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.json': 'application/json',
};
const MAX_REDIRECTS = 5;

function envList(name: SettingName): string[] {
  return (setting(name) ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/^\[|\]$/g, ''))
    .filter(Boolean);
}

interface Limits {
  timeoutMs: number;
  maxBytes: number;
  attempts: number;
  backoffMs: number;
}

function limits(): Limits {
  return {
    timeoutMs: intSetting('CASEBOOK_FETCH_TIMEOUT_MS', 10_000),
    maxBytes: intSetting('CASEBOOK_FETCH_MAX_BYTES', 2 * 1024 * 1024),
    attempts: intSetting('CASEBOOK_FETCH_ATTEMPTS', 3),
    backoffMs: intSetting('CASEBOOK_FETCH_BACKOFF_MS', 500, 0),
  };
}

/** A source that will never be collected as given: a policy violation or unusable content. */
class Rejected extends Error {}
/** A source that could not be reached; `transient` ones are worth another attempt. */
class Unreachable extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

interface Collected {
  bytes: Buffer;
  contentType: string;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  return family === 4 ? BLOCKED.check(address, 'ipv4') : family === 6 ? BLOCKED.check(address, 'ipv6') : true;
}

function hostMatches(host: string, patterns: string[]): boolean {
  return patterns.some((p) => host === p || host.endsWith(`.${p}`));
}

/**
 * Checks a URL against the scheme rule, the optional host allow-list and the private-network rule.
 * Resolution happens here; fetch resolves again, so a host that changes its answer in between
 * (DNS rebinding) is not covered by this check.
 */
async function checkUrl(url: URL): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Rejected(`scheme ${url.protocol} is not allowed: only http and https sources can be fetched`);
  }
  if (url.username || url.password) throw new Rejected('URLs with credentials are not allowed');
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hosts = envList('CASEBOOK_SOURCE_HOSTS');
  if (hosts.length > 0 && !hostMatches(host, hosts)) {
    throw new Rejected(`host ${host} is not in CASEBOOK_SOURCE_HOSTS (${hosts.join(', ')})`);
  }
  const allow = envList('CASEBOOK_SOURCE_ALLOW');
  if (allow.includes(host)) return;
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Unreachable(`cannot resolve ${host}: ${code ?? (err as Error).message}`, code === 'EAI_AGAIN');
    }
  }
  const blocked = addresses.filter((a) => isBlockedAddress(a) && !allow.includes(a.toLowerCase()));
  if (blocked.length > 0) {
    throw new Rejected(
      `${host} resolves to a loopback, private or reserved address (${blocked.join(', ')}); ` +
        'add the host to CASEBOOK_SOURCE_ALLOW to fetch it anyway',
    );
  }
}

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function charset(header: string | null): string {
  const m = /charset\s*=\s*"?([^";\s]+)/i.exec(header ?? '');
  return m ? m[1].toLowerCase() : 'utf-8';
}

async function readCapped(res: Response, maxBytes: number, abort: () => void): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    abort();
    throw new Rejected(`body of ${declared} bytes is larger than the limit of ${maxBytes} bytes`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      abort();
      throw new Rejected(`body is larger than the limit of ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

async function fetchOnce(start: URL, lim: Limits, cancel: AbortSignal | undefined): Promise<Collected> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, lim.timeoutMs);
  const onCancel = () => controller.abort();
  cancel?.addEventListener('abort', onCancel);
  try {
    let url = start;
    for (let hop = 0; ; hop++) {
      await checkUrl(url);
      let res: Response;
      try {
        res = await fetch(url, {
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: [...ALLOWED_TYPES].join(', '), 'user-agent': 'casebook-research/0.1' },
        });
      } catch (err) {
        if (cancel?.aborted) throw err;
        throw new Unreachable(
          timedOut ? `no answer within ${lim.timeoutMs} ms` : `network error: ${causeMessage(err)}`,
          true,
        );
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new Rejected(`more than ${MAX_REDIRECTS} redirects`);
        url = new URL(res.headers.get('location')!, url);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        throw new Unreachable(`HTTP ${res.status} from ${url.href}`, true);
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel();
        throw new Unreachable(`HTTP ${res.status} from ${url.href}`, false);
      }
      const type = mediaType(res.headers.get('content-type'));
      if (!ALLOWED_TYPES.has(type)) {
        await res.body?.cancel();
        throw new Rejected(`content type ${type || '(none)'} is not allowed (${[...ALLOWED_TYPES].join(', ')})`);
      }
      try {
        const bytes = await readCapped(res, lim.maxBytes, () => controller.abort());
        return { bytes, contentType: res.headers.get('content-type') ?? type };
      } catch (err) {
        if (err instanceof Rejected || cancel?.aborted) throw err;
        throw new Unreachable(timedOut ? `no complete answer within ${lim.timeoutMs} ms` : causeMessage(err), true);
      }
    }
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

function causeMessage(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fetches a URL, retrying transient failures (network errors, timeouts, 429, 5xx) with backoff. */
async function fetchUrl(url: URL, cancel: AbortSignal | undefined): Promise<Collected> {
  const lim = limits();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, lim, cancel);
    } catch (err) {
      if (!(err instanceof Unreachable) || !err.transient || attempt >= lim.attempts || cancel?.aborted) throw err;
      await sleep(lim.backoffMs * 2 ** (attempt - 1));
    }
  }
}

/** Reads a `file:` source, confined to the plan file's folder (no absolute paths, `..` or symlink escapes). */
async function readLocal(rel: string, planFile: string): Promise<Collected> {
  if (rel === '' || path.isAbsolute(rel) || path.win32.isAbsolute(rel) || rel.includes('\0')) {
    throw new Rejected(`file source must be a relative path inside the plan folder, got ${JSON.stringify(rel)}`);
  }
  const base = path.dirname(path.resolve(planFile));
  const target = path.resolve(base, rel);
  const inside = (root: string, p: string) => {
    const r = path.relative(root, p);
    return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
  };
  if (!inside(base, target)) throw new Rejected(`file source ${rel} leaves the plan folder ${base}`);
  let real: string;
  try {
    real = await fs.realpath(target);
  } catch {
    throw new Unreachable(`file ${rel} not found in ${base}`, false);
  }
  if (!inside(await fs.realpath(base), real)) {
    throw new Rejected(`file source ${rel} resolves outside the plan folder (symbolic link)`);
  }
  const type = FILE_TYPES[path.extname(real).toLowerCase()];
  if (!type) {
    throw new Rejected(`file type ${path.extname(real) || '(none)'} is not supported (${Object.keys(FILE_TYPES).join(', ')})`);
  }
  const handle = await fs.open(real, fsConstants.O_RDONLY);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Rejected(`file source ${rel} is not a regular file`);
    const max = limits().maxBytes;
    if (stat.size > max) throw new Rejected(`file ${rel} has ${stat.size} bytes, over the limit of ${max} bytes`);
    return { bytes: await handle.readFile(), contentType: type };
  } finally {
    await handle.close();
  }
}

/** Decodes text content; NUL bytes or bytes that are not valid in the declared charset mean binary. */
function decode(bytes: Buffer, contentType: string): string {
  if (bytes.includes(0)) throw new Rejected('content is binary (contains NUL bytes)');
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset(contentType), { fatal: true });
  } catch {
    decoder = new TextDecoder('utf-8', { fatal: true });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Rejected(`content is not valid ${decoder.encoding} text`);
  }
}

const SKIP = { format: 'skip' } as const;

/** Readable text of a collected document: HTML through html-to-text, Markdown without front matter. */
function readableText(raw: string, contentType: string): string {
  const type = mediaType(contentType);
  if (type === 'text/html' || type === 'application/xhtml+xml') {
    return convert(raw, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', ...SKIP },
        { selector: 'nav', ...SKIP },
        { selector: 'script', ...SKIP },
        { selector: 'style', ...SKIP },
        { selector: 'noscript', ...SKIP },
        { selector: 'svg', ...SKIP },
        { selector: 'form', ...SKIP },
        ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => ({ selector: h, options: { uppercase: false } })),
        { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      ],
    }).trim();
  }
  if (type === 'text/markdown' || type === 'text/plain') {
    return raw.replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n---\r?\n/, '').trim();
  }
  return raw.trim();
}

/** Stores raw bytes in the store's snapshots under their sha256; storing the same bytes twice is a no-op. */
function storeSnapshot(bytes: Buffer): Promise<string> {
  return putSnapshot(bytes);
}

/**
 * Stores a fetched page with its fetch record (`<sha256>.json`: URL, content type, fetch time). The
 * record is written once per content, so fetching unchanged bytes again keeps the first fetch time
 * and the dossier stays the same (research is idempotent).
 */
async function storePage(url: string, got: Collected): Promise<PageSnapshot> {
  const hash = await storeSnapshot(got.bytes);
  const known = await getSnapshotRecord(hash);
  if (known) return { url, sha256: hash, fetchedAt: known.fetchedAt };
  const fetchedAt = new Date().toISOString();
  await putSnapshotRecord(hash, { url, contentType: got.contentType, fetchedAt });
  return { url, sha256: hash, fetchedAt };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id.localeCompare(b.id, 'en', { numeric: true });
}

/** The kind of a source the plan did not classify: a local file is an excerpt, a URL a snapshot. */
function kindOf(ref: SourceRef): SourceKind {
  return ref.kind ?? (isLocal(ref.location) ? 'excerpt' : 'snapshot');
}

function isLocal(location: string): boolean {
  return location.startsWith('file:') && !location.startsWith('file://');
}

/** Fetches a URL under the same policy as any source; failures come back as an error message. */
async function fetchPage(location: string, cancel: AbortSignal | undefined): Promise<Collected> {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new Rejected(`location ${JSON.stringify(location)} is neither a file: path nor an http(s) URL`);
  }
  return fetchUrl(url, cancel);
}

/** Facts of a local excerpt or quote: per excerpt item, with its restatements; per sentence for a quote. */
function localFacts(raw: string, text: string, kind: SourceKind, sourceId: string): Fact[] {
  const items = kind === 'excerpt' ? parseExcerpt(raw) : [];
  const facts =
    items.length > 0
      ? items.flatMap((item) =>
          extractFacts(item.text, sourceId).map((f) => ({ ...f, restatement: { en: item.text, ...(item.zh !== undefined && { zh: item.zh }) } })),
        )
      : extractFacts(text, sourceId);
  return facts.map((f, i) => ({ ...f, id: `${sourceId}-f${i + 1}` }));
}

/**
 * Marks each fact of a local excerpt or quote against the page its URL names: verified when the
 * figure is in the page's text, mismatch when the page was read and the figure is not in it,
 * unverified when the page could not be read.
 */
function checkFacts(facts: Fact[], page: { text: string; snapshot: PageSnapshot } | { error: string }): Fact[] {
  return facts.map((f) => {
    if ('error' in page) return { ...f, status: 'unverified' as const, check: `page not checked: ${page.error}` };
    const found = figureInText(f, page.text);
    return {
      ...f,
      status: found ? ('verified' as const) : ('mismatch' as const),
      check: found
        ? `found in ${page.snapshot.url} (sha256 ${page.snapshot.sha256.slice(0, 12)}, fetched ${page.snapshot.fetchedAt})`
        : `${f.raw} is not in the text of ${page.snapshot.url} (sha256 ${page.snapshot.sha256.slice(0, 12)}, fetched ${page.snapshot.fetchedAt})`,
    };
  });
}

async function collectOne(ref: SourceRef, planFile: string, cancel: AbortSignal | undefined): Promise<{ source: CollectedSource; facts: Fact[] }> {
  const kind = kindOf(ref);
  const base: CollectedSource = {
    id: ref.id,
    title: ref.title,
    location: ref.location,
    kind,
    ...(ref.url !== undefined && { url: ref.url }),
    ...(ref.publisher !== undefined && { publisher: ref.publisher }),
    ...(ref.date !== undefined && { date: ref.date }),
    ...(ref.dateNote !== undefined && { dateNote: ref.dateNote }),
    ...(ref.retrieved !== undefined && { retrieved: ref.retrieved }),
    ...(ref.dataAsOf !== undefined && { dataAsOf: ref.dataAsOf }),
    ...(ref.locator !== undefined && { locator: ref.locator }),
    status: 'ok',
  };
  try {
    if (!isLocal(ref.location)) {
      const got = await fetchPage(ref.location, cancel);
      const text = readableText(decode(got.bytes, got.contentType), got.contentType);
      const page = await storePage(ref.location, got);
      const facts = extractFacts(text, ref.id).map((f) => ({ ...f, status: 'verified' as const, check: `taken from the fetched page ${page.url} (sha256 ${page.sha256.slice(0, 12)}, fetched ${page.fetchedAt})` }));
      return { source: { ...base, snapshot: page.sha256, page, text }, facts };
    }
    const got = await readLocal(ref.location.slice('file:'.length), planFile);
    const raw = decode(got.bytes, got.contentType);
    const text = readableText(raw, got.contentType);
    const source: CollectedSource = { ...base, excerpt: await storeSnapshot(got.bytes), text };
    const facts = localFacts(raw, text, kind, ref.id);
    if (!ref.url) return { source, facts: checkFacts(facts, { error: 'the source names no public URL' }) };
    try {
      const pageBytes = await fetchPage(ref.url, cancel);
      const pageText = readableText(decode(pageBytes.bytes, pageBytes.contentType), pageBytes.contentType);
      const page = await storePage(ref.url, pageBytes);
      return { source: { ...source, page }, facts: checkFacts(facts, { text: pageText, snapshot: page }) };
    } catch (err) {
      if (cancel?.aborted || !(err instanceof Rejected || err instanceof Unreachable)) throw err;
      const error = `${ref.url} could not be read (${err.message})`;
      return { source: { ...source, pageError: error }, facts: checkFacts(facts, { error }) };
    }
  } catch (err) {
    if (cancel?.aborted) throw err;
    if (err instanceof Rejected) return { source: { ...base, status: 'rejected', error: err.message }, facts: [] };
    if (err instanceof Unreachable) return { source: { ...base, status: 'unreachable', error: err.message }, facts: [] };
    throw err;
  }
}

function compareNotes(a: ResearchNote, b: ResearchNote): number {
  return a.at.localeCompare(b.at) || a.author.localeCompare(b.author) || a.text.localeCompare(b.text);
}

/**
 * Research activity: collects every source of a brief and the researchers' notes into a dossier.
 *
 * `file:` sources are read from the plan file's folder and may not leave it; http(s) sources are
 * fetched with a timeout (`CASEBOOK_FETCH_TIMEOUT_MS`, 10 s), a size cap (`CASEBOOK_FETCH_MAX_BYTES`,
 * 2 MB), a content-type allow-list, at most 5 redirects, and never from loopback, private or reserved
 * addresses unless the host is listed in `CASEBOOK_SOURCE_ALLOW`; `CASEBOOK_SOURCE_HOSTS`, when set,
 * limits fetching to those hosts and their subdomains. Transient failures are retried here
 * (`CASEBOOK_FETCH_ATTEMPTS`, 3; `CASEBOOK_FETCH_BACKOFF_MS`, 500, doubling); 4xx is not.
 * A source that cannot be collected is recorded as `unreachable` or `rejected`, never fatal.
 *
 * A `file:` source is an excerpt (or a quote) of the page its `url` names: when that page can be
 * fetched, it is stored as a snapshot (SHA-256 and fetch time) and every figure the excerpt states
 * is looked up in the page's text, so each fact is `verified`, `mismatch` (the page was read and the
 * figure is not in it) or `unverified` (the page could not be read). An http(s) source is the
 * fetched page itself (kind `snapshot`); its facts are taken from that page.
 *
 * Snapshots are stored by content hash (with the first fetch time of that content) and the dossier
 * through `putJson`, so the activity is idempotent: the same inputs and the same fetched content give
 * the same dossier reference.
 */
export async function collectSources(input: CollectSourcesInput): Promise<DossierSummary> {
  const ctx = activityContext();
  const cancel = ctx?.cancellationSignal;
  const sources: CollectedSource[] = [];
  const facts: Fact[] = [];
  const refs = [...(input.sources ?? input.brief?.sources ?? [])].sort(byId);
  for (const [i, ref] of refs.entries()) {
    ctx?.heartbeat({ source: ref.id, done: i, total: refs.length });
    const collected = await collectOne(ref, input.planFile, cancel);
    sources.push(collected.source);
    facts.push(...collected.facts);
  }
  const notes = [...input.notes].sort(compareNotes);
  for (const [i, note] of notes.entries()) {
    const id = `note-${i + 1}`;
    sources.push({
      id,
      title: `Research note by ${note.author} (${note.at})`,
      location: note.url ?? `note:${i + 1}`,
      kind: 'excerpt',
      ...(note.url !== undefined && { url: note.url }),
      status: 'ok',
      excerpt: await storeSnapshot(Buffer.from(note.text, 'utf8')),
      text: note.text,
    });
    facts.push(...checkFacts(extractFacts(note.text, id), { error: 'a research note; its figures were not checked against a page' }));
  }
  ctx?.heartbeat({ done: refs.length, total: refs.length });
  const dossier: Dossier = { caseId: input.caseId, sources, facts, notes, ...(input.brief && { brief: input.brief }) };
  const ref = await putJson(dossier);
  return {
    ref,
    sources: sources.map(({ id, title, status, error }) => ({ id, title, status, ...(error !== undefined && { error }) })),
    factCount: facts.length,
  };
}
