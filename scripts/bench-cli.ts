/**
 * `npm run bench:cli`: how long `casebook --help`, `casebook status` and `casebook show <id>` take,
 * against `temporal workflow list` timed in the same run, on the same server, interleaved so that
 * all of them see the same machine load. Prints medians, the ratios and whether the targets are met.
 *
 * By default it starts its own dev server (free ports, its HTTP API on one of them, a temporary
 * SQLite file) and a worker with the fast test activities, parks two cases in review, and writes the
 * dev server record `npm start` writes: the casebook rows run as after `npm start`, with no TEMPORAL_*
 * variable, and read over the server's HTTP API. One more row times `casebook status` over the SDK
 * client (TEMPORAL_ADDRESS, no HTTP address), for comparison. `--address host:port --case <id>`
 * times a server that is already running instead (`npm start`, with a worker that answers
 * queries); add `--http-url http://host:port` for its HTTP API.
 *
 *   npm run bench:cli -- [--runs 10] [--address 127.0.0.1:7233 --case square [--http-url http://127.0.0.1:7243]]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import { Client, Connection } from '@temporalio/client';
import { Worker, bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { binaryVersion, requireBinary } from '../src/binaries';
import { projectRoot } from '../src/config';
import { progressQuery } from '../src/messages';
import { fakeActivities, testInput } from '../test/helpers/fakes';
import { freePort, killAll, startDevServer, waitFor } from '../test/helpers/processes';

const buildState = (require('./build.js') as { buildState(): string }).buildState;

/** The targets of issue 9, on a 2-core machine. */
const CLI_RATIO_TARGET = 4; // casebook ≤ 4 × `temporal workflow list`
const CLI_SECONDS_TARGET = 0.35;
const README_SECONDS_TARGET = 0.8;

interface Options {
  runs: number;
  address?: string;
  caseId?: string;
  httpUrl?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--runs' && Number.isInteger(Number(value)) && Number(value) > 0) options.runs = Number(value);
    else if (flag === '--address' && value) options.address = value;
    else if (flag === '--case' && value) options.caseId = value;
    else if (flag === '--http-url' && value) options.httpUrl = value;
    else throw new Error(`Unknown or invalid argument ${flag}. Usage: npm run bench:cli -- [--runs N] [--address host:port --case <id> [--http-url URL]]`);
    i++;
  }
  if (options.address && !options.caseId) throw new Error('--address needs --case <id>: a case on that server for `casebook show`.');
  return options;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Wall time of one run of a command, in seconds; throws if the command fails. Asynchronous: the
 * bench's own worker must keep answering queries meanwhile.
 */
function timeOnce(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command[0], command.slice(1), { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${command.join(' ')} failed (${code}): ${output}`));
    });
  });
}

/** Starts a dev server and a worker with the fast test activities, with two cases parked in review. */
async function ownServer(home: string): Promise<{ address: string; httpUrl: string; caseId: string; stop: () => Promise<void> }> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const [port, uiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const server = await startDevServer(path.join(home, 'bench.db'), port, uiPort, { httpPort });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = 'bench-cli';
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') }),
    activities: fakeActivities().activities,
  });
  const running = worker.run();
  const caseIds = ['bench-one', 'bench-two'];
  for (const caseId of caseIds) {
    const handle = await client.workflow.start('caseWorkflow', { taskQueue, workflowId: `case-${caseId}`, args: [testInput(caseId)] });
    await waitFor(`${caseId} in review`, async () => (await handle.query(progressQuery)).phase === 'review', 60_000);
  }
  await waitFor('both cases listed in review', async () => (await client.workflow.count('CasePhase = "review"')).count === caseIds.length);
  return {
    address: server.address,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    caseId: caseIds[0],
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await killAll();
    },
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const state = buildState();
  if (state !== 'fresh') throw new Error(`dist/ is ${state}: run \`npm run build\` first, or the bench times the slow tsx fallback.`);
  const home = mkdtempSync(path.join(os.tmpdir(), 'casebook-bench-cli-'));
  const own = options.address ? undefined : await ownServer(home);
  try {
    const address = options.address ?? own!.address;
    const caseId = options.caseId ?? own!.caseId;
    const httpUrl = options.httpUrl ?? own?.httpUrl;
    const temporal = requireBinary('cli');
    const userEnv: NodeJS.ProcessEnv = { ...process.env, CASEBOOK_HOME: path.join(home, 'home') };
    for (const key of Object.keys(userEnv)) if (key.startsWith('TEMPORAL_') || key === 'CASEBOOK_TEMPORAL_HTTP_URL') delete userEnv[key];
    // As after `npm start`: the dev server record in CASEBOOK_HOME, no TEMPORAL_* variable.
    mkdirSync(userEnv.CASEBOOK_HOME!, { recursive: true });
    writeFileSync(path.join(userEnv.CASEBOOK_HOME!, 'dev-server.json'), JSON.stringify({ address, uiUrl: 'http://localhost:8233', httpUrl, namespace: 'default', pid: process.pid }));
    const env = options.address ? { ...userEnv, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', ...(httpUrl ? { CASEBOOK_TEMPORAL_HTTP_URL: httpUrl } : {}) } : userEnv;
    const grpcEnv = { ...userEnv, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' };
    const casebook = [process.execPath, path.join(projectRoot, 'bin', 'casebook.js')];
    const commands: { label: string; command: string[]; env?: NodeJS.ProcessEnv; counted?: false }[] = [
      { label: 'temporal workflow list', command: [temporal, 'workflow', 'list', '--address', address] },
      { label: 'casebook --help', command: [...casebook, '--help'] },
      { label: 'casebook status', command: [...casebook, 'status'] },
      { label: `casebook show ${caseId}`, command: [...casebook, 'show', caseId] },
      { label: 'casebook status over gRPC (no HTTP address)', command: [...casebook, 'status'], env: grpcEnv, counted: false },
      { label: 'npx casebook status', command: ['npx', 'casebook', 'status'] },
      { label: 'node -e 0 (Node start-up alone)', command: [process.execPath, '-e', '0'] },
    ];
    // One untimed round warms the file cache, then the commands take turns.
    for (const c of commands) await timeOnce(c.command, c.env ?? env);
    const times = new Map<string, number[]>(commands.map((c) => [c.label, []]));
    for (let run = 0; run < options.runs; run++) {
      for (const c of commands) times.get(c.label)!.push(await timeOnce(c.command, c.env ?? env));
    }

    const base = median(times.get('temporal workflow list')!);
    const table = new Table({ head: ['command', 'median', 'min', 'max', '× temporal', 'target', 'met'], style: { head: [], border: [] } });
    const verdicts: boolean[] = [];
    for (const { label, counted } of commands) {
      const t = times.get(label)!;
      const m = median(t);
      let target = '';
      let met = '';
      if (label.startsWith('casebook ') && counted !== false) {
        const ok = m <= CLI_RATIO_TARGET * base;
        target = `≤ ${CLI_RATIO_TARGET}× (≈ ${CLI_SECONDS_TARGET} s); README's way ≤ ${README_SECONDS_TARGET} s`;
        met = `${m <= CLI_RATIO_TARGET * base ? '✅' : '❌'} ratio, ${m <= README_SECONDS_TARGET ? '✅' : '❌'} README`;
        verdicts.push(ok && m <= README_SECONDS_TARGET);
      }
      table.push([label, `${m.toFixed(3)} s`, `${Math.min(...t).toFixed(3)} s`, `${Math.max(...t).toFixed(3)} s`, `${(m / base).toFixed(1)}×`, target, met]);
    }
    console.log(`\n${binaryVersion(temporal)}; Node ${process.version}; ${os.cpus().length} CPUs; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`server ${address}${own ? ' (started by this bench, 2 cases in review)' : ''}, HTTP API ${httpUrl ?? 'not given (the casebook rows use gRPC)'}; ${options.runs} runs each, interleaved\n`);
    console.log(table.toString());
    console.log(
      '\nThe README\'s way is `casebook` as an alias of `node bin/casebook.js` (the casebook rows); `npx casebook` is shown for comparison.',
    );
    console.log(verdicts.every(Boolean) ? 'All CLI targets met.' : 'Some CLI targets missed (see the met column).');
  } finally {
    await own?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench:cli failed: ${err instanceof Error ? err.message : String(err)}`);
  void killAll().finally(() => process.exit(1));
});
