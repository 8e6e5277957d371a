import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../shared/config/index.js';
import type { EventStore } from '../shared/event-store/port.js';
import type { ReadinessCheck } from '../shared/http/app.js';
import type { Clock } from '../shared/ids.js';
import { consumerLag, type PartitionLag } from '../shared/kafka/lag.js';
import type { Checkpoint } from '../command-side/relay/checkpoint.js';
import { relayLag, type RelayLag } from '../command-side/relay/lag.js';
import type { Relay } from '../command-side/relay/relay.js';

export const PROJECTIONS = ['leaderboards', 'feeds', 'tables'] as const;

export type ProjectionLag = { readonly name: string; readonly group: string; readonly lag: number; readonly partitions: readonly PartitionLag[] };

/** One Kafka admin connection per process, opened on first use and kept until close. */
export const sharedAdmin = (kafka: Kafka) => {
  let admin: Promise<Admin> | undefined;
  const get = (): Promise<Admin> => {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((error: unknown) => {
      admin = undefined; // try again next time
      throw error;
    });
    return admin;
  };
  const close = async (): Promise<void> => {
    const opened = admin;
    admin = undefined;
    await opened?.then((a) => a.disconnect()).catch(() => undefined);
  };
  return { get, close };
};

/** Each projection's consumer-group lag on user-events, per partition and in total. */
export const projectionLags = async (config: Config, admin: () => Promise<Admin>): Promise<ProjectionLag[]> => {
  const a = await admin();
  const topic = `${config.KAFKA_TOPIC_PREFIX}user-events`;
  return Promise.all(
    PROJECTIONS.map(async (name) => {
      const group = `${config.PROJECTOR_GROUP_PREFIX}.${name}`;
      const partitions = await consumerLag(a, group, topic);
      return { name, group, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
    }),
  );
};

/**
 * Readiness of a projector process: one check per projection, failing (so /readyz answers 503
 * naming it) when it lags more than `maxLag` messages behind user-events.
 */
export const projectionLagChecks = (lags: () => Promise<readonly ProjectionLag[]>, maxLag: number): ReadinessCheck[] =>
  PROJECTIONS.map((name) => ({
    name: `projection ${name}`,
    check: async () => {
      const lag = (await lags()).find((l) => l.name === name)?.lag ?? 0;
      if (lag > maxLag) throw new Error(`${name} lags ${lag} messages behind user-events (more than READY_MAX_PROJECTOR_LAG=${maxLag})`);
    },
  }));

export type LagView = { readonly storeHead: number; readonly relay: RelayLag; readonly projections: readonly ProjectionLag[] };

/**
 * Where a write stands on its way to the read models, from any process: the store head, the
 * relay's stored checkpoint and how far behind it is (positions, seconds), each projection's lag
 * per partition. `npx sleepsocial status` prints it.
 */
export const lagView = async (deps: { config: Config; store: EventStore; checkpoint: Checkpoint; admin: () => Promise<Admin>; clock: Clock }): Promise<LagView> => {
  const [relay, projections] = await Promise.all([relayLag(deps), projectionLags(deps.config, deps.admin)]);
  return { storeHead: relay.storeHead, relay, projections };
};

/** Where each hop stands: the store head, the relay's checkpoint and lag, each projector's lag per partition. */
export const operationsView = async (deps: { config: Config; store: EventStore; checkpoint: Checkpoint; admin: () => Promise<Admin>; relay: Relay | undefined; clock: Clock }) => {
  const view = await lagView(deps);
  return {
    storeHead: view.storeHead,
    relay: deps.relay?.status() ?? null,
    relayLag: { checkpoint: view.relay.checkpoint, positions: view.relay.positions, seconds: view.relay.seconds },
    projections: view.projections,
  };
};
