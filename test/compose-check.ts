/**
 * Checks a parsed docker-compose.yml against what the app needs: every service healthy-checked,
 * each role started as itself, every app variable a known setting with a decodable value, and the
 * hosts/ports it is wired to being services of the file that listen there and that the role waits
 * for; Prometheus scraping every role and Grafana provisioned from it. Pure: takes the parsed YAML
 * (unknown) and, optionally, a reader of the files services mount; returns the problems found,
 * one sentence each.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig, type Config } from '../shared/config/index.js';
import { settings } from '../shared/config/settings.js';

type Rec = Record<string, unknown>;

export const isRecord = (u: unknown): u is Rec => typeof u === 'object' && u !== null && !Array.isArray(u);
const isStringArray = (u: unknown): u is string[] => Array.isArray(u) && u.every((x) => typeof x === 'string');

export const INFRA_SERVICES = ['eventstoredb', 'kafka', 'mysql', 'redis', 'memcached'] as const;
export const APP_ROLES = ['command-api', 'query-api', 'relay', 'projector'] as const;
export const MONITORING_SERVICES = ['prometheus', 'grafana'] as const;
export const REQUIRED_SERVICES: readonly string[] = [...INFRA_SERVICES, ...APP_ROLES, ...MONITORING_SERVICES];

type Kind = 'mysql' | 'redis' | 'kafka' | 'memcached' | 'eventstoredb';

/** The in-network port each kind of infrastructure listens on (as configured in the file). */
export const LISTEN_PORT: Readonly<Record<Kind, number>> = {
  mysql: 3306,
  redis: 6379,
  kafka: 9092,
  memcached: 11211,
  eventstoredb: 2113,
};

/** What a service is, from its image (so a host is checked to be the right kind of server). */
const kindOfImage = (image: string): Kind | undefined => {
  const name = (image.split('/').pop() ?? image).split(':')[0] ?? '';
  if (name === 'mysql' || name === 'mariadb') return 'mysql';
  if (name === 'redis' || name === 'valkey') return 'redis';
  if (name === 'kafka') return 'kafka';
  if (name === 'memcached') return 'memcached';
  if (name === 'kurrentdb' || name === 'eventstore') return 'eventstoredb';
  return undefined;
};

// ---------------------------------------------------------------------------------------------
// Compose value helpers

/** A sample for a variable the operator must supply: ≥ 32 characters, so it passes SecretString. */
export const sampleValue = (variable: string): string => `sample-${variable.toLowerCase()}-`.padEnd(40, 'x');

/**
 * Compose interpolation with the operator's variables unset except the required ones, which get
 * `sampleValue`: `${VAR:-d}`/`${VAR-d}` → d, `${VAR:?msg}`/`${VAR?msg}`/`${VAR}`/`$VAR` → sample,
 * `${VAR:+alt}`/`${VAR+alt}` → alt (as if set), `$$` → `$`.
 */
export const interpolate = (value: string): string =>
  value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const variable = braced ?? bare ?? '';
      if (op === '-' || op === ':-') return arg ?? '';
      if (op === '+' || op === ':+') return arg ?? '';
      return sampleValue(variable);
    },
  );

/** A service's environment (map or `KEY=value` list), values as Compose passes them (strings). */
const environmentOf = (name: string, service: Rec, problems: string[]): Record<string, string> => {
  const raw = service['environment'];
  const env: Record<string, string> = {};
  if (raw === undefined) return env;
  if (isStringArray(raw)) {
    for (const item of raw) {
      const eq = item.indexOf('=');
      if (eq < 0) problems.push(`${name}: environment entry "${item}" has no value (it would be taken from the host).`);
      else env[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return env;
  }
  if (!isRecord(raw)) {
    problems.push(`${name}: environment must be a map or a list of KEY=value.`);
    return env;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') env[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') env[key] = String(value);
    else problems.push(`${name}: environment variable ${key} has no value (it would be taken from the host).`);
  }
  return env;
};

const interpolatedEnvironment = (name: string, service: Rec, problems: string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(environmentOf(name, service, problems)).map(([k, v]) => [k, interpolate(v)]));

const commandTokens = (command: unknown): string[] | undefined => {
  if (typeof command === 'string') return command.trim().split(/\s+/);
  if (isStringArray(command)) return command;
  return undefined;
};

/** `depends_on` as service → condition (the short list form means `service_started`). */
const dependenciesOf = (service: Rec): Map<string, string> => {
  const raw = service['depends_on'];
  const deps = new Map<string, string>();
  if (isStringArray(raw)) for (const d of raw) deps.set(d, 'service_started');
  else if (isRecord(raw)) {
    for (const [d, spec] of Object.entries(raw)) {
      const condition = isRecord(spec) ? spec['condition'] : undefined;
      deps.set(d, typeof condition === 'string' ? condition : 'service_started');
    }
  }
  return deps;
};

/** Container ports published by a service (short `[ip:][host:]container[/proto]` or long form). */
const publishedPorts = (service: Rec): { host: string; container: number }[] => {
  const raw = service['ports'];
  if (!Array.isArray(raw)) return [];
  const out: { host: string; container: number }[] = [];
  for (const entry of raw) {
    if (typeof entry === 'string' || typeof entry === 'number') {
      const parts = String(entry).split('/')[0]?.split(':') ?? [];
      const container = Number(parts[parts.length - 1]);
      out.push({ host: parts.length > 1 ? (parts[parts.length - 2] ?? '') : '', container });
    } else if (isRecord(entry)) {
      const target = entry['target'];
      const published = entry['published'];
      out.push({
        host: typeof published === 'string' || typeof published === 'number' ? String(published) : '',
        container: typeof target === 'number' || typeof target === 'string' ? Number(target) : NaN,
      });
    }
  }
  return out;
};

const hostPort = (item: string): { host: string; port: number } => {
  const i = item.lastIndexOf(':');
  return { host: item.slice(0, i), port: Number(item.slice(i + 1)) };
};

/** Hosts of an esdb:// / kurrentdb:// connection string (`scheme://[user@]h1:p1,h2:p2[/…][?…]`). */
const connectionStringHosts = (cs: string): { host: string; port: number }[] => {
  const authority = /^[a-z+]+:\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(cs)?.[1] ?? '';
  return authority
    .split(',')
    .filter((h) => h.length > 0)
    .map((h) => (h.includes(':') ? hostPort(h) : { host: h, port: LISTEN_PORT.eventstoredb }));
};

// ---------------------------------------------------------------------------------------------
// The checks

/**
 * The parsed content of what a service mounts from the host, by the host path as the file writes
 * it (`./ops/…`): a file's parsed YAML/JSON, a folder's `{ relative path: parsed content }`, or
 * undefined when there is nothing there.
 */
export type MountReader = (hostPath: string) => unknown;

export type ComposeDoc = { readonly root: Rec; readonly services: Readonly<Record<string, Rec>>; readonly read?: MountReader };

type Check = (doc: ComposeDoc) => string[];

const requiredServices: Check = ({ root, services }) => {
  const problems = REQUIRED_SERVICES.filter((s) => !(s in services)).map((s) => `service "${s}" is missing.`);
  if ('version' in root) problems.push('top-level "version" is obsolete in the Compose Specification; remove it.');
  return problems;
};

const healthchecks: Check = ({ services }) =>
  Object.entries(services).flatMap(([name, service]) => {
    const hc = service['healthcheck'];
    if (!isRecord(hc)) return [`${name}: has no healthcheck.`];
    const test = hc['test'];
    const disabled = hc['disable'] === true || (isStringArray(test) && test[0] === 'NONE');
    const empty = test === undefined || (typeof test === 'string' ? test.trim() === '' : !isStringArray(test) || test.length < 2);
    return disabled || empty ? [`${name}: healthcheck has no test (or is disabled).`] : [];
  });

const roleCommands: Check = ({ services }) =>
  APP_ROLES.flatMap((role) => {
    const service = services[role];
    if (service === undefined) return [];
    const tokens = commandTokens(service['command']);
    if (tokens === undefined) return [`${role}: command is missing; it must pass --role ${role}.`];
    const i = tokens.indexOf('--role');
    const given = i >= 0 ? tokens[i + 1] : tokens.find((t) => t.startsWith('--role='))?.slice('--role='.length);
    return given === role ? [] : [`${role}: command must pass --role ${role}, but passes ${given === undefined ? 'no --role' : `--role ${given}`}.`];
  });

/** Every variable a known setting; the whole environment decoding as the role would decode it. */
const environment: Check = ({ services }) =>
  APP_ROLES.flatMap((role) => {
    const service = services[role];
    if (service === undefined) return [];
    const problems: string[] = [];
    const env = interpolatedEnvironment(role, service, problems);
    for (const key of Object.keys(env)) {
      if (!Object.hasOwn(settings, key)) problems.push(`${role}: environment variable ${key} is not a setting in shared/config/settings.ts.`);
    }
    const decoded = decodeConfig(env);
    if (E.isLeft(decoded)) {
      for (const e of decoded.left) problems.push(`${role}: ${e.variable}=${JSON.stringify(e.value)} does not decode: ${e.message}.`);
    }
    return problems;
  });

type Target = { readonly setting: string; readonly host: string; readonly port: number; readonly kind: Kind };

const targetsOf = (config: Config): Target[] => {
  const targets: Target[] = [{ setting: 'MYSQL_HOST/MYSQL_PORT', host: config.MYSQL_HOST, port: config.MYSQL_PORT, kind: 'mysql' }];
  const redis = new URL(config.REDIS_URL);
  targets.push({ setting: 'REDIS_URL', host: redis.hostname, port: redis.port === '' ? LISTEN_PORT.redis : Number(redis.port), kind: 'redis' });
  for (const b of config.KAFKA_BROKERS) targets.push({ setting: 'KAFKA_BROKERS', ...hostPort(b), kind: 'kafka' });
  for (const m of config.MEMCACHED_SERVERS) targets.push({ setting: 'MEMCACHED_SERVERS', ...hostPort(m), kind: 'memcached' });
  if (config.EVENT_STORE === 'eventstoredb') {
    for (const h of connectionStringHosts(config.EVENTSTORE_CONNECTION_STRING)) {
      targets.push({ setting: 'EVENTSTORE_CONNECTION_STRING', ...h, kind: 'eventstoredb' });
    }
  }
  return targets;
};

/** Connection settings that must be given explicitly: their defaults point at the container itself. */
const MUST_BE_SET = ['MYSQL_HOST', 'REDIS_URL', 'KAFKA_BROKERS', 'MEMCACHED_SERVERS'] as const;

/** Hosts and ports point at services of this file, of the right kind, and are waited for. */
const wiring: Check = ({ services }) =>
  APP_ROLES.flatMap((role) => {
    const service = services[role];
    if (service === undefined) return [];
    const ignored: string[] = []; // reported by `environment`
    const env = interpolatedEnvironment(role, service, ignored);
    const decoded = decodeConfig(env);
    if (E.isLeft(decoded)) return []; // reported by `environment`
    const config = decoded.right;
    const problems: string[] = [];
    for (const key of MUST_BE_SET) {
      if (env[key] === undefined) problems.push(`${role}: ${key} is not set; its default (${settings[key].default}) is the container itself.`);
    }
    if (/^(127\.|localhost$|::1$)/.test(config.HOST)) {
      problems.push(`${role}: HOST=${config.HOST} is loopback; other containers and published ports cannot reach it (use 0.0.0.0).`);
    }
    const deps = dependenciesOf(service);
    for (const t of targetsOf(config)) {
      const target = services[t.host];
      if (target === undefined) {
        problems.push(`${role}: ${t.setting} points at host "${t.host}", which is not a service in docker-compose.yml.`);
        continue;
      }
      const image = target['image'];
      const kind = typeof image === 'string' ? kindOfImage(image) : undefined;
      if (kind !== t.kind) {
        problems.push(`${role}: ${t.setting} points at "${t.host}", which is ${kind === undefined ? 'not a known server' : `a ${kind} server`}, not ${t.kind}.`);
      } else if (t.port !== LISTEN_PORT[kind]) {
        problems.push(`${role}: ${t.setting} uses port ${t.port} of "${t.host}", which listens on ${LISTEN_PORT[kind]}.`);
      }
      if (kind === 'kafka') {
        const advertised = interpolatedEnvironment(t.host, target, ignored)['KAFKA_ADVERTISED_LISTENERS'];
        const endpoints = (advertised ?? '').split(',').map((l) => l.replace(/^[^:]*:\/\//, ''));
        if (advertised !== undefined && !endpoints.includes(`${t.host}:${t.port}`)) {
          problems.push(`${role}: KAFKA_BROKERS uses ${t.host}:${t.port}, which "${t.host}" does not advertise (${advertised}).`);
        }
      }
      const condition = deps.get(t.host);
      if (condition !== 'service_healthy') {
        problems.push(
          `${role}: must depend on "${t.host}" (its ${t.setting}) with condition: service_healthy` +
            (condition === undefined ? ', but does not depend on it.' : `, not ${condition}.`),
        );
      }
    }
    const mysql = services[config.MYSQL_HOST];
    const mysqlImage = mysql?.['image'];
    if (mysql !== undefined && typeof mysqlImage === 'string' && kindOfImage(mysqlImage) === 'mysql') {
      problems.push(...mysqlCredentials(role, config, mysql));
    }
    for (const p of publishedPorts(service)) {
      if (p.container !== config.PORT) problems.push(`${role}: publishes container port ${p.container}, but the server listens on PORT=${config.PORT}.`);
    }
    const hc = service['healthcheck'];
    const test = isRecord(hc) ? commandTokens(hc['test'])?.join(' ') : undefined;
    if (test !== undefined) {
      const port = /:(\d+)\/healthz/.exec(test)?.[1];
      if (!test.includes('/healthz')) problems.push(`${role}: healthcheck does not call /healthz.`);
      else if (port !== undefined && Number(port) !== config.PORT) problems.push(`${role}: healthcheck calls port ${port}, but PORT=${config.PORT}.`);
    }
    return problems;
  });

/** The app's MySQL user and password are ones the mysql service creates. */
const mysqlCredentials = (role: string, config: Config, mysql: Rec): string[] => {
  const env = interpolatedEnvironment(config.MYSQL_HOST, mysql, []);
  const expected =
    config.MYSQL_USER === 'root' ? env['MYSQL_ROOT_PASSWORD'] : config.MYSQL_USER === env['MYSQL_USER'] ? env['MYSQL_PASSWORD'] : undefined;
  if (expected === undefined) return [`${role}: MYSQL_USER=${config.MYSQL_USER} is not a user the "${config.MYSQL_HOST}" service creates.`];
  return expected === config.MYSQL_PASSWORD ? [] : [`${role}: MYSQL_PASSWORD does not match the password "${config.MYSQL_HOST}" sets for ${config.MYSQL_USER}.`];
};

/** Generic sanity: dependencies exist; no two services publish the same host port. */
const references: Check = ({ services }) => {
  const problems: string[] = [];
  const hostPorts = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    for (const dep of dependenciesOf(service).keys()) {
      if (!(dep in services)) problems.push(`${name}: depends on "${dep}", which is not a service.`);
    }
    for (const { host } of publishedPorts(service)) {
      if (host === '') continue;
      const other = hostPorts.get(host);
      if (other !== undefined) problems.push(`${name}: publishes host port ${host}, already published by ${other}.`);
      hostPorts.set(host, name);
    }
  }
  for (const role of ['command-api', 'query-api'] as const) {
    const service = services[role];
    if (service !== undefined && publishedPorts(service).length === 0) problems.push(`${role}: publishes no port.`);
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------
// Monitoring: Prometheus scrapes every role's /metrics; Grafana reads that Prometheus

const PROMETHEUS_PORT = 9090;

/** Bind mounts of a service (short `src:dst[:mode]` or long form), host path → container path. */
const bindMounts = (service: Rec): { source: string; target: string }[] => {
  const raw = service['volumes'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((v): { source: string; target: string }[] => {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      return source !== undefined && target !== undefined && /^[./~]/.test(source) ? [{ source, target }] : [];
    }
    if (isRecord(v) && v['type'] === 'bind' && typeof v['source'] === 'string' && typeof v['target'] === 'string') return [{ source: v['source'], target: v['target'] }];
    return [];
  });
};

const imageName = (service: Rec | undefined): string => {
  const image = service?.['image'];
  return typeof image === 'string' ? ((image.split('/').pop() ?? image).split(':')[0] ?? '') : '';
};

/** `role:PORT` for each app role, PORT as the role decodes its environment. */
const roleAddresses = (services: Readonly<Record<string, Rec>>): Map<string, string> => {
  const addresses = new Map<string, string>();
  for (const role of APP_ROLES) {
    const service = services[role];
    if (service === undefined) continue;
    const decoded = decodeConfig(interpolatedEnvironment(role, service, []));
    if (E.isRight(decoded)) addresses.set(role, `${role}:${decoded.right.PORT}`);
  }
  return addresses;
};

/** Targets scraped at /metrics by a Prometheus configuration (static_configs only). */
const scrapedTargets = (config: unknown): Set<string> => {
  const jobs = isRecord(config) && Array.isArray(config['scrape_configs']) ? config['scrape_configs'] : [];
  const targets = new Set<string>();
  for (const job of jobs) {
    if (!isRecord(job) || (job['metrics_path'] ?? '/metrics') !== '/metrics' || !Array.isArray(job['static_configs'])) continue;
    for (const sc of job['static_configs']) if (isRecord(sc) && isStringArray(sc['targets'])) sc['targets'].forEach((t) => targets.add(t));
  }
  return targets;
};

const prometheus: Check = ({ services, read }) => {
  const service = services['prometheus'];
  if (service === undefined) return [];
  if (imageName(service) !== 'prometheus') return [`prometheus: image ${String(service['image'])} is not Prometheus.`];
  const config = bindMounts(service).find((m) => m.target === '/etc/prometheus/prometheus.yml');
  if (!config) return ['prometheus: mounts no configuration at /etc/prometheus/prometheus.yml.'];
  if (!read) return [];
  const parsed = read(config.source);
  if (parsed === undefined) return [`prometheus: its configuration ${config.source} does not exist.`];
  const scraped = scrapedTargets(parsed);
  return [...roleAddresses(services)]
    .filter(([, address]) => !scraped.has(address))
    .map(([role, address]) => `prometheus: ${config.source} does not scrape ${role} at ${address}/metrics.`);
};

const grafana: Check = ({ services, read }) => {
  const service = services['grafana'];
  if (service === undefined) return [];
  const problems: string[] = [];
  const condition = dependenciesOf(service).get('prometheus');
  if (condition !== 'service_healthy') problems.push(`grafana: must depend on "prometheus" with condition: service_healthy${condition === undefined ? '' : `, not ${condition}`}.`);
  const password = environmentOf('grafana', service, problems)['GF_SECURITY_ADMIN_PASSWORD'];
  if (password === undefined || !password.includes('${')) problems.push('grafana: GF_SECURITY_ADMIN_PASSWORD must come from the operator (${VAR:?…}), not be fixed or default.');
  const mounts = bindMounts(service);
  const provisioning = mounts.find((m) => m.target === '/etc/grafana/provisioning');
  if (!provisioning) return [...problems, 'grafana: mounts no provisioning folder at /etc/grafana/provisioning.'];
  if (!read) return problems;
  const files = read(provisioning.source);
  const parsed = isRecord(files) ? Object.values(files).filter(isRecord) : [];
  const datasources = parsed.flatMap((f) => (Array.isArray(f['datasources']) ? f['datasources'].filter(isRecord) : []));
  const promUrl = datasources.find((d) => d['type'] === 'prometheus')?.['url'];
  const url = typeof promUrl === 'string' && URL.canParse(promUrl) ? new URL(promUrl) : undefined;
  if (!url) problems.push(`grafana: ${provisioning.source} provisions no Prometheus datasource.`);
  else if (imageName(services[url.hostname]) !== 'prometheus' || Number(url.port) !== PROMETHEUS_PORT) {
    problems.push(`grafana: the Prometheus datasource points at ${url.host}, not a Prometheus service of this file on ${PROMETHEUS_PORT}.`);
  }
  const providers = parsed.flatMap((f) => (Array.isArray(f['providers']) ? f['providers'].filter(isRecord) : []));
  const paths = providers.map((p) => (isRecord(p['options']) ? p['options']['path'] : undefined)).filter((p): p is string => typeof p === 'string');
  const dashboards = mounts.filter((m) => paths.includes(m.target));
  const hasJson = dashboards.some((m) => {
    const folder = read(m.source);
    return isRecord(folder) && Object.keys(folder).some((name) => name.endsWith('.json'));
  });
  if (!hasJson) problems.push('grafana: no dashboard provider reads a mounted folder with a dashboard (.json).');
  return problems;
};

export const checks: Readonly<Record<string, Check>> = {
  'required services': requiredServices,
  healthchecks,
  'role commands': roleCommands,
  environment,
  wiring,
  references,
  prometheus,
  grafana,
};

/** Narrows the parsed YAML to the shape the checks read, or says why it cannot. */
export const asComposeDoc = (doc: unknown, read?: MountReader): E.Either<string, ComposeDoc> => {
  if (!isRecord(doc)) return E.left('the file is not a YAML map.');
  const raw = doc['services'];
  if (!isRecord(raw)) return E.left('the file has no "services" map.');
  const services: Record<string, Rec> = {};
  for (const [name, service] of Object.entries(raw)) {
    if (!isRecord(service)) return E.left(`service "${name}" is not a map.`);
    services[name] = service;
  }
  return E.right({ root: doc, services, ...(read ? { read } : {}) });
};

/** All problems of a parsed compose file; empty when it is fine. */
export const checkCompose = (doc: unknown, read?: MountReader): string[] => {
  const parsed = asComposeDoc(doc, read);
  if (E.isLeft(parsed)) return [parsed.left];
  return Object.values(checks).flatMap((check) => check(parsed.right));
};
