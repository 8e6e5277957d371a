import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import { consumerLag, type PartitionLag } from '../shared/kafka/lag.js';
import { systemClock } from '../shared/ids.js';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config/index.js';
import { leaderboardProjector } from '../projections/leaderboards/projector.js';
import { bulkLeaderboardProjector, guardMemory } from '../projections/leaderboards/bulk.js';
import { liveRecords } from '../projections/leaderboards/effects.js';
import { feedProjector } from '../projections/feeds/projector.js';
import { mysqlSettingsOf } from '../launcher/infrastructure.js';
import { IsoInstant } from '../audit/instants.js';
import { jsonOption } from './audit.js';
import { CliError, type CliContext } from './context.js';
import { topicSize } from './kafka-read.js';
import { DEFAULT_FLUSH_EVENTS, DEFAULT_PAGE_SIZE, RebuildRefused, runRebuild, type RebuildMode, type RebuildReport, type Until } from './rebuild/engine.js';
import { redisTarget } from './rebuild/redis-target.js';
import { tablesTarget } from './rebuild/tables-target.js';
import { PROJECTIONS, type ProjectionName, type RebuildTarget } from './rebuild/target.js';

const WINDOW_HELP =
  'tables and leaderboards: events folded before they are written; the position is saved after each write, so an interrupted run resumes there (memory grows with it)';

const STORAGE: Record<ProjectionName, string> = {
  leaderboards: 'Redis sorted sets per board and window (lb:*)',
  tables: 'MySQL tables users, sleep_logs, follows, follow_counts (+ projection_guards)',
  feeds: 'Redis home feeds, fanned out on write (feed:*)',
};

const untilOf = (value: string): Until => {
  if (/^\d{1,15}$/.test(value)) return { position: Number(value) };
  const time = IsoInstant.decode(value);
  if (E.isLeft(time)) throw new InvalidArgumentError('expected a global position (whole number) or an ISO 8601 instant');
  return { time: time.right };
};

const positiveInt = (value: string) => {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
};

/** The leaderboards' rebuild target (also what bench S8 measures). */
export const leaderboardsTarget = (redis: Redis, c: Config, tag: string): RebuildTarget => {
  const settings = (prefix: string) => ({ prefix, retentionDays: c.LEADERBOARD_RETENTION_DAYS });
  return redisTarget(redis, c.REDIS_KEY_PREFIX, tag, {
    name: 'leaderboards',
    family: 'lb:',
    projector: (prefix) => leaderboardProjector(redis, settings(prefix)),
    bulk: (prefix, fresh) => bulkLeaderboardProjector(redis, settings(prefix), { guards: guardMemory(fresh) }),
    canonical: (key, content) => {
      if (!('hash' in content)) return content;
      const records = liveRecords(key, content.hash, Date.now() / 1000);
      if (records === undefined) return content;
      return records.length > 0 ? { hash: records } : undefined;
    },
  });
};

/** The rebuild target of a projection; `tag` keeps a rebuild's and a verify's new versions apart. */
export const targetFor = (ctx: CliContext, name: ProjectionName, tag: RebuildMode): RebuildTarget => {
  const c = ctx.config();
  switch (name) {
    case 'tables':
      return tablesTarget(ctx.pool(), mysqlSettingsOf(c), tag);
    case 'leaderboards':
      return leaderboardsTarget(ctx.redis(), c, tag);
    case 'feeds':
      return redisTarget(ctx.redis(), c.REDIS_KEY_PREFIX, tag, {
        name,
        family: 'feed:',
        projector: (prefix) => feedProjector(ctx.redis(), { prefix, length: c.FEED_LENGTH, retentionDays: c.FEED_RETENTION_DAYS, clock: systemClock }),
      });
  }
};

const lagText = (lag: readonly PartitionLag[]) => lag.map((p) => `${p.partition}:${p.committed < 0 ? '-' : p.committed}/${p.high}`).join(' ');

const reportText = (r: RebuildReport): string[] => [
  `${r.projection}: ${r.events} event(s) replayed up to position ${r.position} in ${r.seconds.toFixed(1)} s (${r.eventsPerSecond} events/s)${r.resumedFrom === null ? '' : `, resumed at ${r.resumedFrom}`}`,
  r.swapped
    ? `${r.projection}: swapped in; the old version is removed; ${r.caughtUp} event(s) appended meanwhile applied to it`
    : `${r.projection}: the new version is in ${r.shadow}${r.comparison ? '' : ' (as of the --until point; not swapped)'}`,
];

/** `sleepsocial projections …`: how far behind each projection is, and rebuilding one from the store. */
export const projectionsCommand = (ctx: CliContext): Command => {
  const command = new Command('projections').description('inspect, rebuild and verify the read models');
  const nameArgument = () => new Argument('<name>', 'projection').choices(PROJECTIONS);

  command
    .command('list')
    .description('the projections, where each keeps its read model, and its consumer group')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      for (const name of PROJECTIONS) {
        const group = `${ctx.config().PROJECTOR_GROUP_PREFIX}.${name}`;
        await ctx.out(opts.json ? JSON.stringify({ name, group, storage: STORAGE[name] }) : `${name.padEnd(13)} ${group.padEnd(32)} ${STORAGE[name]}`);
      }
    });

  command
    .command('status')
    .description('lag of each projection (committed offsets vs topic end, per partition), relay checkpoint vs store head, dead letters')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const pool = ctx.pool();
      const [checkpoint] = await pool.query<mysql.RowDataPacket[]>(`SELECT position FROM relay_checkpoints WHERE name = 'user-events'`);
      const relayed = Number(checkpoint[0]?.position ?? 0);
      const head = await ctx.store().headPosition();
      const [behind] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM events WHERE position > ? AND stream_id LIKE 'user-%'`, [relayed]);
      const admin = ctx.kafka().admin();
      await admin.connect();
      const topics = ctx.topics();
      let projections: { name: ProjectionName; group: string; lag: number; partitions: PartitionLag[] }[];
      try {
        projections = await Promise.all(
          PROJECTIONS.map(async (name) => {
            const group = `${ctx.config().PROJECTOR_GROUP_PREFIX}.${name}`;
            const partitions = await consumerLag(admin, group, topics.userEvents);
            return { name, group, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
          }),
        );
      } finally {
        await admin.disconnect();
      }
      const deadLetters = await topicSize(ctx.kafka(), topics.deadLetters);
      const status = { relay: { checkpoint: relayed, storeHead: head, unpublished: Number(behind[0]?.n ?? 0) }, deadLetters, projections };
      if (opts.json) return ctx.out(JSON.stringify(status));
      await ctx.out(`relay         checkpoint ${relayed}, store head ${head}: ${status.relay.unpublished} user event(s) not yet published`);
      await ctx.out(`dead letters  ${deadLetters} on ${topics.deadLetters} (see: sleepsocial dead-letters list --open)`);
      for (const p of projections) await ctx.out(`${p.name.padEnd(13)} lag ${String(p.lag).padStart(6)}  ${p.group}  partitions committed/end: ${lagText(p.partitions)}`);
    });

  const rebuildOne = async (name: ProjectionName, mode: RebuildMode, opts: { until?: Until; pageSize?: number; window?: number }): Promise<RebuildReport> => {
    const c = ctx.config();
    try {
      return await runRebuild(
        { pool: ctx.pool(), store: ctx.store(), database: c.MYSQL_DATABASE, err: ctx.io.err, interactive: ctx.io.interactive },
        targetFor(ctx, name, mode),
        { mode, ...(opts.until ? { until: opts.until } : {}), ...(opts.pageSize ? { pageSize: opts.pageSize } : {}), ...(opts.window ? { flushEvents: opts.window } : {}) },
      );
    } catch (error) {
      if (error instanceof RebuildRefused) throw new CliError(error.message, 75);
      throw error;
    }
  };

  command
    .command('rebuild')
    .description(
      'replay the event store into a new version of a read model while the live one keeps serving, then swap it in at once ' +
        '(resumable after an interruption; one rebuild per projection at a time). With --until the new version is left beside ' +
        'the live one, as of that point, and not swapped',
    )
    .addArgument(new Argument('<name>', 'projection, or all').choices([...PROJECTIONS, 'all']))
    .addOption(new Option('--until <position|iso>', 'stop at this global position, or before the first event recorded after this instant').argParser(untilOf))
    .option('--page-size <n>', 'events read from the store per page', positiveInt, DEFAULT_PAGE_SIZE)
    .option('--window <events>', WINDOW_HELP, positiveInt, DEFAULT_FLUSH_EVENTS)
    .addOption(jsonOption())
    .action(async (name: ProjectionName | 'all', opts: { until?: Until; pageSize: number; window: number; json?: boolean }) => {
      for (const p of name === 'all' ? PROJECTIONS : [name]) {
        const report = await rebuildOne(p, 'rebuild', opts);
        if (opts.json) await ctx.out(JSON.stringify(report));
        else for (const line of reportText(report)) await ctx.out(line);
      }
    });

  command
    .command('verify')
    .description('rebuild a projection into a shadow copy and compare it with the live model by checksum, listing the first differences (exit code 1 when they differ)')
    .addArgument(nameArgument())
    .option('--page-size <n>', 'events read from the store per page', positiveInt, DEFAULT_PAGE_SIZE)
    .option('--window <events>', WINDOW_HELP, positiveInt, DEFAULT_FLUSH_EVENTS)
    .addOption(jsonOption())
    .action(async (name: ProjectionName, opts: { pageSize: number; window: number; json?: boolean }) => {
      const report = await rebuildOne(name, 'verify', opts);
      const comparison = report.comparison;
      if (!comparison) throw new Error('verify ended without a comparison');
      if (comparison.differing > 0) ctx.exitCode = 1;
      if (opts.json) return ctx.out(JSON.stringify(report));
      comparison.live.forEach((live, i) => {
        const rebuilt = comparison.rebuilt[i];
        void ctx.out(`${live.name.padEnd(18)} live ${live.count} ${live.checksum.slice(0, 16)}  rebuilt ${rebuilt?.count ?? 0} ${rebuilt?.checksum.slice(0, 16) ?? '-'}  ${live.checksum === rebuilt?.checksum ? 'same' : 'DIFFERENT'}`);
      });
      for (const d of comparison.differences) await ctx.out(`  ${d.where} ${d.key}: live ${JSON.stringify(d.live)} / rebuilt ${JSON.stringify(d.rebuilt)}`);
      await ctx.out(
        comparison.differing === 0
          ? `${name}: live equals a rebuild up to position ${report.position}`
          : `${name}: ${comparison.differing} difference(s) (the live model may also just be behind: see projections status)`,
      );
    });

  return command;
};
