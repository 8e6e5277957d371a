import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../shared/config/index.js';
import type { EventStore } from '../shared/event-store/port.js';
import { consumerLag, type PartitionLag } from '../shared/kafka/lag.js';
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

/** Where each hop stands: the store head, the relay's checkpoint, each projector's lag per partition. */
export const operationsView = async (deps: { config: Config; store: EventStore; admin: () => Promise<Admin>; relay: Relay | undefined }) => {
  const admin = await deps.admin();
  const topic = `${deps.config.KAFKA_TOPIC_PREFIX}user-events`;
  const projections: ProjectionLag[] = await Promise.all(
    PROJECTIONS.map(async (name) => {
      const group = `${deps.config.PROJECTOR_GROUP_PREFIX}.${name}`;
      const partitions = await consumerLag(admin, group, topic);
      return { name, group, lag: partitions.reduce((n, p) => n + p.lag, 0), partitions };
    }),
  );
  return { storeHead: await deps.store.headPosition(), relay: deps.relay?.status() ?? null, projections };
};
