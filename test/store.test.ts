/**
 * The store contract, run against both backends: the local directory and PostgreSQL (a private
 * cluster started for this file). Then what only PostgreSQL has: versioned migrations, a database
 * created on first use, several workers sharing one store.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  closeStores,
  currentStore,
  getArtifact,
  getJson,
  getSnapshot,
  NotInStoreError,
  putArtifact,
  putJson,
  putSnapshot,
  readDraft,
  sha256,
} from '../src/store';
import { LocalStore } from '../src/store/local';
import { MIGRATIONS, parsePostgresUrl, PostgresStore } from '../src/store/postgres';
import { startPostgres, type PostgresCluster } from './helpers/postgres';

const saved = { home: process.env.CASEBOOK_HOME, url: process.env.CASEBOOK_STORE_URL };
let pg: PostgresCluster;
let tmp: string;
let schemaCount = 0;

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  await closeStores();
  await pg?.stop();
  if (saved.home === undefined) delete process.env.CASEBOOK_HOME;
  else process.env.CASEBOOK_HOME = saved.home;
  if (saved.url === undefined) delete process.env.CASEBOOK_STORE_URL;
  else process.env.CASEBOOK_STORE_URL = saved.url;
});

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-store-'));
  process.env.CASEBOOK_HOME = tmp;
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

interface Backend {
  /** Points CASEBOOK_STORE_URL (or CASEBOOK_HOME) at a fresh, empty store. */
  select(): void;
  /** Changes a stored blob's bytes behind the store's back. */
  damage(kind: 'artifact' | 'snapshot', key: string): Promise<void>;
}

async function sql(database: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: pg.url(database) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

const backends: [string, Backend][] = [
  [
    'local directory',
    {
      select: () => {
        delete process.env.CASEBOOK_STORE_URL;
      },
      damage: async (kind, key) => {
        await fs.writeFile(new LocalStore(tmp).blobPath(kind, key), 'tampered');
      },
    },
  ],
  [
    'PostgreSQL',
    {
      select: () => {
        schemaCount += 1;
        process.env.CASEBOOK_STORE_URL = `${pg.url('casebook')}?schema=contract_${schemaCount}`;
      },
      damage: async (kind, key) => {
        const table = kind === 'artifact' ? 'artifacts' : 'snapshots';
        const column = kind === 'artifact' ? 'ref' : 'sha256';
        await sql('casebook', `UPDATE contract_${schemaCount}.${table} SET content = 'tampered' WHERE ${column} = $1`, [key]);
      },
    },
  ],
];

describe.each(backends)('store contract: %s', (_name, backend) => {
  beforeEach(() => backend.select());

  test('an artifact is stored under its sha256 and read back, text and JSON', async () => {
    const markdown = '# 案例\n\nText 5 ms[^S1].\n';
    const ref = await putArtifact(markdown, 'md');
    expect(ref).toBe(`${sha256(markdown)}.md`);
    expect(await getArtifact(ref)).toBe(markdown);
    expect(await readDraft(ref)).toBe(markdown);
    const jsonRef = await putJson({ caseId: 'square', n: [1, 2] });
    expect(await getJson(jsonRef)).toEqual({ caseId: 'square', n: [1, 2] });
  });

  test('storing the same content again, even concurrently, gives the same reference and one copy', async () => {
    const refs = await Promise.all(Array.from({ length: 8 }, () => putArtifact('same content\n', 'md')));
    expect(new Set(refs).size).toBe(1);
    expect(await getArtifact(refs[0]!)).toBe('same content\n');
    expect(await putArtifact('other content\n', 'md')).not.toBe(refs[0]);
  });

  test('a missing artifact is a NotInStoreError with code ENOENT; a malformed reference is refused', async () => {
    const missing = `${'a'.repeat(64)}.md`;
    const err = await getArtifact(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotInStoreError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((err as Error).message).toContain(currentStore().description);
    await expect(getArtifact('../../etc/passwd')).rejects.toThrow(/^not an artifact reference/);
    await expect(putArtifact('x', '../x')).rejects.toThrow(/^not an artifact reference/);
  });

  test('a damaged artifact or snapshot is refused, never returned', async () => {
    const ref = await putArtifact('original\n', 'md');
    await backend.damage('artifact', ref);
    await expect(getArtifact(ref)).rejects.toThrow(/is damaged/);
    const hash = await putSnapshot(Buffer.from('snapshot bytes'));
    await backend.damage('snapshot', hash);
    await expect(getSnapshot(hash)).rejects.toThrow(/is damaged/);
  });

  test('snapshots keep raw bytes under their sha256', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x0a, 0x00]);
    const hash = await putSnapshot(bytes);
    expect(hash).toBe(sha256(bytes));
    expect(await putSnapshot(bytes)).toBe(hash);
    expect(Buffer.compare(await getSnapshot(hash), bytes)).toBe(0);
    await expect(getSnapshot('f'.repeat(64))).rejects.toBeInstanceOf(NotInStoreError);
  });

  test('the publish journal is one replaceable entry per case', async () => {
    const store = currentStore();
    expect(await store.getJournal('square')).toBeNull();
    await store.putJournal('square', { revision: 'r1', previousRef: null });
    await store.putJournal('paypal', { revision: 'p1' });
    await store.putJournal('square', { revision: 'r2', previousRef: null });
    expect(await store.getJournal('square')).toEqual({ revision: 'r2', previousRef: null });
    await store.deleteJournal('square');
    await store.deleteJournal('square');
    expect(await store.getJournal('square')).toBeNull();
    expect(await store.getJournal('paypal')).toEqual({ revision: 'p1' });
  });

  test('the notification log appends a keyed line once per event, unkeyed lines always, in order', async () => {
    const store = currentStore();
    const line = (n: number, key?: string, event?: string) => JSON.stringify({ n, ...(key && { key }), ...(event && { event }) });
    expect(await store.appendLog(line(1, 'k1'), 'k1', 'notified')).toBe(true);
    expect(await store.appendLog(line(2, 'k1'), 'k1', 'notified')).toBe(false);
    expect(await store.hasLog('k1', 'webhook-delivered')).toBe(false);
    expect(await store.appendLog(line(3, 'k1', 'webhook-delivered'), 'k1', 'webhook-delivered')).toBe(true);
    expect(await store.hasLog('k1', 'webhook-delivered')).toBe(true);
    expect(await store.appendLog(line(4), undefined, 'notified')).toBe(true);
    expect(await store.appendLog(line(5), undefined, 'notified')).toBe(true);
    const results = await Promise.all([6, 7, 8, 9].map((n) => store.appendLog(line(n, 'k2'), 'k2', 'notified')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const numbers = (await store.readLog()).map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers.slice(0, 4)).toEqual([1, 3, 4, 5]);
    expect(numbers).toHaveLength(5);
  });
});

describe('local directory layout', () => {
  test('is the one .casebook/ has always had, so existing homes keep working', async () => {
    delete process.env.CASEBOOK_STORE_URL;
    const ref = await putArtifact('layout\n', 'md');
    const hash = await putSnapshot(Buffer.from('snap'));
    await currentStore().putJournal('square', { revision: 'r' });
    await currentStore().appendLog('{"key":"k"}', 'k', 'notified');
    expect(await fs.readFile(path.join(tmp, 'artifacts', ref.slice(0, 2), ref), 'utf8')).toBe('layout\n');
    expect(await fs.readFile(path.join(tmp, 'snapshots', hash), 'utf8')).toBe('snap');
    expect(JSON.parse(await fs.readFile(path.join(tmp, 'publish-journal', 'square.json'), 'utf8'))).toEqual({ revision: 'r' });
    expect(await fs.readFile(path.join(tmp, 'notifications.log'), 'utf8')).toBe('{"key":"k"}\n');
  });
});

describe('PostgreSQL store', () => {
  test('creates its database and schema on first use and records each migration once', async () => {
    const url = `${pg.url('fresh_db')}?schema=versioned`;
    const stores = [0, 1, 2].map(() => new PostgresStore(parsePostgresUrl(url)));
    // Three workers starting at once: one creates the database, one migrates, all can write.
    await Promise.all(stores.map((s, i) => s.putJournal(`case-${i}`, { i })));
    expect(await stores[0]!.migrations()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const rows = await sql('fresh_db', 'SELECT count(*)::int AS n FROM versioned.schema_migrations');
    expect(rows[0]!.n).toBe(MIGRATIONS.length);
    for (const s of stores) await s.close();
  });

  test('refuses a store whose schema is newer than this casebook', async () => {
    const url = `${pg.url('casebook')}?schema=from_the_future`;
    const store = new PostgresStore(parsePostgresUrl(url));
    await store.putJournal('x', {});
    await sql('casebook', "INSERT INTO from_the_future.schema_migrations (version, name) VALUES (999, 'later')");
    const later = new PostgresStore(parsePostgresUrl(url));
    await expect(later.getJournal('x')).rejects.toThrow(/version 999, newer than this casebook knows/);
    await store.close();
  });

  test('a second worker (its own connections) reads what the first stored; Temporal-style databases are untouched', async () => {
    const url = `${pg.url('casebook')}?schema=shared`;
    const first = new PostgresStore(parsePostgresUrl(url));
    const second = new PostgresStore(parsePostgresUrl(url));
    const content = Buffer.from('# draft\n');
    await first.putBlob('artifact', `${sha256(content)}.md`, content);
    await first.putJournal('square', { revision: 'abc' });
    expect((await second.getBlob('artifact', `${sha256(content)}.md`))?.toString()).toBe('# draft\n');
    expect(await second.getJournal('square')).toEqual({ revision: 'abc' });
    const publicTables = await sql('casebook', "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(publicTables).toEqual([]);
    await first.close();
  });

  test('a bad URL says what is wrong and how to fix it, without the password', () => {
    expect(() => parsePostgresUrl('mysql://u:secret@h/db')).toThrow(/must start with postgres:\/\//);
    expect(() => parsePostgresUrl('postgres://u:secret@h:5432/')).toThrow(/names no database/);
    expect(() => parsePostgresUrl('not a url')).toThrow(/not a URL/);
    expect(() => parsePostgresUrl('postgres://u:secret@h/db?schema=Bad-Name')).toThrow(/lowercase letters/);
    const location = parsePostgresUrl('postgres://u:secret@db.example:6543/casebook?schema=team_a&sslmode=disable');
    expect(location.description).toBe('PostgreSQL db.example:6543/casebook (schema team_a)');
    expect(location.connectionString).toBe('postgres://u:secret@db.example:6543/casebook?sslmode=disable');
  });

  test('an unreachable server fails the call (activities retry it), and the next call tries again', async () => {
    const store = new PostgresStore(parsePostgresUrl(`postgres://casebook:casebook@127.0.0.1:1/casebook`));
    await expect(store.getJournal('x')).rejects.toThrow(/ECONNREFUSED/);
    await expect(store.getJournal('x')).rejects.toThrow(/ECONNREFUSED/);
    await store.close();
  });
});
