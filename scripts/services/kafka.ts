// A single-node KRaft broker (combined broker+controller) run straight from Maven Central jars:
// no Kafka tarball, no Docker, no ZooKeeper.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Launch } from './support.js';
import { Failure, cacheDir, elapsed, ensureBinary, exists, run, say, spawnDetached } from './support.js';

const dir = path.join(cacheDir, 'kafka');
const pom = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));

export const kafkaFiles = {
  lib: path.join(dir, 'lib'),
  data: path.join(dir, 'data'),
  properties: path.join(dir, 'server.properties'),
  log4j: path.join(dir, 'log4j2.properties'),
  serverLog: path.join(dir, 'server.log'),
  stdoutLog: path.join(dir, 'stdout.log'),
  mavenLog: path.join(dir, 'mvn.log'),
  formatLog: path.join(dir, 'format.log'),
  pidFile: path.join(dir, 'kafka.pid'),
};
const jarsMarker = path.join(kafkaFiles.lib, '.pom.sha256');

const serverProperties = (): string => `# Written by scripts/services.ts on every start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${kafkaFiles.data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=16777216
auto.create.topics.enable=false
`;

// state.change.logger is chatty at INFO on every partition change and drowns the useful lines.
// Log4j's own shutdown hook would close the appender while Kafka's hook is still logging its
// shutdown; File appenders flush every event, so there is nothing for it to save anyway.
const log4jProperties = (): string => `# Written by scripts/services.ts on every start; edits here are overwritten.
status = warn
shutdownHook = disable
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${kafkaFiles.serverLog}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
`;

const javaBase = (): string[] => ['-cp', `${kafkaFiles.lib}/*`, `-Dlog4j2.configurationFile=${kafkaFiles.log4j}`];

/** Downloads only when the jars are absent or were resolved from a different pom. */
async function ensureJars(): Promise<void> {
  const wanted = createHash('sha256').update(await readFile(pom)).digest('hex');
  const have = await readFile(jarsMarker, 'utf8').catch(() => '');
  if (have.trim() === wanted) return;
  await ensureBinary('kafka', 'mvn', 'maven');
  const started = Date.now();
  say('kafka', 'downloading broker jars from Maven Central…');
  await rm(kafkaFiles.lib, { recursive: true, force: true });
  await mkdir(kafkaFiles.lib, { recursive: true });
  const goal = ['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${kafkaFiles.lib}`];
  await run('mvn', ['-q', '-B', '-f', pom, ...goal], kafkaFiles.mavenLog);
  const jars = (await readdir(kafkaFiles.lib)).filter((name) => name.endsWith('.jar'));
  if (jars.length === 0) throw new Failure('Maven finished but copied no jars', kafkaFiles.mavenLog);
  // Written last, so an interrupted download is retried rather than trusted.
  await writeFile(jarsMarker, `${wanted}\n`);
  say('kafka', `downloaded ${jars.length} jars (${elapsed(started)})`);
}

/** Formats the log dir once; reformatting would discard every topic. */
async function formatOnce(): Promise<void> {
  if (await exists(path.join(kafkaFiles.data, 'meta.properties'))) return;
  say('kafka', 'formatting KRaft storage (first start)…');
  const tool = [...javaBase(), 'kafka.tools.StorageTool'];
  const output = await run('java', [...tool, 'random-uuid'], kafkaFiles.formatLog, true);
  const clusterId = output.trim().split('\n').at(-1)?.trim();
  if (!clusterId) throw new Failure('StorageTool random-uuid printed no cluster id', kafkaFiles.formatLog);
  const format = ['format', '-t', clusterId, '-c', kafkaFiles.properties, '--ignore-formatted'];
  await run('java', [...tool, ...format], kafkaFiles.formatLog);
}

export async function startKafka(): Promise<Launch> {
  await ensureBinary('kafka', 'java', 'openjdk-17-jre-headless');
  await ensureJars();
  await mkdir(kafkaFiles.data, { recursive: true });
  await writeFile(kafkaFiles.properties, serverProperties());
  await writeFile(kafkaFiles.log4j, log4jProperties());
  await formatOnce();
  say('kafka', 'starting broker…');
  const jvm = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC'];
  return spawnDetached('java', [...jvm, ...javaBase(), 'kafka.Kafka', kafkaFiles.properties], {
    logPath: kafkaFiles.stdoutLog,
    pidFile: kafkaFiles.pidFile,
    cwd: dir,
  });
}
