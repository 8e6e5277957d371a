import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';
import { APP_ROLES, asComposeDoc, checkCompose, checks, interpolate, isRecord, REQUIRED_SERVICES, sampleValue, type MountReader } from './compose-check.js';

// `merge: true`: the app roles share their settings through `<<: *app` (YAML merge keys, which
// Compose supports); without it they would parse as a literal "<<" key.
const text = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
const parsed: unknown = parse(text, { merge: true });

/** What a service mounts from the repository (paths relative to docker-compose.yml), parsed. */
const root = fileURLToPath(new URL('..', import.meta.url));
const readMount: MountReader = (hostPath) => {
  const path = join(root, hostPath);
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isDirectory()) return parse(readFileSync(path, 'utf8'));
  const files: Record<string, unknown> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(path, full)] = parse(readFileSync(full, 'utf8'));
    }
  };
  walk(path);
  return files;
};

/** `readMount`, except that `hostPath` reads as `change(what it holds)`. */
const readingChanged =
  (hostPath: string, change: (content: unknown) => unknown): MountReader =>
  (p) =>
    p === hostPath ? change(readMount(p)) : readMount(p);

/** A copy of `doc` whose service `name` is replaced by `change(service)`; the original is untouched. */
const withService = (doc: unknown, name: string, change: (service: Record<string, unknown>) => Record<string, unknown>): unknown => {
  if (!isRecord(doc) || !isRecord(doc['services'])) throw new Error('not a compose document');
  const service = doc['services'][name];
  if (!isRecord(service)) throw new Error(`no service ${name}`);
  return { ...doc, services: { ...doc['services'], [name]: change(service) } };
};

const environmentOf = (service: Record<string, unknown>): Record<string, unknown> => {
  const env = service['environment'];
  if (!isRecord(env)) throw new Error('environment is not a map');
  return env;
};

describe('docker-compose.yml', () => {
  const doc = asComposeDoc(parsed, readMount);

  it('parses to a map of services', () => {
    expect(E.isRight(doc) ? [] : [doc.left]).toEqual([]);
  });

  it.each(Object.entries(checks))('passes the %s check', (_name, check) => {
    if (E.isLeft(doc)) throw new Error(doc.left);
    // toEqual([]) prints every problem, one sentence each, when this fails.
    expect(check(doc.right)).toEqual([]);
  });

  it('defines every required service', () => {
    if (E.isLeft(doc)) throw new Error(doc.left);
    expect(Object.keys(doc.right.services)).toEqual(expect.arrayContaining([...REQUIRED_SERVICES]));
  });

  it('shares one definition among the app roles (x-app merged into each)', () => {
    if (E.isLeft(doc)) throw new Error(doc.left);
    for (const role of APP_ROLES) {
      expect(doc.right.services[role]?.['build'], role).toBe('.');
      expect(doc.right.services[role]?.['restart'], role).toBe('unless-stopped');
    }
  });
});

describe('checkCompose', () => {
  it('finds no problem in docker-compose.yml and the files it mounts', () => {
    expect(checkCompose(parsed, readMount)).toEqual([]);
  });

  it('does not change the parsed document', () => {
    const before = JSON.stringify(parsed);
    checkCompose(parsed);
    expect(JSON.stringify(parsed)).toBe(before);
  });

  it('interpolates like Compose with required variables given a valid sample', () => {
    expect(interpolate('${JWT_SECRET:?set JWT_SECRET}')).toBe(sampleValue('JWT_SECRET'));
    expect(sampleValue('JWT_SECRET').length).toBeGreaterThanOrEqual(32);
    expect(interpolate('${A:-x}/${B-y}/$$HOME/${C:+z}')).toBe('x/y/$HOME/z');
  });

  // Each case breaks the real file in one way and expects the checker to say so: proof that a
  // passing run above is not a checker that cannot fail.
  const broken: [string, (doc: unknown) => unknown, RegExp][] = [
    [
      'an unknown variable (MYSQL_HOTS) on relay',
      (d) => withService(d, 'relay', (s) => ({ ...s, environment: { ...environmentOf(s), MYSQL_HOTS: 'mysql' } })),
      /relay: environment variable MYSQL_HOTS is not a setting/,
    ],
    [
      'a value its codec rejects (short JWT_SECRET)',
      (d) => withService(d, 'projector', (s) => ({ ...s, environment: { ...environmentOf(s), JWT_SECRET: 'short' } })),
      /projector: JWT_SECRET="short" does not decode/,
    ],
    [
      'a broker on the controller port',
      (d) => withService(d, 'relay', (s) => ({ ...s, environment: { ...environmentOf(s), KAFKA_BROKERS: 'kafka:9093' } })),
      /relay: KAFKA_BROKERS uses port 9093 of "kafka", which listens on 9092/,
    ],
    [
      'a host that is no service',
      (d) => withService(d, 'query-api', (s) => ({ ...s, environment: { ...environmentOf(s), REDIS_URL: 'redis://cache:6379' } })),
      /query-api: REDIS_URL points at host "cache", which is not a service/,
    ],
    [
      'a connection setting left to its localhost default',
      (d) =>
        withService(d, 'command-api', (s) => {
          const { MEMCACHED_SERVERS: _dropped, ...env } = environmentOf(s);
          return { ...s, environment: env };
        }),
      /command-api: MEMCACHED_SERVERS is not set/,
    ],
    [
      'a role started as another',
      (d) => withService(d, 'relay', (s) => ({ ...s, command: ['node_modules/.bin/tsx', 'launcher/main.ts', '--role', 'projector'] })),
      /relay: command must pass --role relay, but passes --role projector/,
    ],
    [
      'a service without healthcheck',
      (d) =>
        withService(d, 'memcached', (s) => {
          const { healthcheck: _dropped, ...rest } = s;
          return rest;
        }),
      /memcached: has no healthcheck/,
    ],
    [
      'a dependency not waiting for health',
      (d) => withService(d, 'projector', (s) => ({ ...s, depends_on: ['mysql', 'redis', 'kafka', 'memcached'] })),
      /projector: must depend on "mysql" .* with condition: service_healthy, not service_started/,
    ],
    [
      'a missing service',
      (d) => {
        if (!isRecord(d) || !isRecord(d['services'])) throw new Error('not a compose document');
        const { redis: _dropped, ...services } = d['services'];
        return { ...d, services };
      },
      /service "redis" is missing/,
    ],
    [
      'a role listening on a port Prometheus does not scrape',
      (d) => withService(d, 'query-api', (s) => ({ ...s, environment: { ...environmentOf(s), PORT: '4000' } })),
      /prometheus: .* does not scrape query-api at query-api:4000\/metrics/,
    ],
    [
      'a fixed Grafana admin password',
      (d) => withService(d, 'grafana', (s) => ({ ...s, environment: { ...environmentOf(s), GF_SECURITY_ADMIN_PASSWORD: 'admin' } })),
      /grafana: GF_SECURITY_ADMIN_PASSWORD must come from the operator/,
    ],
    [
      'Grafana not waiting for Prometheus',
      (d) => withService(d, 'grafana', (s) => ({ ...s, depends_on: ['prometheus'] })),
      /grafana: must depend on "prometheus" with condition: service_healthy, not service_started/,
    ],
    [
      'switching to KurrentDB without waiting for it',
      (d) =>
        withService(d, 'relay', (s) => ({
          ...s,
          environment: { ...environmentOf(s), EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://eventstoredb:2113?tls=false' },
        })),
      /relay: must depend on "eventstoredb" \(its EVENTSTORE_CONNECTION_STRING\) with condition: service_healthy, but does not depend on it/,
    ],
  ];

  it.each(broken)('reports %s', (_name, breakIt, expected) => {
    const problems = checkCompose(breakIt(parsed), readMount);
    expect(problems.some((p) => expected.test(p)), `expected a problem matching ${String(expected)}, got:\n${problems.join('\n')}`).toBe(true);
  });

  const brokenMounts: [string, MountReader, RegExp][] = [
    [
      'Prometheus not scraping the relay',
      readingChanged('./ops/prometheus/prometheus.yml', (c) => JSON.parse(JSON.stringify(c).replace('"relay:3000"', '"relay:9999"')) as unknown),
      /prometheus: \.\/ops\/prometheus\/prometheus\.yml does not scrape relay at relay:3000\/metrics/,
    ],
    [
      'a missing Prometheus configuration',
      readingChanged('./ops/prometheus/prometheus.yml', () => undefined),
      /prometheus: its configuration \.\/ops\/prometheus\/prometheus\.yml does not exist/,
    ],
    [
      'a Grafana datasource pointing elsewhere',
      readingChanged('./ops/grafana/provisioning', (c) => JSON.parse(JSON.stringify(c).replace('http://prometheus:9090', 'http://metrics:9090')) as unknown),
      /grafana: the Prometheus datasource points at metrics:9090/,
    ],
    ['Grafana without a dashboard', readingChanged('./ops/grafana/dashboards', () => ({})), /grafana: no dashboard provider reads a mounted folder with a dashboard/],
  ];

  it.each(brokenMounts)('reports %s', (_name, read, expected) => {
    const problems = checkCompose(parsed, read);
    expect(problems.some((p) => expected.test(p)), `expected a problem matching ${String(expected)}, got:\n${problems.join('\n')}`).toBe(true);
  });
});
