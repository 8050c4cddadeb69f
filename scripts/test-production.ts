/**
 * `npm run test:production`: the production shape of docker-compose.yml, brought up without Docker.
 *
 * - PostgreSQL: a private cluster (test/helpers/postgres.ts) with the compose file's credentials.
 * - The Temporal server and temporal-sql-tool at the compose file's image version, built from the Go
 *   module proxy into .temporal/server-<version>/ (the first build takes minutes; later runs reuse
 *   the binaries). The schema files come with the module.
 * - The compose file's own scripts (docker/scripts/setup-postgres.sh, setup-namespace.sh), run twice
 *   each (they must be safe on every `up`), and the server configuration rendered with
 *   `server render-config` from the image's template and the environment the compose file sets,
 *   with the compose file's dynamic config.
 * - Two casebook workers with different CASEBOOK_HOMEs and the PostgreSQL store. A case runs from
 *   research to review; the worker running its research activity is SIGKILLed mid-phase and the
 *   other one finishes. The composer's skeleton waits in drafting until a writer uploads the
 *   hand-written draft through the CLI (`casebook draft upload`). Approval comes through the CLI;
 *   the case publishes once.
 * - Both CASEBOOK_HOMEs are deleted: `casebook show`, the draft, the QA report, the audit trail and
 *   the published library are still complete.
 *
 * Only free loopback ports are used. Everything runs in a temporary folder that is removed at the end
 * (CASEBOOK_KEEP_PRODUCTION_TMP=1 keeps it for a look).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { requireBinary } from '../src/binaries';
import { projectRoot } from '../src/config';
import { auditTrailQuery, progressQuery, reviewPacketQuery } from '../src/messages';
import { caseWorkflowId } from '../src/names';
import { sha256 } from '../src/store';
import { CASEBOOK_SEARCH_ATTRIBUTE_KEYS } from '../src/search-attributes';
import { canListen, frontendAnswers, stopProcess, waitFor } from '../test/helpers/processes';
import { startPostgres, type PostgresCluster } from '../test/helpers/postgres';

const run = promisify(execFile);
const CASE_ID = 'square';
/** The writer who uploads the hand-written draft (not a reviewer: an author may not approve). */
const WRITER = 'frank';
const started = Date.now();
const children: { label: string; child: ChildProcess; output: string[] }[] = [];

function log(message: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const t = Date.now();
  log(`▶ ${name}`);
  const result = await work();
  log(`✓ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// The compose file, read as data.

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  entrypoint?: string[];
}

async function readCompose(): Promise<Record<string, ComposeService>> {
  const text = await fs.readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8');
  return (parseYaml(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
}

function service(services: Record<string, ComposeService>, name: string): ComposeService {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

function environment(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** The host path of a container path, through the service's bind mounts (`./host:/container[:ro]`). */
function hostPath(svc: ComposeService, containerPath: string): string {
  for (const volume of svc.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source || !target || !source.startsWith('.')) continue;
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return path.join(projectRoot, source, path.relative(target, containerPath));
    }
  }
  throw new Error(`${containerPath} is not inside a bind mount of the service (${(svc.volumes ?? []).join(', ')})`);
}

/** The script a one-shot service runs: `entrypoint: ["/bin/sh", "/scripts/x.sh"]`. */
function entrypointScript(svc: ComposeService): string {
  const script = svc.entrypoint?.find((part) => part.endsWith('.sh'));
  assert.ok(script, `the service's entrypoint runs no .sh script: ${JSON.stringify(svc.entrypoint)}`);
  return hostPath(svc, script);
}

function imageVersion(svc: ComposeService): string {
  const tag = svc.image?.split(':')[1];
  assert.ok(tag && /^\d+\.\d+\.\d+$/.test(tag), `image ${svc.image} is not pinned to a version`);
  return tag;
}

// ---------------------------------------------------------------------------------------------
// Temporal server binaries, built from the Go module proxy.

interface TemporalTools {
  server: string;
  /** A folder with `temporal-sql-tool` and `temporal` (the names the compose scripts call). */
  binDir: string;
  /** The module's schema/postgresql/v12 folder. */
  schemaRoot: string;
  /** The module's folder (for the config template). */
  moduleDir: string;
}

async function goEnv(): Promise<NodeJS.ProcessEnv> {
  try {
    await run('go', ['version']);
  } catch {
    throw new Error('Go is needed to build the Temporal server (go install from the module proxy): install Go 1.24 or newer and put `go` on PATH');
  }
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto' };
}

async function builtVersion(binary: string): Promise<string | undefined> {
  if (!existsSync(binary)) return undefined;
  try {
    const { stdout } = await run('go', ['version', '-m', binary]);
    return /\bmod\s+go\.temporal\.io\/server\s+(v\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

async function temporalTools(version: string): Promise<TemporalTools> {
  const env = await goEnv();
  const gobin = path.join(projectRoot, '.temporal', `server-v${version}`);
  const server = path.join(gobin, 'server');
  const sql = path.join(gobin, 'sql');
  const wanted = `v${version}`;
  if ((await builtVersion(server)) === wanted && (await builtVersion(sql)) === wanted) {
    log(`  reusing ${path.relative(projectRoot, gobin)}/server and sql (${wanted})`);
  } else {
    log(`  go install go.temporal.io/server/cmd/server@${wanted} and cmd/tools/sql@${wanted} into ${path.relative(projectRoot, gobin)}/ (the first build takes several minutes)`);
    await fs.mkdir(gobin, { recursive: true });
    await run('go', ['install', `go.temporal.io/server/cmd/server@${wanted}`, `go.temporal.io/server/cmd/tools/sql@${wanted}`], {
      env: { ...env, GOBIN: gobin },
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const { stdout } = await run('go', ['mod', 'download', '-json', `go.temporal.io/server@${wanted}`], { env });
  const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
  const binDir = path.join(gobin, 'compose-bin');
  await fs.mkdir(binDir, { recursive: true });
  for (const [name, target] of [
    ['temporal-sql-tool', sql],
    ['temporal', requireBinary('cli')],
  ] as const) {
    await fs.rm(path.join(binDir, name), { force: true });
    await fs.symlink(target, path.join(binDir, name));
  }
  return { server, binDir, schemaRoot: path.join(moduleDir, 'schema', 'postgresql', 'v12'), moduleDir };
}

// ---------------------------------------------------------------------------------------------
// Processes.

async function runScript(label: string, script: string, env: Record<string, string>, binDir: string): Promise<string> {
  const output: string[] = [];
  const child = spawn('/bin/sh', [script], {
    env: { ...env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`, HOME: os.tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const text = output.join('');
  if (code !== 0) throw new Error(`${label} (${path.relative(projectRoot, script)}) exited with ${code}:\n${text}`);
  return text;
}

function startProcess(label: string, command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: string[] } {
  const output: string[] = [];
  const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  children.push({ label, child, output });
  return { child, output };
}

/** Stops a child: `signal`, then SIGKILL after 25 s (the server drains its connections first). */
function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return stopProcess(child, signal, 25_000);
}

/** Runs the casebook CLI (as the compose `casebook` service does) and returns stdout; throws on exit ≠ 0. */
async function casebook(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/cli/main.ts'), ...args], {
      cwd: projectRoot,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    throw new Error(`casebook ${args.join(' ')} exited with ${e.code}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/**
 * A source server whose first request is held open until `release()`: the research activity is
 * then certainly in progress, on a worker the test can name.
 */
async function heldSource(): Promise<{ url: string; body: string; firstRequest: Promise<void>; release: () => void; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  let released = false;
  let onFirst!: () => void;
  const firstRequest = new Promise<void>((resolve) => (onFirst = resolve));
  const held: http.ServerResponse[] = [];
  const body =
    '# Square Q3 2020 Shareholder Letter\n\nA stand-in page served by the production test; it states no figures.\n';
  const answer = (res: http.ServerResponse) => {
    if (!res.writableEnded && !res.destroyed) res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(body);
  };
  const server = http.createServer((_req, res) => {
    requests += 1;
    if (requests === 1) onFirst();
    if (released) answer(res);
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/square-q3-2020.md`,
    body,
    firstRequest,
    requests: () => requests,
    release: () => {
      released = true;
      held.splice(0).forEach(answer);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A free loopback port below 32768. Temporal stores each role's membership port in a PostgreSQL
 * `smallint` (cluster_membership.rpc_port), so ports from the kernel's ephemeral range (32768 and
 * up, what port 0 hands out) make the server exit at start.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    if (await canListen(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'casebook-production-'));
  let cluster: PostgresCluster | undefined;
  let source: Awaited<ReturnType<typeof heldSource>> | undefined;
  let client: Client | undefined;
  let ok = false;
  try {
    const services = await readCompose();
    const postgresSvc = service(services, 'postgresql');
    const adminSvc = service(services, 'temporal-admin-tools');
    const temporalSvc = service(services, 'temporal');
    const namespaceSvc = service(services, 'temporal-setup-namespace');
    const workerSvc = service(services, 'casebook-worker');
    const cliSvc = service(services, 'casebook');
    const version = imageVersion(temporalSvc);
    assert.equal(imageVersion(adminSvc), version, 'temporalio/admin-tools and temporalio/server must have the same version');
    assert.equal(imageVersion(namespaceSvc), version, 'the namespace setup must use the same admin-tools version');

    const tools = await step(`Temporal server ${version} and temporal-sql-tool from the Go module proxy`, () => temporalTools(version));

    // PostgreSQL with the compose file's credentials; like the postgres image, it creates the
    // database POSTGRES_DB (default: the user's name).
    const pgEnv = environment(postgresSvc);
    cluster = await step('PostgreSQL: a private cluster on a free port', async () => {
      const c = await startPostgres({ user: pgEnv.POSTGRES_USER, password: pgEnv.POSTGRES_PASSWORD });
      const { Client: PgClient } = await import('pg');
      const admin = new PgClient({ connectionString: c.url('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${pgEnv.POSTGRES_DB ?? pgEnv.POSTGRES_USER}"`);
      await admin.end();
      log(`  127.0.0.1:${c.port}, user ${c.user}`);
      return c;
    });
    const pgPort = String(cluster.port);

    // Service names of the compose network, as this machine reaches them.
    const taken = new Set<number>();
    const grpcPort = await freeLowPort(taken);
    const httpPort = await freeLowPort(taken);
    const hostOf: Record<string, string> = {
      'postgresql:5432': `127.0.0.1:${pgPort}`,
      'temporal:7233': `127.0.0.1:${grpcPort}`,
      // The frontend's HTTP API, which the CLI's read-only commands use (CASEBOOK_TEMPORAL_HTTP_URL).
      'temporal:7243': `127.0.0.1:${httpPort}`,
    };
    const rewrite = (env: Record<string, string>): Record<string, string> =>
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, Object.entries(hostOf).reduce((s, [from, to]) => s.split(from).join(to), v)]),
      );

    // --- Temporal's schema, by the compose file's own script (twice: it runs on every `up`).
    const adminEnv: Record<string, string> = {
      ...rewrite(environment(adminSvc)),
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: pgPort,
      // The admin-tools image has the schema at /etc/temporal/schema; here it comes with the module.
      SCHEMA_ROOT: tools.schemaRoot,
    };
    const setupPostgres = entrypointScript(adminSvc);
    await step('setup-postgres.sh (temporal-admin-tools), first run', async () => {
      const out = await runScript('setup-postgres', setupPostgres, adminEnv, tools.binDir);
      assert.match(out, /Temporal schema is up to date/);
    });
    await step('setup-postgres.sh again (every `docker compose up` runs it)', async () => {
      await runScript('setup-postgres', setupPostgres, adminEnv, tools.binDir);
    });

    // --- The server: configuration rendered from the image's template and the compose environment.
    const dynamicConfig = hostPath(temporalSvc, environment(temporalSvc).DYNAMIC_CONFIG_FILE_PATH ?? '');
    const ports: number[] = [];
    for (let i = 0; i < 7; i++) ports.push(await freeLowPort(taken));
    const serverEnv: Record<string, string> = {
      ...rewrite(environment(temporalSvc)),
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: pgPort,
      // The container binds 0.0.0.0 and broadcasts its own address; on a shared machine, loopback.
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
      FRONTEND_GRPC_PORT: String(grpcPort),
      FRONTEND_HTTP_PORT: String(httpPort),
      FRONTEND_MEMBERSHIP_PORT: String(ports[0]),
      HISTORY_GRPC_PORT: String(ports[1]),
      HISTORY_MEMBERSHIP_PORT: String(ports[2]),
      MATCHING_GRPC_PORT: String(ports[3]),
      MATCHING_MEMBERSHIP_PORT: String(ports[4]),
      WORKER_GRPC_PORT: String(ports[5]),
      WORKER_MEMBERSHIP_PORT: String(ports[6]),
      PATH: process.env.PATH ?? '',
    };
    await step('the compose dynamic config is valid for this server version', async () => {
      const { stdout, stderr } = await run(tools.server, ['validate-dynamic-config', dynamicConfig]).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`server validate-dynamic-config ${dynamicConfig} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });
      log(`  ${(stdout + stderr).trim().split('\n').slice(-1)[0]}`);
    });
    await step('server render-config: the image template with the compose environment', async () => {
      // The image starts `temporal-server start` with no config file: the embedded template, which
      // render-config renders from a config folder.
      const configDir = path.join(tmp, 'server-config', 'config');
      await fs.mkdir(configDir, { recursive: true });
      await fs.copyFile(path.join(tools.moduleDir, 'common', 'config', 'config_template_embedded.yaml'), path.join(configDir, 'development.yaml'));
      // render-config reads --config relative to the working directory (it ignores --root).
      const { stdout } = await run(tools.server, ['--config', 'config', '--env', 'development', 'render-config'], {
        cwd: path.dirname(configDir),
        env: serverEnv,
      });
      await fs.writeFile(path.join(tmp, 'server-config', 'rendered.yaml'), stdout);
      const rendered = parseYaml(stdout) as {
        persistence: { defaultStore: string; visibilityStore: string; datastores: Record<string, { sql?: { pluginName: string; databaseName: string; connectAddr: string } }> };
        dynamicConfigClient: { filepath: string };
        services: { frontend: { rpc: { grpcPort: number; bindOnIP: string } } };
      };
      const main = rendered.persistence.datastores[rendered.persistence.defaultStore]?.sql;
      const visibility = rendered.persistence.datastores[rendered.persistence.visibilityStore]?.sql;
      assert.equal(main?.pluginName, serverEnv.DB);
      assert.equal(main?.databaseName, adminEnv.DBNAME ?? 'temporal', 'the server must use the database setup-postgres.sh creates');
      assert.equal(visibility?.pluginName, serverEnv.DB, 'visibility on SQL, as the search attributes need');
      assert.equal(visibility?.databaseName, adminEnv.VISIBILITY_DBNAME ?? 'temporal_visibility');
      assert.equal(main?.connectAddr, `127.0.0.1:${pgPort}`);
      assert.equal(rendered.dynamicConfigClient.filepath, dynamicConfig);
      assert.equal(rendered.services.frontend.rpc.grpcPort, grpcPort);
      log(`  ${main?.pluginName}: ${main?.databaseName} + ${visibility?.databaseName}; dynamic config ${path.relative(projectRoot, dynamicConfig)}`);
    });
    const address = `127.0.0.1:${grpcPort}`;
    const serverProcess = startProcess('temporal-server', tools.server, ['start'], serverEnv);
    await step(`Temporal server on ${address}`, () =>
      waitFor(
        'the Temporal frontend',
        () => frontendAnswers(address),
        120_000,
        () => (serverProcess.child.exitCode !== null ? `the server exited with ${serverProcess.child.exitCode}` : undefined),
      ),
    );

    // --- Namespace and search attributes, by the compose file's own script (twice).
    const namespaceEnv: Record<string, string> = { ...rewrite(environment(namespaceSvc)), HOME: tmp };
    const setupNamespace = entrypointScript(namespaceSvc);
    await step('setup-namespace.sh (namespace and search attributes), first run', async () => {
      const out = await runScript('setup-namespace', setupNamespace, namespaceEnv, tools.binDir);
      assert.match(out, /is ready with the casebook search attributes/);
    });
    await step('setup-namespace.sh again', async () => {
      const out = await runScript('setup-namespace', setupNamespace, namespaceEnv, tools.binDir);
      assert.match(out, /already registered/);
    });
    const namespace = namespaceEnv.TEMPORAL_NAMESPACE ?? 'default';
    const connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
    await step('the search attributes are registered on SQL visibility', async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      for (const key of CASEBOOK_SEARCH_ATTRIBUTE_KEYS) assert.ok(key.name in (customAttributes ?? {}), `search attribute ${key.name} is missing`);
    });

    // --- The casebook plan, with one source served by the held server (see heldSource).
    source = await heldSource();
    const planDir = path.join(tmp, 'plan');
    await fs.cp(path.join(projectRoot, 'plan'), planDir, { recursive: true });
    const planFile = path.join(planDir, 'v15.0.yaml');
    const plan = await fs.readFile(planFile, 'utf8');
    const sourceLine = '        location: https://www.sec.gov/Archives/edgar/data/1512673/000119312520286821/d201688dex991.htm';
    assert.ok(plan.includes(sourceLine), 'plan/v15.0.yaml changed: update the source this test serves (square S3)');
    await fs.writeFile(planFile, plan.replace(sourceLine, `        location: ${source.url}`));

    // --- Two workers, as the casebook-worker service runs them, each with its own CASEBOOK_HOME.
    const library = path.join(tmp, 'library');
    const homes = [path.join(tmp, 'home-a'), path.join(tmp, 'home-b')];
    const casebookEnv = (svc: ComposeService, home: string): NodeJS.ProcessEnv => ({
      ...process.env,
      ...rewrite(environment(svc)),
      CASEBOOK_HOME: home,
      CASEBOOK_LIBRARY_DIR: library,
      CASEBOOK_PLAN: planFile,
      CASEBOOK_SOURCE_ALLOW: '127.0.0.1',
      CASEBOOK_SOURCE_HOSTS: '127.0.0.1',
    });
    const storeUrl = rewrite(environment(workerSvc)).CASEBOOK_STORE_URL;
    assert.ok(storeUrl?.startsWith('postgres://'), 'the casebook-worker service must get CASEBOOK_STORE_URL=postgres://…');
    assert.equal(rewrite(environment(cliSvc)).CASEBOOK_STORE_URL, storeUrl, 'the CLI service must use the same store as the workers');
    assert.notEqual(new URL(storeUrl).pathname.slice(1), adminEnv.DBNAME ?? 'temporal', "the store must not use Temporal's database");
    const workers = await step('two casebook workers (separate CASEBOOK_HOMEs, one PostgreSQL store)', async () => {
      const started = homes.map((home, i) =>
        startProcess(`worker-${'ab'[i]}`, process.execPath, ['--import', 'tsx', 'src/worker.ts'], casebookEnv(workerSvc, home)),
      );
      await Promise.all(
        started.map(({ child, output }) =>
          waitFor('a worker to poll', () => output.join('').includes('casebook worker polling'), 600_000, () =>
            child.exitCode !== null ? `a worker exited with ${child.exitCode}: ${output.join('')}` : undefined,
          ),
        ),
      );
      return started;
    });
    const cliEnv = casebookEnv(cliSvc, path.join(tmp, 'cli-home'));

    // --- A case from research to review; the worker running research is killed mid-phase.
    await step(`casebook start ${CASE_ID} (the CLI)`, async () => {
      log(`  ${(await casebook(cliEnv, ['start', CASE_ID])).trim()}`);
    });
    const handle = client.workflow.getHandle(caseWorkflowId(CASE_ID));
    const victim = await step('the research activity is running; SIGKILL the worker that holds it', async () => {
      await source!.firstRequest;
      const identity = await waitFor('the running activity', async () => {
        const description = await handle.describe();
        const pending = description.raw.pendingActivities ?? [];
        const running = pending.find((a) => a.activityType?.name === 'collectSources' && a.lastWorkerIdentity);
        return running?.lastWorkerIdentity ?? undefined;
      });
      const pid = Number(identity.split('@')[0]);
      const index = workers.findIndex((w) => w.child.pid === pid);
      assert.ok(index >= 0, `the activity runs on ${identity}, which is neither worker (${workers.map((w) => w.child.pid).join(', ')})`);
      const progress = await handle.query(progressQuery);
      assert.equal(progress.phase, 'research');
      workers[index]!.child.kill('SIGKILL');
      await new Promise((resolve) => workers[index]!.child.once('exit', resolve));
      log(`  killed worker-${'ab'[index]} (pid ${pid}) during ${progress.phase}`);
      source!.release();
      return index;
    });
    const survivor = workers[1 - victim]!;
    /** Waits for the case to reach `phase` on the surviving worker. */
    const reach = (phase: string) =>
      waitFor(
        `phase ${phase}`,
        async () => {
          const p = await handle.query(progressQuery);
          if (p.attention) throw new Error(`the case needs attention: ${p.attention}`);
          return p.phase === phase ? p : undefined;
        },
        600_000,
        () => (survivor.child.exitCode !== null ? `the surviving worker exited: ${survivor.output.join('')}` : undefined),
      );
    const skeleton = await step('the other worker finishes research (after the heartbeat timeout); the composer\'s skeleton waits in drafting', async () => {
      const progress = await reach('drafting');
      assert.ok(source!.requests() >= 2, 'the source must have been fetched again by the surviving worker');
      const awaiting = (await handle.query(reviewPacketQuery)).draft?.awaitingWriter ?? [];
      assert.ok(awaiting.length > 0, 'the skeleton lists what the writer must supply');
      log(`  revision ${progress.revision}, awaiting the writer for ${awaiting.length} items`);
      return progress;
    });
    await step(`casebook draft upload ${CASE_ID} drafts/v15.0/${CASE_ID}.md --author ${WRITER}; QA passes and the case reaches review`, async () => {
      const uploaded = JSON.parse(await casebook(cliEnv, ['draft', 'upload', CASE_ID, path.join(projectRoot, 'drafts', 'v15.0', `${CASE_ID}.md`), '--author', WRITER, '--json'])) as {
        revision: string;
      };
      assert.notEqual(uploaded.revision, skeleton.revision, 'the written draft is a new revision');
      const progress = await reach('review');
      assert.equal(progress.revision, uploaded.revision, 'the written draft is the revision in review');
      log(`  revision ${progress.revision}, pending ${progress.pendingReviewers.join(', ')}`);
    });

    // --- Approval through the CLI, reviewer by reviewer until the quorum is met; the case publishes once.
    const beforeApproval = await handle.query(progressQuery);
    const packet = await handle.query(reviewPacketQuery);
    const approvers: string[] = [];
    await step('casebook approve, until the quorum is met', async () => {
      for (const reviewer of beforeApproval.pendingReviewers) {
        const said = (await casebook(cliEnv, ['approve', CASE_ID, '--reviewer', reviewer, '--comment', 'production test'])).trim();
        log(`  ${said}`);
        approvers.push(reviewer);
        if (/quorum met/.test(said)) break;
      }
    });
    await step('the case publishes', async () => {
      await waitFor('the case to complete', async () => (await handle.describe()).status.name === 'COMPLETED', 300_000);
      const history = await handle.fetchHistory();
      const publishes = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishCase');
      assert.equal(publishes.length, 1, 'publishCase must be scheduled exactly once');
    });
    const finalProgress = await handle.query(progressQuery);
    assert.equal(finalProgress.phase, 'published');
    const audit = await handle.query(auditTrailQuery);

    // --- Both CASEBOOK_HOMEs go away; everything is still there. The surviving worker keeps running
    // on its deleted home: queries on the closed workflow (show) replay it on a worker.
    await step('delete both CASEBOOK_HOME folders (and the CLI one)', async () => {
      for (const home of [...homes, path.join(tmp, 'cli-home')]) await fs.rm(home, { recursive: true, force: true });
      for (const home of homes) assert.equal(existsSync(home), false);
      assert.equal(survivor.child.exitCode, null, 'the surviving worker is still running');
    });
    const elsewhere = { ...cliEnv, CASEBOOK_HOME: path.join(tmp, 'a-new-machine') };
    await step('casebook show --audit: phase, revision, QA, sources, audit trail', async () => {
      const shown = JSON.parse(await casebook(elsewhere, ['show', CASE_ID, '--audit', '--json'])) as {
        progress: typeof finalProgress;
        packet: typeof packet;
        audit: typeof audit;
      };
      assert.equal(shown.progress.phase, 'published');
      assert.equal(shown.progress.revision, beforeApproval.revision);
      assert.deepEqual(shown.audit, audit);
      assert.ok(
        shown.audit.some((a) => a.actor === WRITER && a.action === 'new revision' && a.revision === beforeApproval.revision),
        `the audit trail lacks ${WRITER}'s upload`,
      );
      for (const reviewer of approvers) {
        assert.ok(shown.audit.some((a) => a.actor === reviewer && a.accepted && a.revision === beforeApproval.revision), `the audit trail lacks ${reviewer}'s approval`);
      }
      assert.ok(shown.packet.qa, 'the review packet has the QA summary');
      log(`  ${shown.audit.length} audit entries; QA ${shown.packet.qa?.errors} errors, ${shown.packet.qa?.warnings} warnings`);
    });
    await step('the draft, its QA report and the source snapshot, read from the store on a machine with no CASEBOOK_HOME', async () => {
      const draftRef = packet.draft?.ref;
      const reportRef = packet.qa?.reportRef;
      assert.ok(draftRef && reportRef, 'the review packet names the draft and the QA report');
      const reader = [
        "const s = require('./src/store');",
        '(async () => {',
        `  const draft = await s.readDraft(${JSON.stringify(draftRef)});`,
        `  const report = await s.getJson(${JSON.stringify(reportRef)});`,
        `  const snapshot = (await s.getSnapshot(${JSON.stringify(sha256(source!.body))})).toString('utf8');`,
        '  process.stdout.write(JSON.stringify({ draft, report, snapshot }));',
        '  await s.closeStores();',
        '})().catch((e) => { console.error(e.message); process.exit(1); });',
      ].join('\n');
      const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', '-e', reader], { cwd: projectRoot, env: elsewhere, maxBuffer: 16 * 1024 * 1024 });
      const { draft, report, snapshot } = JSON.parse(stdout) as { draft: string; report: { errors: number }; snapshot: string };
      assert.equal(snapshot, source!.body, 'the snapshot the surviving worker took of the held source');
      const published = await fs.readFile(finalProgress.publishedPath ?? '', 'utf8');
      assert.equal(draft, published, 'the published document is the approved draft');
      assert.equal(report.errors, packet.qa?.errors);
      assert.equal(existsSync(path.join(tmp, 'a-new-machine', 'artifacts')), false, 'nothing was read from a local directory');
      log(`  draft ${draftRef.slice(0, 12)}… (${draft.length} chars) = ${path.relative(library, finalProgress.publishedPath ?? '')}`);
    });
    await step('the published library is complete', async () => {
      const manifest = JSON.parse(await fs.readFile(path.join(library, 'cases', '.published', `${CASE_ID}.json`), 'utf8')) as { revision: string };
      assert.equal(manifest.revision, beforeApproval.revision);
      for (const doc of ['enterprise-cases.md', 'scenario-themes.md', 'case-comparison.md']) {
        const text = await fs.readFile(path.join(library, doc), 'utf8');
        assert.ok(text.includes('Square'), `${doc} does not list the published case`);
      }
      const { Client: PgClient } = await import('pg');
      const db = new PgClient({ connectionString: storeUrl });
      await db.connect();
      const notified = await db.query<{ line: string }>("SELECT line FROM casebook.notifications WHERE line LIKE '%\"kind\":\"published\"%'");
      const journal = await db.query('SELECT 1 FROM casebook.publish_journal');
      await db.end();
      assert.equal(notified.rows.length, 1, 'one "published" notification in the store');
      log(`  ${path.relative(tmp, library)}/cases/fintech/${CASE_ID}.md, manifest, 3 library documents; ${journal.rowCount} journal row(s) kept for rollback`);
    });
    ok = true;
  } finally {
    source?.release();
    await source?.close();
    await client?.connection.close().catch(() => undefined);
    for (const { child } of [...children].reverse()) await stop(child);
    if (!ok) {
      for (const { label, output } of children) {
        console.error(`\n--- ${label} (last lines) ---\n${output.join('').split('\n').slice(-40).join('\n')}`);
      }
      if (cluster) console.error(`\n--- postgresql (last lines) ---\n${(await cluster.log()).split('\n').slice(-20).join('\n')}`);
    }
    await cluster?.stop();
    if (process.env.CASEBOOK_KEEP_PRODUCTION_TMP === '1') console.log(`kept ${tmp}`);
    else await fs.rm(tmp, { recursive: true, force: true });
  }
  log('test:production passed');
}

main().catch((err) => {
  console.error(`\ntest:production FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
