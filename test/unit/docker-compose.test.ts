import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

/**
 * The docker-compose stack cannot be started here (no Docker engine), so these tests check its
 * wiring structurally: images, ports, environment, start order, Prometheus targets, the one-shot
 * Temporal set-up and the Dockerfile. Values are checked against the app's own sources where
 * they exist (config/config.ts, domain/search-attributes.ts).
 */

const ROOT = resolve(__dirname, '..', '..');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Env | string[];
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
  expose?: Array<string | number>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  configs?: Array<string | { source: string; target?: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const compose: Compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services;
const APP_SERVICES = ['migrate', 'api', 'worker'] as const;
const SECRETS = ['JWT_SECRET', 'CREDENTIALS_KEY', 'PAYLOAD_CODEC_KEYS'] as const;

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

function envOf(name: string): Env {
  const env = service(name).environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.split('=').slice(1).join('=')]));
}

function dependsOn(name: string): Record<string, string> {
  const deps = service(name).depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v?.condition ?? 'service_started']));
}

interface PortMapping {
  hostIp?: string;
  published: number;
  target: number;
}
function portsOf(name: string): PortMapping[] {
  return (service(name).ports ?? []).map((p) => {
    if (typeof p === 'object') return { hostIp: p.host_ip, published: Number(p.published), target: Number(p.target) };
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length === 3) return { hostIp: parts[0], published: Number(parts[1]), target: Number(parts[2]) };
    if (parts.length === 2) return { published: Number(parts[0]), target: Number(parts[1]) };
    return { published: NaN, target: Number(parts[0]) }; // container port only: no fixed host port
  });
}

/** The script of a `sh -c` one-shot, with compose's `$$` escape undone as compose would. */
function shellScript(name: string): string {
  const { command, entrypoint } = service(name);
  const argv = [entrypoint, command].flat().filter((x): x is string => typeof x === 'string');
  const dashC = argv.indexOf('-c');
  if (!/(^|\/)(ba)?sh$/.test(argv[0] ?? '') || dashC < 0 || argv.length !== dashC + 2) {
    throw new Error(`${name} does not run a single \`sh -c\` script: ${JSON.stringify(argv)}`);
  }
  return argv[dashC + 1]!.replace(/\$\$/g, '$');
}

/** Splits `host:port`, requiring the host to be a service of this file. */
function serviceAddress(address: string): { host: string; port: number } {
  const match = /^([a-z0-9][a-z0-9_.-]*):(\d+)$/.exec(address);
  if (!match) throw new Error(`not a host:port address: ${address}`);
  expect(Object.keys(services)).toContain(match[1]);
  return { host: match[1]!, port: Number(match[2]) };
}

/** The app environment as compose would hand it over, with the required secrets provided. */
function resolvedAppEnv(name: string): Env {
  const provided: Env = {
    JWT_SECRET: 'x'.repeat(48),
    CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
    PAYLOAD_CODEC_KEYS: `p1:${Buffer.alloc(32, 9).toString('base64')}`,
  };
  return Object.fromEntries(
    Object.entries(envOf(name)).map(([k, v]) => [
      k,
      v.replace(/\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g, (_, variable: string) => {
        const value = provided[variable];
        if (value === undefined) throw new Error(`${name}.${k} refers to unexpected variable ${variable}`);
        return value;
      }),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('defines the whole stack, each service from an image or a build', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'migrate', 'api', 'worker', 'prometheus']),
    );
    for (const [name, s] of Object.entries(services)) {
      expect({ name, hasImageOrBuild: Boolean(s.image || s.build) }).toEqual({ name, hasImageOrBuild: true });
    }
    expect(service('postgres').image).toMatch(/^postgres:16(\.|$|-)/);
    expect(service('temporal').image).toMatch(/^temporalio\/(server|auto-setup):/);
    expect(service('temporal-admin-tools').image).toMatch(/^temporalio\/admin-tools:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:/);
  });

  it('builds migrate, api and worker from the repository Dockerfile and runs the right entry point', () => {
    const entryPoints = { migrate: 'scripts/migrate.ts', api: 'api/main.ts', worker: 'workers/main.ts' };
    for (const name of APP_SERVICES) {
      const { build } = service(name);
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = (typeof build === 'object' && build.dockerfile) || 'Dockerfile';
      expect({ name, context, dockerfile }).toEqual({ name, context: '.', dockerfile: 'Dockerfile' });
      expect(existsSync(join(ROOT, context!, dockerfile))).toBe(true);

      expect(service(name).command).toEqual(['node', '--import', 'tsx', entryPoints[name]]);
      expect(existsSync(join(ROOT, entryPoints[name]))).toBe(true);
    }
  });

  it('publishes Temporal on 7233, its UI on 8233, the API on 8080 and Prometheus on 9090', () => {
    const expected: Record<string, [service: string, target: number]> = {
      7233: ['temporal', 7233],
      8233: ['temporal-ui', 8080],
      8080: ['api', Number(envOf('api').PORT)],
      9090: ['prometheus', 9090],
    };
    const published = Object.keys(services).flatMap((name) => portsOf(name).map((p) => ({ name, ...p })));
    for (const [hostPort, [name, target]] of Object.entries(expected)) {
      const matches = published.filter((p) => p.published === Number(hostPort));
      expect(matches.map(({ name: n, target: t }) => [n, t])).toEqual([[name, target]]);
    }
    // No host port is claimed twice.
    const hostPorts = published.map((p) => `${p.hostIp ?? '*'}:${p.published}`).filter((p) => !p.endsWith('NaN'));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(portsOf('postgres')).toEqual([]);
  });

  it('points the app at the postgres and temporal services with credentials that match', () => {
    const pg = envOf('postgres');
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      const url = new URL(env.DATABASE_URL!);
      expect(url.protocol).toMatch(/^postgres(ql)?:$/);
      expect(serviceAddress(url.host)).toEqual({ host: 'postgres', port: 5432 });
      expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);

      expect(serviceAddress(env.TEMPORAL_ADDRESS!)).toEqual({ host: 'temporal', port: 7233 });
      expect(env).toMatchObject({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'liftos-connect', LOG_LEVEL: 'info' });
    }
    expect(envOf('api').PORT).toBe('8080');
    expect(envOf('api').API_METRICS_PORT).toBe('9466');
    expect(envOf('worker').WORKER_METRICS_PORT).toBe('9464');
    // Metrics servers listen on loopback unless told: in the stack, Prometheus reaches them over the network.
    for (const name of ['api', 'worker']) expect(envOf(name).METRICS_HOST).toBe('0.0.0.0');
  });

  it('hands the app an environment its configuration loader accepts', () => {
    for (const name of APP_SERVICES) {
      const warnings: string[] = [];
      const config = loadConfig(resolvedAppEnv(name), (m) => warnings.push(m));
      expect(warnings).toEqual([]); // no fallback to generated development secrets
      expect(config.databaseUrl).toBe(envOf(name).DATABASE_URL);
      expect(config.temporal).toEqual({ address: 'temporal:7233', namespace: 'default', taskQueue: 'liftos-connect' });
    }
    expect(loadConfig(resolvedAppEnv('api'), () => {})).toMatchObject({ apiPort: 8080, apiMetricsPort: 9466, metricsHost: '0.0.0.0' });
    expect(loadConfig(resolvedAppEnv('worker'), () => {}).workerMetricsPort).toBe(9464);
  });

  it('requires the secrets from the environment and never carries a value for them', () => {
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      for (const secret of SECRETS) {
        // ${VAR:?message}: compose refuses to start when VAR is unset or empty.
        expect(env[secret]).toMatch(new RegExp(`^\\$\\{${secret}:\\?[^}]+\\}$`));
      }
    }
    const raw = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const secret of SECRETS) {
      // No default (${VAR:-x}, ${VAR-x}) and no literal assignment anywhere in the file.
      expect(raw).not.toMatch(new RegExp(`\\$\\{${secret}:?-`));
      expect(raw).not.toMatch(new RegExp(`^\\s*-?\\s*${secret}\\s*[:=]\\s*(?!\\$\\{${secret}:\\?)\\S`, 'm'));
    }
  });

  it('orders start-up with depends_on conditions that reference real services and form no cycle', () => {
    const names = Object.keys(services);
    for (const name of names) {
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        expect(names).toContain(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        // A health condition needs a healthcheck; a completion condition needs a one-shot job.
        if (condition === 'service_healthy') expect({ dep, test: service(dep).healthcheck?.test }).toEqual({ dep, test: expect.anything() });
        if (condition === 'service_completed_successfully') expect({ dep, restart: service(dep).restart ?? 'no' }).toEqual({ dep, restart: 'no' });
      }
    }

    // Depth-first search: a grey node met again is a cycle.
    const state = new Map<string, 'grey' | 'black'>();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === 'black') return;
      if (state.get(name) === 'grey') throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
      state.set(name, 'grey');
      for (const dep of Object.keys(dependsOn(name))) visit(dep, [...path, name]);
      state.set(name, 'black');
    };
    for (const name of names) expect(() => visit(name, [])).not.toThrow();

    expect(dependsOn('migrate')).toMatchObject({ postgres: 'service_healthy' });
    expect(dependsOn('api')).toMatchObject({ migrate: 'service_completed_successfully', temporal: expect.stringMatching(/^service_(healthy|started)$/) });
    expect(dependsOn('worker')).toMatchObject({ migrate: 'service_completed_successfully', 'temporal-admin-tools': 'service_completed_successfully' });
    expect(Object.keys(dependsOn('temporal-admin-tools'))).toContain('temporal');
    expect(dependsOn('temporal-ui')).toHaveProperty('temporal');

    // Temporal itself waits (directly or through its schema job) for a healthy Postgres.
    const reachesHealthyPostgres = (name: string, seen = new Set<string>()): boolean =>
      Object.entries(dependsOn(name)).some(
        ([dep, condition]) => (dep === 'postgres' && condition === 'service_healthy') || (!seen.has(dep) && (seen.add(dep), reachesHealthyPostgres(dep, seen))),
      );
    expect(reachesHealthyPostgres('temporal')).toBe(true);
  });

  it('keeps Postgres and Prometheus data in named volumes and checks Postgres with pg_isready', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const mountOf = (name: string, target: string) =>
      (service(name).volumes ?? [])
        .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
        .find((v) => v.target === target);
    expect(declared).toContain(mountOf('postgres', '/var/lib/postgresql/data')?.source);
    expect(declared).toContain(mountOf('prometheus', '/prometheus')?.source);
    expect([service('postgres').healthcheck?.test].flat().join(' ')).toMatch(/pg_isready/);

    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');
        const isPath = source.startsWith('.') || source.startsWith('/');
        if (isPath) expect({ name, source, exists: existsSync(join(ROOT, source)) }).toEqual({ name, source, exists: true });
        else expect({ name, source, declared: declared.includes(source) }).toEqual({ name, source, declared: true });
      }
      for (const c of s.configs ?? []) {
        const source = typeof c === 'string' ? c : c.source;
        expect(Object.keys(compose.configs ?? {})).toContain(source);
      }
    }
  });

  it('runs Temporal on the postgres service with its two databases', () => {
    const env = envOf('temporal');
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgres');
    expect(Object.keys(services)).toContain(env.POSTGRES_SEEDS);
    expect(env.POSTGRES_USER).toBeTruthy();
    expect(env.POSTGRES_PWD).toBeTruthy();

    if (service('temporal').image!.startsWith('temporalio/server:')) {
      // temporalio/server does no set-up of its own: a job must create both databases first.
      expect(dependsOn('temporal')).toEqual({ 'temporal-schema': 'service_completed_successfully' });
      const script = shellScript('temporal-schema');
      for (const db of ['temporal', 'temporal_visibility']) {
        expect(script).toMatch(new RegExp(`--db ${db} create`));
        expect(script).toMatch(new RegExp(`--db ${db} setup-schema`));
        expect(script).toMatch(new RegExp(`--db ${db} update-schema`));
      }
      expect(envOf('temporal-schema')).toMatchObject({ POSTGRES_SEEDS: 'postgres', POSTGRES_USER: env.POSTGRES_USER, DB: 'postgres12' });
      // The Temporal role it connects as is created on first initialisation of the data volume.
      const init = compose.configs?.['postgres-init']?.content ?? '';
      expect(init).toMatch(new RegExp(`CREATE ROLE ${env.POSTGRES_USER} WITH LOGIN CREATEDB PASSWORD '${env.POSTGRES_PWD}'`));
    }
  });

  it('creates every custom search attribute the workflows use, as Keyword, on temporal:7233', () => {
    const script = shellScript('temporal-admin-tools');
    expect(script).toMatch(/temporal operator search-attribute create/);
    expect(script).toMatch(/--address temporal:7233/);
    expect(CUSTOM_SEARCH_ATTRIBUTES.map((k) => k.name)).toEqual(expect.arrayContaining(['OrgId', 'Platform', 'ConnectionId', 'Scope']));
    for (const key of CUSTOM_SEARCH_ATTRIBUTES) {
      // The SDK's KEYWORD / KEYWORD_LIST is the CLI's Keyword / KeywordList.
      const cliType = key.type.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      expect(script).toMatch(new RegExp(`--name ${key.name} --type ${cliType}\\b`));
    }
    // The namespace the app uses is ensured before its search attributes.
    expect(script).toMatch(new RegExp(`namespace create --namespace ${envOf('api').TEMPORAL_NAMESPACE}\\b`));
  });

  it('has one-shot scripts that are valid sh', () => {
    for (const name of ['temporal-admin-tools', ...(services['temporal-schema'] ? ['temporal-schema'] : [])]) {
      const check = spawnSync('sh', ['-n', '-c', shellScript(name)], { encoding: 'utf8' });
      expect({ name, status: check.status, stderr: check.stderr }).toEqual({ name, status: 0, stderr: '' });
    }
  });

  it('connects the Temporal UI to the server', () => {
    const env = envOf('temporal-ui');
    expect(serviceAddress(env.TEMPORAL_ADDRESS!)).toEqual({ host: 'temporal', port: 7233 });
    expect(env.TEMPORAL_CORS_ORIGINS).toMatch(/^https?:\/\/\S+/);
  });
});

describe('ops/prometheus/prometheus.yml', () => {
  const mount = (service('prometheus').volumes ?? []).find((v) => String(v).includes('prometheus.yml'));
  const [source, target] = String(mount).split(':');

  it('is mounted into the prometheus service', () => {
    expect(source).toBe('./ops/prometheus/prometheus.yml');
    expect(target).toBe('/etc/prometheus/prometheus.yml');
    expect(existsSync(join(ROOT, source!))).toBe(true);
  });

  it('scrapes the api and worker services on their metrics ports every 15s', () => {
    const config = parse(readFileSync(join(ROOT, source!), 'utf8')) as {
      global?: { scrape_interval?: string };
      scrape_configs: Array<{ job_name: string; scrape_interval?: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const job = (name: string) => {
      const found = config.scrape_configs.find((j) => j.job_name === name);
      if (!found) throw new Error(`no scrape job ${name}`);
      return found;
    };
    // The API is scraped on its metrics port, not on PORT (the public port serves no /metrics).
    expect(envOf('api').API_METRICS_PORT).not.toBe(envOf('api').PORT);
    const expected = { 'liftos-api': `api:${envOf('api').API_METRICS_PORT}`, 'liftos-worker': `worker:${envOf('worker').WORKER_METRICS_PORT}` };
    for (const [name, targetAddress] of Object.entries(expected)) {
      const j = job(name);
      expect(j.static_configs.flatMap((s) => s.targets)).toEqual([targetAddress]);
      expect(j.metrics_path ?? '/metrics').toBe('/metrics');
      expect(j.scrape_interval ?? config.global?.scrape_interval).toBe('15s');
      expect(serviceAddress(targetAddress).host).toBe(targetAddress.split(':')[0]);
    }
    // The metrics ports are reachable on the compose network, and published on no host port.
    expect((service('worker').expose ?? []).map(String)).toContain(envOf('worker').WORKER_METRICS_PORT);
    expect((service('api').expose ?? []).map(String)).toContain(envOf('api').API_METRICS_PORT);
    expect(portsOf('api').map((p) => p.target)).not.toContain(Number(envOf('api').API_METRICS_PORT));
    expect(portsOf('worker')).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const path = join(ROOT, 'Dockerfile');
  /** Instructions with line continuations joined and comments dropped. */
  const instructions = () =>
    readFileSync(path, 'utf8')
      .replace(/\\\r?\n/g, ' ')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const [keyword, ...rest] = line.split(/\s+/);
        return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
      });

  it('exists and builds on node:20-bookworm-slim in every stage', () => {
    expect(existsSync(path)).toBe(true);
    const froms = instructions().filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2); // multi-stage
    for (const from of froms) expect(from.args).toMatch(/^node:20-bookworm-slim(\s+AS\s+\S+)?$/i);
  });

  it('installs with npm ci from the lock file', () => {
    const all = instructions();
    expect(all.some((i) => i.keyword === 'COPY' && /package-lock\.json/.test(i.args))).toBe(true);
    expect(all.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
  });

  it('runs as the non-root user node and defaults to the API', () => {
    const all = instructions();
    const finalStage = all.slice(all.map((i) => i.keyword).lastIndexOf('FROM'));
    const users = finalStage.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    expect(users).not.toContain('root');
    expect(users).not.toContain('0');
    const cmd = finalStage.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd && JSON.parse(cmd.args)).toEqual(['node', '--import', 'tsx', 'api/main.ts']);
  });

  it('has a .dockerignore that keeps local state and dependencies out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', '.tools', '.git', 'coverage']));
  });
});
