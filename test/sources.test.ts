import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { collectSources } from '../activities/sources';
import { getJson, getSnapshot, sha256 } from '../activities/store';
import type { Dossier, DossierSummary, ResearchNote, SourceRef } from '../src/domain/types';

const FIXTURES = path.join(__dirname, 'fixtures', 'sources');
const PAGE = readFileSync(path.join(FIXTURES, 'page.html'));
const MAX_BYTES = 64 * 1024;

const hits = new Map<string, number>();
let server: http.Server;
let base: string;
let home: string;
let planFile: string;
const savedEnv = { ...process.env };

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  const n = (hits.get(url) ?? 0) + 1;
  hits.set(url, n);
  switch (url) {
    case '/page.html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    case '/flaky':
      if (n === 1) res.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('The queue drains 900 messages per second.');
      return;
    case '/always-500':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
      return;
    case '/huge': {
      // No content-length: the cap must hold while streaming.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < MAX_BYTES * 4 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    case '/declared-huge':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(MAX_BYTES * 2) });
      res.end(Buffer.alloc(MAX_BYTES * 2, 'b'));
      return;
    case '/binary':
      res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]));
      return;
    case '/image':
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('not really a png'));
      return;
    case '/slow': {
      const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), 5_000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case '/to-private':
      res.writeHead(302, { location: 'http://10.0.0.1/internal' }).end();
      return;
    case '/to-page':
      res.writeHead(301, { location: '/page.html' }).end();
      return;
    case '/loop':
      res.writeHead(302, { location: '/loop' }).end();
      return;
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-sources-'));
  home = path.join(tmp, 'home');
  const planDir = path.join(tmp, 'plan');
  await fs.cp(path.join(FIXTURES, 'plan'), planDir, { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'outside.md'), path.join(tmp, 'outside.md'));
  await fs.writeFile(path.join(planDir, 'excerpts', 'blob.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
  await fs.symlink(path.join(tmp, 'outside.md'), path.join(planDir, 'excerpts', 'escape.md'));
  planFile = path.join(planDir, 'plan.yaml');
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits.clear();
  process.env = {
    ...savedEnv,
    CASEBOOK_HOME: home,
    CASEBOOK_SOURCE_ALLOW: '127.0.0.1',
    CASEBOOK_FETCH_TIMEOUT_MS: '300',
    CASEBOOK_FETCH_MAX_BYTES: String(MAX_BYTES),
    CASEBOOK_FETCH_ATTEMPTS: '3',
    CASEBOOK_FETCH_BACKOFF_MS: '5',
  };
  delete process.env.CASEBOOK_SOURCE_HOSTS;
});

afterAll(() => {
  process.env = savedEnv;
});

function src(id: string, location: string): SourceRef {
  return { id, location, title: `source ${id}` };
}

async function run(sources: SourceRef[], notes: ResearchNote[] = [], onHeartbeat?: (d: unknown) => void) {
  const env = new MockActivityEnvironment();
  if (onHeartbeat) env.on('heartbeat', onHeartbeat);
  const summary: DossierSummary = await env.run(collectSources, { caseId: 'example', planFile, sources, notes });
  return { summary, dossier: await getJson<Dossier>(summary.ref) };
}

function byId(d: Dossier, id: string) {
  const found = d.sources.find((s) => s.id === id);
  if (!found) throw new Error(`no source ${id}`);
  return found;
}

describe('collectSources over http', () => {
  test('collects an HTML page: readable text, facts with its source id, snapshot by hash', async () => {
    const { summary, dossier } = await run([src('S1', `${base}/page.html`)]);
    const s1 = byId(dossier, 'S1');
    expect(s1.status).toBe('ok');
    expect(s1.text).toContain('12,000 requests per second');
    // nav, script, style, images and link targets are dropped
    expect(s1.text).not.toMatch(/31337|color: red|About 100 pages|777 bars|example\.com\/report/);
    const facts = dossier.facts.filter((f) => f.sourceId === 'S1');
    expect(facts.map((f) => [f.id, f.value, f.unit, f.metric])).toEqual([
      ['S1-f1', 12_000, 'req/s', 'throughput'],
      ['S1-f2', 85, 'ms', 'latency'],
      ['S1-f3', 99.95, '%', 'reliability'],
      ['S1-f4', 3_200_000, 'merchants', 'scale'],
    ]);
    expect(summary.factCount).toBe(4);
    const snapshot = await getSnapshot(s1.snapshot!);
    expect(snapshot.equals(PAGE)).toBe(true);
    expect(summary.sources).toEqual([{ id: 'S1', title: 'source S1', status: 'ok' }]);
  });

  test('a 404 is recorded as unreachable and requested exactly once', async () => {
    const { dossier } = await run([src('S1', `${base}/missing`)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'unreachable', error: expect.stringContaining('HTTP 404') });
    expect(hits.get('/missing')).toBe(1);
  });

  test('a 503 is retried, then the 200 is collected', async () => {
    const { dossier } = await run([src('S1', `${base}/flaky`)]);
    expect(byId(dossier, 'S1').status).toBe('ok');
    expect(hits.get('/flaky')).toBe(2);
    expect(dossier.facts.map((f) => [f.value, f.unit])).toEqual([[900, 'messages/s']]);
  });

  test('a 5xx that never recovers is retried a bounded number of times, then recorded', async () => {
    const { dossier } = await run([src('S1', `${base}/always-500`)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'unreachable', error: expect.stringContaining('HTTP 500') });
    expect(hits.get('/always-500')).toBe(3);
  });

  test('a response slower than the timeout is unreachable after its retries', async () => {
    const { dossier } = await run([src('S1', `${base}/slow`)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'unreachable', error: expect.stringContaining('300 ms') });
    expect(hits.get('/slow')).toBe(3);
  });

  test('oversized bodies are rejected, streamed or declared', async () => {
    const { dossier } = await run([src('S1', `${base}/huge`), src('S2', `${base}/declared-huge`)]);
    for (const id of ['S1', 'S2']) {
      expect(byId(dossier, id)).toMatchObject({ status: 'rejected', error: expect.stringContaining(`${MAX_BYTES} bytes`) });
    }
  });

  test('binary content and disallowed content types are rejected', async () => {
    const { dossier } = await run([src('S1', `${base}/binary`), src('S2', `${base}/image`)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining('binary') });
    expect(byId(dossier, 'S2')).toMatchObject({ status: 'rejected', error: expect.stringContaining('image/png') });
  });

  test('redirects are followed with each hop re-checked', async () => {
    const { dossier } = await run([
      src('S1', `${base}/to-page`),
      src('S2', `${base}/to-private`),
      src('S3', `${base}/loop`),
    ]);
    expect(byId(dossier, 'S1').status).toBe('ok');
    expect(byId(dossier, 'S2')).toMatchObject({ status: 'rejected', error: expect.stringContaining('10.0.0.1') });
    expect(byId(dossier, 'S3')).toMatchObject({ status: 'rejected', error: expect.stringContaining('redirects') });
    expect(hits.get('/loop')).toBe(6);
  });

  test('schemes other than http and https are rejected', async () => {
    const { dossier } = await run([src('S1', 'ftp://example.org/file.txt'), src('S2', 'file:///etc/passwd'), src('S3', 'gopher://x')]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining('ftp:') });
    expect(byId(dossier, 'S2').status).toBe('rejected');
    expect(byId(dossier, 'S3').status).toBe('rejected');
  });

  test('loopback is rejected unless allow-listed', async () => {
    delete process.env.CASEBOOK_SOURCE_ALLOW;
    const { dossier } = await run([src('S1', `${base}/page.html`)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining('CASEBOOK_SOURCE_ALLOW') });
    expect(hits.size).toBe(0);
  });

  test.each([
    'http://10.1.2.3/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
  ])('private, link-local, CGNAT and unspecified targets are rejected: %s', async (url) => {
    const { dossier } = await run([src('S1', url)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining('address') });
  });

  test('CASEBOOK_SOURCE_HOSTS limits fetching to the listed hosts', async () => {
    process.env.CASEBOOK_SOURCE_HOSTS = 'example.org';
    const rejected = await run([src('S1', `${base}/page.html`)]);
    expect(byId(rejected.dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining('CASEBOOK_SOURCE_HOSTS') });
    process.env.CASEBOOK_SOURCE_HOSTS = 'example.org,127.0.0.1';
    const allowed = await run([src('S1', `${base}/page.html`)]);
    expect(byId(allowed.dossier, 'S1').status).toBe('ok');
  });
});

describe('collectSources from files', () => {
  test('reads a file relative to the plan folder, without its front matter', async () => {
    const { dossier } = await run([src('S1', 'file:excerpts/example-corp.md')]);
    const s1 = byId(dossier, 'S1');
    expect(s1.status).toBe('ok');
    expect(s1.text).toMatch(/^# Example Corp/);
    expect(dossier.facts.map((f) => [f.id, f.value, f.unit])).toEqual([['S1-f1', 120, 'ms']]);
  });

  test.each([
    ['a .. escape', 'file:../outside.md', 'leaves the plan folder'],
    ['an absolute path', `file:${path.join(FIXTURES, 'outside.md')}`, 'relative path'],
    ['a symlink out of the folder', 'file:excerpts/escape.md', 'symbolic link'],
    ['binary content', 'file:excerpts/blob.txt', 'binary'],
    ['an unsupported file type', 'file:excerpts/data.csv', '.csv'],
  ])('rejects %s', async (_label, location, message) => {
    const { dossier } = await run([src('S1', location)]);
    expect(byId(dossier, 'S1')).toMatchObject({ status: 'rejected', error: expect.stringContaining(message) });
    expect(dossier.facts).toEqual([]);
  });

  test('a missing file is unreachable, not fatal', async () => {
    const { dossier } = await run([src('S1', 'file:excerpts/none.md'), src('S2', 'file:excerpts/example-corp.md')]);
    expect(byId(dossier, 'S1').status).toBe('unreachable');
    expect(byId(dossier, 'S2').status).toBe('ok');
  });
});

describe('collectSources dossier', () => {
  const notes: ResearchNote[] = [
    { author: 'lin', text: 'Support answers within 4 hours.', at: '2025-01-02T00:00:00Z' },
    { author: 'ana', text: '结算延迟约 2 秒。', url: 'https://example.org/notes', at: '2025-01-01T00:00:00Z' },
  ];
  const sources = () => [
    src('S10', 'file:excerpts/example-corp.md'),
    src('S2', `${base}/missing`),
    src('S1', `${base}/page.html`),
  ];

  test('notes become sources and facts; order is stable; a second run gives the same ref', async () => {
    const beats: unknown[] = [];
    const first = await run(sources(), notes, (d) => beats.push(d));
    expect(first.dossier.sources.map((s) => s.id)).toEqual(['S1', 'S2', 'S10', 'note-1', 'note-2']);
    expect(first.dossier.notes.map((n) => n.author)).toEqual(['ana', 'lin']);
    expect(byId(first.dossier, 'note-1')).toMatchObject({ url: 'https://example.org/notes', status: 'ok' });
    expect(first.dossier.facts.filter((f) => f.sourceId.startsWith('note-')).map((f) => [f.id, f.value, f.unit])).toEqual([
      ['note-1-f1', 2, 's'],
      ['note-2-f1', 4, 'h'],
    ]);
    expect(beats.length).toBeGreaterThanOrEqual(3);

    const second = await run(sources().reverse(), [...notes].reverse());
    expect(second.summary.ref).toBe(first.summary.ref);
    for (const s of first.dossier.sources.filter((x) => x.snapshot)) expect(sha256(await getSnapshot(s.snapshot!))).toBe(s.snapshot);
  });

  test('different content gives a different dossier', async () => {
    const a = await run([src('S1', 'file:excerpts/example-corp.md')]);
    const b = await run([src('S1', 'file:excerpts/example-corp.md')], [notes[0]]);
    expect(a.summary.ref).not.toBe(b.summary.ref);
  });
});
