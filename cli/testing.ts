import { Writable } from 'node:stream';
import type { Config } from '../shared/config/index.js';
import { runCli } from './main.js';

/** The environment a CLI run needs to reach a test's private slice of the servers. */
export const envOf = (config: Config): Record<string, string | undefined> => ({
  ...process.env,
  MYSQL_DATABASE: config.MYSQL_DATABASE,
  REDIS_KEY_PREFIX: config.REDIS_KEY_PREFIX,
  KAFKA_TOPIC_PREFIX: config.KAFKA_TOPIC_PREFIX,
  KAFKA_USER_EVENTS_PARTITIONS: String(config.KAFKA_USER_EVENTS_PARTITIONS),
  PROJECTOR_GROUP_PREFIX: config.PROJECTOR_GROUP_PREFIX,
  LOG_LEVEL: 'warn',
});

const collector = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
};

export type CliRun = { readonly code: number; readonly out: string; readonly err: string; readonly lines: string[] };

/** Runs one command line in-process against the test's config, capturing stdout and stderr. */
export const cli = async (config: Config, ...argv: string[]): Promise<CliRun> => {
  const out = collector();
  const err = collector();
  const code = await runCli(argv, { out: out.stream, err: err.stream, env: envOf(config), interactive: false });
  return { code, out: out.text(), err: err.text(), lines: out.text().split('\n').filter((l) => l.length > 0) };
};
