/**
 * Static checks of the compose stack: no Docker engine runs in CI, so docker-compose.yml is
 * validated against the Compose Specification schema (vendored in test/fixtures/compose) and its
 * wiring is checked rule by rule. Each rule is exercised on the real file (passes) and on a copy
 * broken on purpose (fails), so a rule that stopped checking anything would show up here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { CASEBOOK_SEARCH_ATTRIBUTES } from '../src/search-attributes';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'docker', 'worker.Dockerfile');
const SCHEMA_FILE = path.join(__dirname, 'fixtures', 'compose', 'compose-spec.json');

type Dict = Record<string, unknown>;
interface Service {
  image?: string;
  build?: unknown;
  environment?: Dict | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  entrypoint?: string | string[];
  command?: string | string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}
type SearchAttribute = { name: string; type: string };

/** Compose resolves YAML merge keys (`<<: *anchor`) before it validates, so the test does too. */
function loadCompose(file = COMPOSE_FILE): ComposeFile {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

function clone(doc: ComposeFile): ComposeFile {
  return structuredClone(doc);
}

function envOf(service: Service | undefined): Record<string, string> {
  const env = service?.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

function dependsOn(service: Service | undefined): Record<string, string> {
  const deps = service?.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([name, spec]) => [name, spec?.condition ?? 'service_started']),
  );
}

/** Published host port -> container port, from short ("8080:8080") and long port syntax. */
function portMap(service: Service | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const port of service?.ports ?? []) {
    if (typeof port === 'object') {
      if (port.published != null && port.target != null) map.set(String(port.published), String(port.target));
      continue;
    }
    const parts = String(port).split('/')[0].split(':');
    if (parts.length >= 2) map.set(parts[parts.length - 2], parts[parts.length - 1]);
  }
  return map;
}

function servicesWithImage(doc: ComposeFile, repo: string): string[] {
  return Object.entries(doc.services)
    .filter(([, s]) => typeof s.image === 'string' && s.image.split(':')[0] === repo)
    .map(([name]) => name);
}

function tagOf(image: string): string | undefined {
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : image.slice(colon + 1);
}

function words(value: string | string[] | undefined): string[] {
  if (value == null) return [];
  return Array.isArray(value) ? value.map(String) : value.split(/\s+/).filter(Boolean);
}

/** `CaseId=Keyword CaseProgress=Int ...` as compose hands it to docker/scripts/setup-namespace.sh. */
function parseSearchAttributeList(value: string): SearchAttribute[] {
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return { name: at < 0 ? pair : pair.slice(0, at), type: at < 0 ? '' : pair.slice(at + 1) };
    });
}

function sortAttributes(list: SearchAttribute[]): SearchAttribute[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

const REQUIRED_SERVICES = [
  'postgresql',
  'temporal-admin-tools',
  'temporal',
  'temporal-setup-namespace',
  'temporal-ui',
  'casebook-worker',
  'casebook',
];
const LONG_RUNNING = ['postgresql', 'temporal', 'temporal-ui', 'casebook-worker'];

/**
 * Every wiring rule of the stack, as a list of problems (empty when the file is right).
 * `expectedAttributes` is the list the code registers; `root` resolves bind-mount sources.
 */
function stackProblems(doc: ComposeFile, expectedAttributes: SearchAttribute[], root = ROOT): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};

  for (const name of REQUIRED_SERVICES) {
    if (!services[name]) problems.push(`service ${name} is missing`);
  }

  for (const [name, service] of Object.entries(services)) {
    const image = service.image;
    if (typeof image !== 'string') {
      problems.push(`service ${name} has no image name`);
      continue;
    }
    if (image.includes('auto-setup')) problems.push(`service ${name} uses the deprecated auto-setup image`);
    if (image.includes('${')) problems.push(`service ${name} image ${image} depends on interpolation`);
    const tag = tagOf(image);
    if (!tag && !image.includes('@sha256:')) problems.push(`service ${name} image ${image} has no tag`);
    if (tag === 'latest') problems.push(`service ${name} image ${image} uses latest`);
  }

  const serverServices = servicesWithImage(doc, 'temporalio/server');
  if (serverServices.length !== 1) problems.push(`expected one temporalio/server service, found ${serverServices.length}`);
  const serverName = serverServices[0] ?? 'temporal';
  const server = services[serverName];
  const serverTag = server?.image ? tagOf(server.image) : undefined;
  const frontend = `${serverName}:7233`;

  for (const name of servicesWithImage(doc, 'temporalio/admin-tools')) {
    const tag = tagOf(services[name].image as string);
    if (tag !== serverTag) problems.push(`service ${name} admin-tools tag ${tag} does not match server tag ${serverTag}`);
  }

  const serverEnv = envOf(server);
  if (serverEnv.BIND_ON_IP !== '0.0.0.0') problems.push('temporal server BIND_ON_IP is not 0.0.0.0');
  if (serverEnv.DB !== 'postgres12') problems.push('temporal server DB is not postgres12');
  if (!services[serverEnv.POSTGRES_SEEDS ?? '']) problems.push('temporal server POSTGRES_SEEDS does not name a service');
  const dynamicConfig = serverEnv.DYNAMIC_CONFIG_FILE_PATH;
  if (!dynamicConfig) {
    problems.push('temporal server has no DYNAMIC_CONFIG_FILE_PATH');
  } else {
    const mount = (server?.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target ?? '']))
      .find(([, target]) => target && dynamicConfig.startsWith(`${target}/`));
    if (!mount) {
      problems.push(`DYNAMIC_CONFIG_FILE_PATH ${dynamicConfig} is not inside a mounted folder`);
    } else {
      const onHost = path.join(root, mount[0], path.relative(mount[1], dynamicConfig));
      if (!fs.existsSync(onHost)) problems.push(`dynamic config file ${onHost} does not exist`);
    }
  }

  const serverDeps = dependsOn(server);
  if (serverDeps['temporal-admin-tools'] !== 'service_completed_successfully') {
    problems.push('temporal server does not wait for the schema setup to complete');
  }
  if (serverDeps.postgresql !== 'service_healthy') problems.push('temporal server does not wait for a healthy postgresql');

  for (const name of ['postgresql', serverName]) {
    const check = services[name]?.healthcheck;
    if (!check || check.disable || words(check.test).length === 0) problems.push(`service ${name} has no health check`);
  }
  if (!words(services.postgresql?.healthcheck?.test).includes('pg_isready')) {
    problems.push('postgresql health check does not use pg_isready');
  }

  const ui = services['temporal-ui'];
  if (portMap(ui).get('8080') !== '8080') problems.push('temporal-ui does not publish 8080:8080');
  if (envOf(ui).TEMPORAL_ADDRESS !== frontend) problems.push(`temporal-ui TEMPORAL_ADDRESS is not ${frontend}`);

  const worker = services['casebook-worker'];
  if (envOf(worker).TEMPORAL_ADDRESS !== frontend) problems.push(`casebook-worker TEMPORAL_ADDRESS is not ${frontend}`);
  const workerDeps = dependsOn(worker);
  if (workerDeps[serverName] !== 'service_healthy') {
    problems.push('casebook-worker does not wait for a healthy temporal server');
  }
  if (workerDeps['temporal-setup-namespace'] !== 'service_completed_successfully') {
    problems.push('casebook-worker does not wait for the namespace setup to complete');
  }
  if (!worker?.build) problems.push('casebook-worker is not built from a Dockerfile');

  const cli = services.casebook;
  if (!cli?.profiles?.includes('cli')) problems.push('casebook CLI service is not under the cli profile');
  if (!words(cli?.entrypoint).includes('src/cli/main.ts')) {
    problems.push('casebook CLI service does not run src/cli/main.ts');
  } else if (!fs.existsSync(path.join(root, 'src', 'cli', 'main.ts'))) {
    problems.push('the CLI entry src/cli/main.ts does not exist');
  }
  if (envOf(cli).TEMPORAL_ADDRESS !== frontend) problems.push(`casebook CLI TEMPORAL_ADDRESS is not ${frontend}`);
  if (cli?.image !== worker?.image) problems.push('casebook CLI does not use the worker image');

  // The store: PostgreSQL on the stack's database server, in a database that is not Temporal's, and
  // the same for the worker and the CLI.
  const adminEnv = envOf(services['temporal-admin-tools']);
  const temporalDatabases = [adminEnv.DBNAME ?? 'temporal', adminEnv.VISIBILITY_DBNAME ?? 'temporal_visibility'];
  const storeUrl = envOf(worker).CASEBOOK_STORE_URL;
  let store: URL | undefined;
  try {
    store = storeUrl ? new URL(storeUrl) : undefined;
  } catch {
    store = undefined;
  }
  if (!store || store.protocol !== 'postgres:') {
    problems.push('casebook-worker CASEBOOK_STORE_URL is not a postgres:// URL');
  } else {
    if (!services[store.hostname]) problems.push(`casebook-worker CASEBOOK_STORE_URL host ${store.hostname} is not a service`);
    if (temporalDatabases.includes(store.pathname.slice(1))) problems.push("the casebook store uses one of Temporal's databases");
  }
  if (envOf(cli).CASEBOOK_STORE_URL !== storeUrl) problems.push('casebook CLI CASEBOOK_STORE_URL differs from the worker');

  const setup = services['temporal-setup-namespace'];
  if (envOf(setup).TEMPORAL_ADDRESS !== frontend) problems.push(`namespace setup TEMPORAL_ADDRESS is not ${frontend}`);
  if (dependsOn(setup)[serverName] !== 'service_healthy') {
    problems.push('namespace setup does not wait for a healthy server');
  }
  const registered = sortAttributes(parseSearchAttributeList(envOf(setup).CASEBOOK_SEARCH_ATTRIBUTES ?? ''));
  const expected = sortAttributes(expectedAttributes);
  if (JSON.stringify(registered) !== JSON.stringify(expected)) {
    problems.push(
      `search attributes in compose (${registered.map((a) => `${a.name}=${a.type}`).join(' ')}) ` +
        `differ from the code (${expected.map((a) => `${a.name}=${a.type}`).join(' ')})`,
    );
  }

  for (const name of LONG_RUNNING) {
    const restart = services[name]?.restart;
    if (restart !== 'unless-stopped' && restart !== 'always') problems.push(`service ${name} has no restart policy`);
  }

  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : (volume.source ?? '');
      if (source.startsWith('.') || source.startsWith('/')) {
        if (!fs.existsSync(path.resolve(root, source))) problems.push(`service ${name} mounts missing path ${source}`);
      } else if (source && !(doc.volumes && source in doc.volumes)) {
        problems.push(`service ${name} uses undeclared volume ${source}`);
      }
    }
  }

  return problems;
}

/** Problems with the worker image recipe (text of docker/worker.Dockerfile). */
function dockerfileProblems(text: string, root = ROOT): string[] {
  const problems: string[] = [];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.find((l) => /^FROM\s/i.test(l));
  const base = from?.split(/\s+/)[1] ?? '';
  if (!/^node:20\.\d+\.\d+-bookworm-slim$/.test(base)) {
    problems.push(`base image ${base || '(none)'} is not a pinned node:20.x.y-bookworm-slim`);
  }
  if (!lines.some((l) => /^RUN\s.*\bnpm ci\b/.test(l))) problems.push('dependencies are not installed with npm ci');
  if (!lines.some((l) => /^USER\s+node\b/.test(l))) problems.push('the image does not drop root (USER node)');

  const exec = (keyword: string): string[] => {
    const line = [...lines].reverse().find((l) => l.toUpperCase().startsWith(`${keyword} `));
    if (!line) return [];
    const arg = line.slice(keyword.length).trim();
    return arg.startsWith('[') ? (JSON.parse(arg) as string[]) : arg.split(/\s+/);
  };
  const argv = [...exec('ENTRYPOINT'), ...exec('CMD')];
  if (!argv.includes('tsx')) problems.push(`the image does not run through tsx (${argv.join(' ')})`);
  const entry = argv.find((a) => a.endsWith('.ts'));
  if (entry !== 'src/worker.ts') problems.push(`the image does not run src/worker.ts (${argv.join(' ')})`);
  else if (!fs.existsSync(path.join(root, entry))) problems.push(`the entry ${entry} does not exist`);
  return problems;
}

describe('docker-compose.yml', () => {
  const doc = loadCompose();
  // strict: false because the official schema uses union types, which ajv's strict mode reports.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));

  test('is valid against the Compose Specification schema', () => {
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema rejects a file with a misspelt or mistyped key', () => {
    const misspelt = clone(doc) as unknown as { services: Record<string, Dict> };
    misspelt.services.temporal.helthcheck = { test: ['CMD', 'true'] };
    expect(validate(misspelt)).toBe(false);

    const mistyped = clone(doc) as unknown as { services: Record<string, Dict> };
    mistyped.services['temporal-ui'].ports = '8080:8080';
    expect(validate(mistyped)).toBe(false);
  });

  test('passes every wiring rule', () => {
    expect(stackProblems(doc, CASEBOOK_SEARCH_ATTRIBUTES)).toEqual([]);
  });

  test('the search attributes registered by compose are the ones the code registers', () => {
    const setupEnv = envOf(doc.services['temporal-setup-namespace']);
    const fromCompose = parseSearchAttributeList(setupEnv.CASEBOOK_SEARCH_ATTRIBUTES ?? '');
    expect(sortAttributes(fromCompose)).toEqual(sortAttributes(CASEBOOK_SEARCH_ATTRIBUTES));
    expect(fromCompose.map((a) => a.name)).toEqual(expect.arrayContaining(['CaseId', 'CasePhase', 'CaseProgress']));
  });

  describe('each rule fails on a broken copy', () => {
    const broken = (mutate: (d: ComposeFile) => void, attrs: SearchAttribute[] = CASEBOOK_SEARCH_ATTRIBUTES) => {
      const copy = clone(doc);
      mutate(copy);
      return stackProblems(copy, attrs);
    };

    test('a missing service', () => {
      expect(broken((d) => delete d.services['temporal-ui'])).toContain('service temporal-ui is missing');
    });

    test('the deprecated auto-setup image', () => {
      const problems = broken((d) => (d.services.temporal.image = 'temporalio/auto-setup:1.31.0'));
      expect(problems).toContain('service temporal uses the deprecated auto-setup image');
    });

    test('an unpinned or latest image', () => {
      expect(broken((d) => (d.services.postgresql.image = 'postgres'))).toContain(
        'service postgresql image postgres has no tag',
      );
      expect(broken((d) => (d.services['temporal-ui'].image = 'temporalio/ui:latest'))).toContain(
        'service temporal-ui image temporalio/ui:latest uses latest',
      );
      expect(broken((d) => (d.services['casebook-worker'].image = undefined))).toContain(
        'service casebook-worker has no image name',
      );
    });

    test('admin-tools not matching the server version', () => {
      const problems = broken((d) => (d.services['temporal-admin-tools'].image = 'temporalio/admin-tools:1.29.0'));
      expect(problems.some((p) => p.startsWith('service temporal-admin-tools admin-tools tag 1.29.0'))).toBe(true);
    });

    test('the UI on another port or pointed elsewhere', () => {
      expect(broken((d) => (d.services['temporal-ui'].ports = ['8088:8080']))).toContain(
        'temporal-ui does not publish 8080:8080',
      );
      expect(broken((d) => (d.services['temporal-ui'].environment = { TEMPORAL_ADDRESS: 'localhost:7233' }))).toContain(
        'temporal-ui TEMPORAL_ADDRESS is not temporal:7233',
      );
    });

    test('the worker pointed at localhost or not waiting for the server', () => {
      const local = broken((d) => ((d.services['casebook-worker'].environment as Dict).TEMPORAL_ADDRESS = 'localhost:7233'));
      expect(local).toContain('casebook-worker TEMPORAL_ADDRESS is not temporal:7233');
      const started = broken((d) => (d.services['casebook-worker'].depends_on = ['temporal']));
      expect(started).toContain('casebook-worker does not wait for a healthy temporal server');
      expect(started).toContain('casebook-worker does not wait for the namespace setup to complete');
    });

    test("a worker without the store, or with the store in Temporal's database", () => {
      const set = (url: string | undefined) => (d: ComposeFile) => {
        for (const name of ['casebook-worker', 'casebook']) {
          const env = d.services[name].environment as Dict;
          if (url === undefined) delete env.CASEBOOK_STORE_URL;
          else env.CASEBOOK_STORE_URL = url;
        }
      };
      expect(broken(set(undefined))).toContain('casebook-worker CASEBOOK_STORE_URL is not a postgres:// URL');
      expect(broken(set('postgres://temporal:temporal@postgresql:5432/temporal'))).toContain("the casebook store uses one of Temporal's databases");
      expect(broken(set('postgres://temporal:temporal@db:5432/casebook'))).toContain('casebook-worker CASEBOOK_STORE_URL host db is not a service');
      const cliOnly = broken((d) => ((d.services.casebook.environment as Dict).CASEBOOK_STORE_URL = 'postgres://other@postgresql/casebook'));
      expect(cliOnly).toContain('casebook CLI CASEBOOK_STORE_URL differs from the worker');
    });

    test('the server bound to loopback only', () => {
      const problems = broken((d) => delete (d.services.temporal.environment as Dict).BIND_ON_IP);
      expect(problems).toContain('temporal server BIND_ON_IP is not 0.0.0.0');
    });

    test('the server starting before the schema exists', () => {
      const problems = broken((d) => (d.services.temporal.depends_on = { postgresql: { condition: 'service_healthy' } }));
      expect(problems).toContain('temporal server does not wait for the schema setup to complete');
    });

    test('a dynamic config path that is not mounted', () => {
      const problems = broken((d) => {
        const env = d.services.temporal.environment as Dict;
        env.DYNAMIC_CONFIG_FILE_PATH = '/etc/temporal/config/dynamicconfig/nope.yaml';
      });
      expect(problems.some((p) => p.startsWith('dynamic config file') && p.endsWith('nope.yaml does not exist'))).toBe(true);
    });

    test('missing health checks', () => {
      expect(broken((d) => delete d.services.postgresql.healthcheck)).toContain('service postgresql has no health check');
      expect(broken((d) => delete d.services.temporal.healthcheck)).toContain('service temporal has no health check');
    });

    test('search attributes that drift from the code', () => {
      const fewer = broken((d) => {
        const env = d.services['temporal-setup-namespace'].environment as Dict;
        env.CASEBOOK_SEARCH_ATTRIBUTES = String(env.CASEBOOK_SEARCH_ATTRIBUTES).replace('Campaign=Keyword', '');
      });
      expect(fewer.some((p) => p.startsWith('search attributes in compose'))).toBe(true);
      const retyped = broken(() => undefined, [
        ...CASEBOOK_SEARCH_ATTRIBUTES.filter((a) => a.name !== 'CaseProgress'),
        { name: 'CaseProgress', type: 'Keyword' },
      ]);
      expect(retyped.some((p) => p.startsWith('search attributes in compose'))).toBe(true);
    });

    test('a long-running service without a restart policy', () => {
      expect(broken((d) => delete d.services['casebook-worker'].restart)).toContain(
        'service casebook-worker has no restart policy',
      );
    });

    test('the CLI service outside its profile or running the wrong entry', () => {
      expect(broken((d) => delete d.services.casebook.profiles)).toContain(
        'casebook CLI service is not under the cli profile',
      );
      expect(broken((d) => (d.services.casebook.entrypoint = ['npx', 'tsx', 'src/worker.ts']))).toContain(
        'casebook CLI service does not run src/cli/main.ts',
      );
    });

    test('a CLI entry that is not in the checkout', () => {
      const emptyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-compose-'));
      try {
        expect(stackProblems(doc, CASEBOOK_SEARCH_ATTRIBUTES, emptyRoot)).toContain(
          'the CLI entry src/cli/main.ts does not exist',
        );
      } finally {
        fs.rmSync(emptyRoot, { recursive: true, force: true });
      }
    });

    test('a mount of a missing path or an undeclared volume', () => {
      expect(broken((d) => (d.services['temporal-admin-tools'].volumes = ['./docker/nothing-here:/scripts:ro']))).toContain(
        'service temporal-admin-tools mounts missing path ./docker/nothing-here',
      );
      expect(broken((d) => delete d.volumes?.['casebook-state'])).toContain(
        'service casebook-worker uses undeclared volume casebook-state',
      );
    });
  });
});

describe('docker/worker.Dockerfile', () => {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');

  test('builds a pinned Node 20 image that runs the worker entry', () => {
    expect(dockerfileProblems(text)).toEqual([]);
  });

  test('flags an unpinned base, a different entry and a root user', () => {
    expect(dockerfileProblems(text.replace(/^FROM .*$/m, 'FROM node:20-bookworm-slim'))).toContain(
      'base image node:20-bookworm-slim is not a pinned node:20.x.y-bookworm-slim',
    );
    const otherEntry = dockerfileProblems(text.replace(/^CMD .*$/m, 'CMD ["src/start.ts"]'));
    expect(otherEntry.some((p) => p.startsWith('the image does not run src/worker.ts'))).toBe(true);
    expect(dockerfileProblems(text.replace(/^USER node$/m, ''))).toContain('the image does not drop root (USER node)');
  });
});

describe('docker/scripts', () => {
  test('the schema setup covers both databases from the postgres v12 schema folders', () => {
    const script = fs.readFileSync(path.join(ROOT, 'docker', 'scripts', 'setup-postgres.sh'), 'utf8');
    expect(script).toContain('--plugin postgres12');
    expect(script).toContain('/etc/temporal/schema/postgresql/v12');
    expect(script).toContain('$SCHEMA_ROOT/temporal/versioned');
    expect(script).toContain('$SCHEMA_ROOT/visibility/versioned');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
  });

  test('the compose entrypoints run scripts that exist', () => {
    const doc = loadCompose();
    for (const name of ['temporal-admin-tools', 'temporal-setup-namespace']) {
      const script = words(doc.services[name].entrypoint).find((w) => w.startsWith('/scripts/'));
      expect(script).toBeDefined();
      expect(fs.existsSync(path.join(ROOT, 'docker', 'scripts', path.basename(script as string)))).toBe(true);
    }
  });
});

describe('.dockerignore', () => {
  const ignored = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  test('keeps local state and installed modules out of the image but not the code the worker runs', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.casebook', '.temporal', '.git']));
    for (const needed of ['src', 'workflows', 'activities', 'plan', 'package.json', 'package-lock.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
