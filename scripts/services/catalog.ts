// The four backing services: where the app expects them (from the same environment variables
// the app reads) and, for the local defaults only, how to install and start them.
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { kafkaFiles, startKafka } from './kafka.js';
import type { HostPort } from './probes.js';
import { probeKafka, probeMemcached, probeMysql, probeRedis, raiseBufferPool } from './probes.js';
import type { Launch } from './support.js';
import { Failure, cacheDir, ensureBinary, lookupUser, pidFileLaunch, run, say, sleep, spawnDetached } from './support.js';

export interface Service {
  name: string;
  /** Shown to the user; never contains credentials. */
  address: string;
  /** Only a service at its local default address may be installed and started by us. */
  startable: boolean;
  /** The environment variables that moved the address, for the "not starting it" message. */
  envVars: string;
  readyTimeoutMs: number;
  /** Where to look when it fails; the first one is the main log. */
  logs: string[];
  /** Present once we started it; see readOwnedPid. */
  pidFile: string;
  /** A substring of the process's command line, guarding against recycled pids. */
  processMarker: string;
  probe(): Promise<void>;
  start(): Promise<Launch>;
  /** Settings a local server is given once it serves, whoever started it; answers what it changed. */
  tune?(): Promise<string | undefined>;
}

const env = process.env;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const isLocalDefault = (target: HostPort, port: number): boolean => LOCAL_HOSTS.has(target.host) && target.port === port;

/** host:port, tolerating memjs-style `user:pass@` prefixes. */
function parseHostPort(text: string, defaultPort: number): HostPort {
  const bare = text.trim().slice(text.trim().lastIndexOf('@') + 1);
  const colon = bare.lastIndexOf(':');
  if (colon <= 0 || bare.endsWith(']')) return { host: bare, port: defaultPort };
  return { host: bare.slice(0, colon), port: Number(bare.slice(colon + 1)) };
}

const show = (target: HostPort): string => `${target.host}:${target.port}`;
const serviceDir = (name: string): string => path.join(cacheDir, name);

function mariadb(): Service {
  const target = {
    host: env.MYSQL_HOST ?? '127.0.0.1',
    port: Number(env.MYSQL_PORT ?? 3306),
    user: env.MYSQL_USER ?? 'root',
    password: env.MYSQL_PASSWORD ?? '',
  };
  const log = path.join(serviceDir('mariadb'), 'mariadb.log');
  const pidFile = path.join(serviceDir('mariadb'), 'mariadb.pid');
  return {
    name: 'mariadb',
    address: show(target),
    startable: isLocalDefault(target, 3306),
    envVars: 'MYSQL_HOST/MYSQL_PORT',
    readyTimeoutMs: 60_000,
    logs: [log],
    pidFile,
    processMarker: 'mariadbd',
    probe: () => probeMysql(target),
    tune: () => raiseBufferPool(target, BUFFER_POOL_BYTES),
    async start() {
      const fresh = await ensureBinary('mariadb', '/usr/sbin/mariadbd', 'mariadb-server');
      // The socket directory lives on tmpfs, so it is gone after a reboot; the init script would recreate it.
      await mkdir('/run/mysqld', { recursive: true });
      const mysqlUser = await lookupUser('mysql');
      if (mysqlUser) await chown('/run/mysqld', mysqlUser.uid, mysqlUser.gid);
      await mkdir(serviceDir('mariadb'), { recursive: true });
      const ssd = ['--start', '--oknodo', '--background', '--make-pidfile', '--pidfile', pidFile, '--output', log];
      await run('start-stop-daemon', [...ssd, '--exec', '/usr/sbin/mariadbd'], log);
      const launch = pidFileLaunch('mariadbd', pidFile);
      if (fresh && target.user === 'root' && target.password === '') await allowRootOverTcp(launch, log);
      return launch;
    },
  };
}

/**
 * MariaDB's default InnoDB buffer pool, 128 MiB, holds a tenth of a million-event store: a full
 * rebuild (and bench S8) then waits on the disk rather than on either program. The local server
 * gets 2 GiB (docker-compose.yml gives the production MySQL 1 GiB); it is resized online, and a
 * larger setting is left alone.
 */
const BUFFER_POOL_BYTES = 2 * 1024 ** 3;
/**
 * Debian's fresh install lets root in only through the unix socket (as the OS root user), while
 * the app connects over TCP as root with an empty password.  Only ever done right after this
 * script installed the server itself: an existing server's accounts are left as they are.
 */
async function allowRootOverTcp(launch: Launch, log: string): Promise<void> {
  const sql = "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')";
  const deadline = Date.now() + 60_000;
  for (;;) {
    const done = await run('mariadb', ['--protocol=socket', '-uroot', '-e', sql], log).then(
      () => true,
      () => false,
    );
    if (done) break;
    const death = await launch.exited();
    if (death !== undefined) throw new Failure(`${death} before it accepted connections`, log);
    if (Date.now() > deadline) throw new Failure('fresh install: could not let root log in over TCP', log);
    await sleep(500);
  }
  say('mariadb', 'fresh install: root may now log in over TCP with an empty password (the app default)');
}

function redis(): Service {
  const url = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const target = { host: url.hostname, port: Number(url.port || 6379) };
  const log = '/var/log/redis/ci.log';
  const pidFile = path.join(serviceDir('redis'), 'redis.pid');
  return {
    name: 'redis',
    address: show(target),
    startable: isLocalDefault(target, 6379),
    envVars: 'REDIS_URL',
    readyTimeoutMs: 20_000,
    logs: [log],
    pidFile,
    processMarker: 'redis-server',
    probe: () => probeRedis(url.href),
    async start() {
      await ensureBinary('redis', 'redis-server', 'redis-server');
      await Promise.all(['/var/lib/redis', '/var/log/redis', serviceDir('redis')].map((d) => mkdir(d, { recursive: true })));
      const listen = ['--bind', '127.0.0.1', '-::1', '--port', '6379'];
      const ephemeral = ['--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis'];
      const daemon = ['--daemonize', 'yes', '--logfile', log, '--pidfile', pidFile];
      await run('redis-server', [...daemon, ...listen, ...ephemeral], log);
      return pidFileLaunch('redis-server', pidFile);
    },
  };
}

function memcached(): Service {
  const servers = (env.MEMCACHED_SERVERS ?? '127.0.0.1:11211').split(',').filter((s) => s.trim() !== '');
  const targets = servers.map((server) => parseHostPort(server, 11211));
  const log = path.join(serviceDir('memcached'), 'memcached.log');
  const pidFile = path.join(serviceDir('memcached'), 'memcached.pid');
  return {
    name: 'memcached',
    address: targets.map(show).join(','),
    startable: targets.length === 1 && targets.every((t) => isLocalDefault(t, 11211)),
    envVars: 'MEMCACHED_SERVERS',
    readyTimeoutMs: 20_000,
    logs: [log],
    pidFile,
    processMarker: 'memcached',
    probe: async () => {
      await Promise.all(targets.map(probeMemcached));
    },
    async start() {
      await ensureBinary('memcached', 'memcached', 'memcached');
      // Run in the foreground of a detached session rather than with -d/-P: memcached writes its
      // pid file after dropping to the memcache user, who cannot write under /root/.cache.
      const user = (await lookupUser('memcache')) ? 'memcache' : 'root';
      const args = ['-u', user, '-l', '127.0.0.1', '-p', '11211', '-U', '0', '-m', '64', '-v'];
      await mkdir(serviceDir('memcached'), { recursive: true });
      return spawnDetached('memcached', args, { logPath: log, pidFile });
    },
  };
}

function kafka(): Service {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  const targets = brokers.map((broker) => parseHostPort(broker, 9092));
  return {
    name: 'kafka',
    address: brokers.join(','),
    startable: targets.length === 1 && targets.every((t) => isLocalDefault(t, 9092)),
    envVars: 'KAFKA_BROKERS',
    // Cold JVM start plus KRaft election; normally ~5 s, but a loaded CI box can be much slower.
    readyTimeoutMs: 90_000,
    logs: [kafkaFiles.serverLog, kafkaFiles.stdoutLog],
    pidFile: kafkaFiles.pidFile,
    processMarker: 'kafka.Kafka',
    probe: () => probeKafka(brokers),
    start: startKafka,
  };
}

export const services = (): Service[] => [mariadb(), redis(), memcached(), kafka()];
