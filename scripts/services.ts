// Brings up the backing services the app and the tests need (MariaDB, Redis, Memcached, Kafka)
// on this Debian machine without Docker or systemd.  `npm run services -- up|down|status`.
import path from 'node:path';
import type { Service } from './services/catalog.js';
import { services } from './services/catalog.js';
import { ProbeRejected } from './services/probes.js';
import type { Launch } from './services/support.js';
import {
  Failure,
  cacheDir,
  elapsed,
  errorText,
  excerptSince,
  exists,
  readOwnedPid,
  removeFile,
  say,
  sleep,
  stopProcess,
  withLock,
  sizeOf,
} from './services/support.js';

const lockFile = path.join(cacheDir, 'services.lock');

const USAGE = `usage: npm run services -- <command>

  up      start whatever of mariadb, redis, memcached and kafka does not answer, and wait until
          each really serves; a no-op when all already do.  Exit 1 if any fails.
  down    stop the services this script started (tracked by pid files under
          ${cacheDir}); services it did not start are left alone.
  status  one line per service: address, serving or not, started by us (pid) or external.
          Exit 0 when all serve, 1 otherwise.

Probe addresses follow KAFKA_BROKERS, MYSQL_HOST/MYSQL_PORT/MYSQL_USER/MYSQL_PASSWORD, REDIS_URL and
MEMCACHED_SERVERS; a service is only started when its address is the local default.
Cache dir: $SLEEPSOCIAL_CACHE_DIR, default ~/.cache/sleepsocial.`;

interface ProbeFailure {
  message: string;
  rejected: boolean;
}

async function attempt(service: Service): Promise<ProbeFailure | undefined> {
  try {
    await service.probe();
    return undefined;
  } catch (error) {
    return { message: errorText(error) || 'probe failed', rejected: error instanceof ProbeRejected };
  }
}

const rejection = (failure: ProbeFailure): string =>
  `${failure.message}; the server is up, so check the credentials in the environment`;

async function owner(service: Service): Promise<string> {
  const pid = await readOwnedPid(service.pidFile, service.processMarker);
  return pid === undefined ? 'external' : `started by us, pid ${pid}`;
}

/** Polls until the probe passes, failing early if the process dies or the server refuses us. */
async function waitUntilServing(service: Service, launch: Launch): Promise<void> {
  const deadline = Date.now() + service.readyTimeoutMs;
  for (;;) {
    const failure = await attempt(service);
    if (failure === undefined) return;
    if (failure.rejected) throw new Failure(rejection(failure), false);
    const death = await launch.exited();
    if (death !== undefined) throw new Failure(`${death} before serving on ${service.address}`);
    if (Date.now() >= deadline) {
      const seconds = service.readyTimeoutMs / 1000;
      throw new Failure(`not serving on ${service.address} after ${seconds} s (last probe: ${failure.message})`);
    }
    await sleep(250);
  }
}

/** A local server's settings (see Service.tune); a failure here is reported, not fatal. */
async function tune(service: Service): Promise<void> {
  if (!service.startable || !service.tune) return;
  try {
    const changed = await service.tune();
    if (changed) say(service.name, changed);
  } catch (error) {
    say(service.name, `could not apply its local settings (${errorText(error)}); it serves as it is`);
  }
}

async function bringUp(service: Service): Promise<void> {
  await startOrFind(service);
  await tune(service);
}

async function startOrFind(service: Service): Promise<void> {
  const failure = await attempt(service);
  if (failure === undefined) {
    say(service.name, `serving on ${service.address} (already running, ${await owner(service)})`);
    return;
  }
  if (failure.rejected) throw new Failure(rejection(failure), false);
  if (!service.startable) {
    throw new Failure(
      `nothing serves at ${service.address} (${failure.message}); ${service.envVars} points away from ` +
        'the local default, so this script does not start it',
    );
  }
  const started = Date.now();
  let launch: Launch;
  const running = await readOwnedPid(service.pidFile, service.processMarker);
  if (running !== undefined) {
    // Probably still booting from an earlier `up`; a second copy would only fight it for the port.
    say(service.name, `our pid ${running} is alive but not serving yet; waiting for it…`);
    launch = { exited: async () => ((await readOwnedPid(service.pidFile, service.processMarker)) ? undefined : 'it exited') };
  } else {
    say(service.name, `not answering on ${service.address} (${failure.message}); starting it…`);
    await removeFile(service.pidFile);
    launch = await service.start();
  }
  const waitFrom = Date.now();
  await waitUntilServing(service, launch);
  const pid = await readOwnedPid(service.pidFile, service.processMarker);
  // Preparation (install, download, format) is reported separately; show it only when it took a while.
  const timing = waitFrom - started < 1000 ? elapsed(waitFrom) : `${elapsed(waitFrom)}; ${elapsed(started)} in all`;
  say(service.name, `serving on ${service.address} (started, pid ${pid ?? '?'}, ${timing})`);
}

async function report(service: Service, error: unknown): Promise<void> {
  console.error(`${service.name}: FAILED: ${errorText(error)}`);
  const logPath = error instanceof Failure ? error.logPath : undefined;
  if (!service.startable || logPath === false) return; // no log of ours can explain it
  const logs = logPath === undefined ? service.logs : [logPath];
  for (const log of logs) {
    const excerpt = await excerptSince(log, logOffsets.get(log));
    console.error(`${service.name}:   log: ${log}${excerpt.length === 0 ? ' (nothing written to it by this run)' : ''}`);
    for (const line of excerpt) console.error(`${service.name}:   | ${line.slice(0, 300)}`);
  }
}

/** Log sizes before `up` touched anything, so that a failure shows only this run's lines. */
const logOffsets = new Map<string, number>();

async function up(): Promise<number> {
  const all = services();
  const logs = all.flatMap((service) => service.logs);
  await Promise.all(logs.map(async (log) => logOffsets.set(log, await sizeOf(log))));
  const results = await Promise.allSettled(all.map(bringUp));
  let failed = 0;
  for (const [index, result] of results.entries()) {
    if (result.status === 'fulfilled') continue;
    failed += 1;
    await report(all[index] as Service, result.reason);
  }
  return failed === 0 ? 0 : 1;
}

async function stop(service: Service): Promise<void> {
  const pid = await readOwnedPid(service.pidFile, service.processMarker);
  if (pid === undefined) {
    const stale = await exists(service.pidFile);
    await removeFile(service.pidFile);
    say(service.name, `not started by this script, left alone${stale ? ' (removed a stale pid file)' : ''}`);
    return;
  }
  const began = Date.now();
  say(service.name, `stopping pid ${pid}…`);
  const signal = await stopProcess(pid);
  await removeFile(service.pidFile);
  const how = signal === 'SIGKILL' ? ', had to SIGKILL it' : '';
  say(service.name, `stopped pid ${pid} (${elapsed(began)}${how})`);
}

async function down(): Promise<number> {
  const all = services();
  const results = await Promise.allSettled(all.map(stop));
  let failed = 0;
  for (const [index, result] of results.entries()) {
    if (result.status === 'rejected') {
      failed += 1;
      console.error(`${(all[index] as Service).name}: FAILED to stop: ${errorText(result.reason)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

async function status(): Promise<number> {
  const all = services();
  const rows = await Promise.all(
    all.map(async (service) => ({ service, failure: await attempt(service), owner: await owner(service) })),
  );
  const width = Math.max(...all.map((s) => s.address.length));
  for (const { service, failure, owner: who } of rows) {
    const state = failure === undefined ? 'serving' : 'not serving';
    const whoText = failure === undefined || who !== 'external' ? who : `(${failure.message})`;
    console.log(`${service.name.padEnd(10)} ${service.address.padEnd(width)}  ${state.padEnd(11)}  ${whoText}`);
  }
  return rows.every((row) => row.failure === undefined) ? 0 : 1;
}

async function main(command: string | undefined): Promise<number> {
  switch (command ?? '') {
    case 'up':
      return withLock(lockFile, up);
    case 'down':
      return withLock(lockFile, down);
    case 'status':
      return status();
    default:
      console.error(USAGE);
      return 2;
  }
}

const [command, ...extra] = process.argv.slice(2);
main(extra.length === 0 ? command : undefined).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`services: ${errorText(error)}`);
    process.exitCode = 1;
  },
);
