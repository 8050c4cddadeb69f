/**
 * The PostgreSQL store (CASEBOOK_STORE_URL=postgres://user:password@host:port/database[?schema=name]).
 *
 * Tables live in their own schema (`casebook` unless `?schema=` names another) of the URL's
 * database, which is created when missing. The schema is set up on first use and versioned in
 * `<schema>.schema_migrations`; workers starting together take an advisory lock, so each migration
 * runs once. Blobs are inserted with `ON CONFLICT DO NOTHING` under their content hash, so retried
 * activities and several workers can store the same thing safely.
 */
import { escapeIdentifier, Pool, type PoolClient, type PoolConfig } from 'pg';
import { checkBlobKey, type BlobKind, type Store } from './types';

interface Migration {
  version: number;
  name: string;
  /** SQL with `$schema` standing for the quoted schema name. */
  sql: string;
}

/** Append-only: a released migration is never edited; a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'artifacts, snapshots, publish journal, notification log',
    sql: `
      CREATE TABLE $schema.artifacts (
        ref        text PRIMARY KEY,
        content    bytea NOT NULL,
        size       integer NOT NULL,
        stored_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE $schema.snapshots (
        sha256     text PRIMARY KEY,
        content    bytea NOT NULL,
        size       integer NOT NULL,
        stored_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE $schema.publish_journal (
        case_id    text PRIMARY KEY,
        entry      jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE $schema.notifications (
        id          bigserial PRIMARY KEY,
        key         text,
        event       text NOT NULL,
        line        text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (key, event)
      );`,
  },
];

const BLOB_TABLES: Record<BlobKind, { table: string; key: string }> = {
  artifact: { table: 'artifacts', key: 'ref' },
  snapshot: { table: 'snapshots', key: 'sha256' },
};

/** A parsed CASEBOOK_STORE_URL. */
export interface PostgresLocation {
  /** The connection string without casebook's own parameters. */
  connectionString: string;
  database: string;
  schema: string;
  /** host:port/database (schema), without credentials. */
  description: string;
}

/** Parses a postgres:// URL; throws an error that says what is wrong and how to fix it. */
export function parsePostgresUrl(raw: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('CASEBOOK_STORE_URL is not a URL; set it to postgres://user:password@host:5432/database or unset it for the local directory');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`CASEBOOK_STORE_URL must start with postgres://, not ${url.protocol}//; unset it to use the local directory`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) {
    throw new Error('CASEBOOK_STORE_URL names no database: add one, e.g. postgres://user:password@host:5432/casebook');
  }
  const schema = url.searchParams.get('schema') ?? 'casebook';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema ${JSON.stringify(schema)} in CASEBOOK_STORE_URL: use lowercase letters, digits and underscores`);
  }
  url.searchParams.delete('schema');
  return {
    connectionString: url.toString(),
    database,
    schema,
    description: `PostgreSQL ${url.hostname}:${url.port || '5432'}/${database} (schema ${schema})`,
  };
}

const pools = new Map<string, Pool>();

function pool(connectionString: string): Pool {
  let existing = pools.get(connectionString);
  if (!existing) {
    const config: PoolConfig = { connectionString, max: 5, allowExitOnIdle: true, connectionTimeoutMillis: 10_000 };
    existing = new Pool(config);
    // An idle connection that the server drops must not crash the worker; the next query reconnects.
    existing.on('error', (err) => console.error(`casebook store: idle PostgreSQL connection lost: ${err.message}`));
    pools.set(connectionString, existing);
  }
  return existing;
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/** Creates the URL's database when it does not exist (connecting to the `postgres` database). */
async function createDatabase(location: PostgresLocation): Promise<void> {
  const admin = new URL(location.connectionString);
  admin.pathname = '/postgres';
  const adminPool = new Pool({ connectionString: admin.toString(), max: 1 });
  try {
    await adminPool.query(`CREATE DATABASE ${escapeIdentifier(location.database)}`);
  } catch (err) {
    // Another worker created it first: 42P04, or 23505 when both got past the existence check.
    if (pgCode(err) !== '42P04' && pgCode(err) !== '23505') throw err;
  } finally {
    await adminPool.end();
  }
}

export class PostgresStore implements Store {
  readonly description: string;
  private readonly schema: string;
  private setUp: Promise<void> | undefined;

  constructor(private readonly location: PostgresLocation) {
    this.description = location.description;
    this.schema = escapeIdentifier(location.schema);
  }

  private get pool(): Pool {
    return pool(this.location.connectionString);
  }

  ready(): Promise<void> {
    return this.ensureReady();
  }

  /** Sets the schema up once per process; a failure is not cached, so the next call tries again. */
  private ensureReady(): Promise<void> {
    this.setUp ??= this.migrate().catch((err: unknown) => {
      this.setUp = undefined;
      throw err;
    });
    return this.setUp;
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      // 3D000: database does not exist.
      if (pgCode(err) !== '3D000') throw err;
      await createDatabase(this.location);
      return this.pool.connect();
    }
  }

  private async migrate(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      // One migrator per schema at a time, across every worker.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`casebook-store:${this.location.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.schema}.schema_migrations (
           version    integer PRIMARY KEY,
           name       text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const applied = new Set(
        (await client.query<{ version: number }>(`SELECT version FROM ${this.schema}.schema_migrations`)).rows.map((r) => r.version),
      );
      const newest = Math.max(0, ...applied);
      const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
      if (newest > known) {
        throw new Error(
          `the store schema in ${this.description} is at version ${newest}, newer than this casebook knows (${known}); upgrade casebook on this machine`,
        );
      }
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql.replaceAll('$schema', this.schema));
        await client.query(`INSERT INTO ${this.schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async query<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.ensureReady();
    return (await this.pool.query<R>(sql.replaceAll('$schema', this.schema), params)).rows;
  }

  /** The applied migrations, oldest first. */
  async migrations(): Promise<{ version: number; name: string }[]> {
    return this.query('SELECT version, name FROM $schema.schema_migrations ORDER BY version');
  }

  async putBlob(kind: BlobKind, key: string, content: Buffer): Promise<void> {
    checkBlobKey(kind, key);
    const { table, key: column } = BLOB_TABLES[kind];
    await this.query(
      `INSERT INTO $schema.${table} (${column}, content, size) VALUES ($1, $2, $3) ON CONFLICT (${column}) DO NOTHING`,
      [key, content, content.length],
    );
  }

  async getBlob(kind: BlobKind, key: string): Promise<Buffer | null> {
    checkBlobKey(kind, key);
    const { table, key: column } = BLOB_TABLES[kind];
    const rows = await this.query<{ content: Buffer }>(`SELECT content FROM $schema.${table} WHERE ${column} = $1`, [key]);
    return rows[0]?.content ?? null;
  }

  async getJournal<T>(caseId: string): Promise<T | null> {
    const rows = await this.query<{ entry: T }>('SELECT entry FROM $schema.publish_journal WHERE case_id = $1', [caseId]);
    return rows[0]?.entry ?? null;
  }

  async putJournal(caseId: string, entry: unknown): Promise<void> {
    await this.query(
      `INSERT INTO $schema.publish_journal (case_id, entry) VALUES ($1, $2)
       ON CONFLICT (case_id) DO UPDATE SET entry = EXCLUDED.entry, updated_at = now()`,
      [caseId, JSON.stringify(entry)],
    );
  }

  async deleteJournal(caseId: string): Promise<void> {
    await this.query('DELETE FROM $schema.publish_journal WHERE case_id = $1', [caseId]);
  }

  async appendLog(line: string, key: string | undefined, event: string): Promise<boolean> {
    const rows = await this.query(
      'INSERT INTO $schema.notifications (key, event, line) VALUES ($1, $2, $3) ON CONFLICT (key, event) DO NOTHING RETURNING id',
      [key ?? null, event, line],
    );
    return rows.length === 1;
  }

  async hasLog(key: string, event: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM $schema.notifications WHERE key = $1 AND event = $2', [key, event])).length > 0;
  }

  async readLog(): Promise<string[]> {
    const rows = await this.query<{ line: string }>('SELECT line FROM $schema.notifications ORDER BY id');
    return rows.map((r) => r.line);
  }

  async close(): Promise<void> {
    const existing = pools.get(this.location.connectionString);
    pools.delete(this.location.connectionString);
    await existing?.end();
  }
}
