import type { EventStore } from '../../shared/event-store/port.js';
import type { Clock } from '../../shared/ids.js';
import type { Checkpoint } from './checkpoint.js';
import { PUBLISHED_STREAMS } from './relay.js';

export type RelayLag = {
  /** Position of the last committed event. */
  readonly storeHead: number;
  /** Position of the last event Kafka acknowledged (the stored checkpoint, shared by every relay instance). */
  readonly checkpoint: number;
  /** Positions between the checkpoint and the head while something is left to publish; 0 when caught up. */
  readonly positions: number;
  /** Seconds since the oldest unpublished event was recorded; 0 when caught up. */
  readonly seconds: number;
};

/**
 * How far the relay is behind the store: three cheap reads (the head row, the checkpoint row and
 * the first publishable event after the checkpoint, by primary key). Events of private streams
 * (handle claims, credentials) past the checkpoint are never published, so they are no lag.
 */
export const relayLag = async (deps: { store: EventStore; checkpoint: Checkpoint; clock: Clock }): Promise<RelayLag> => {
  const [storeHead, checkpoint] = await Promise.all([deps.store.headPosition(), deps.checkpoint.read()]);
  const [oldest] = await deps.store.readAll({ afterPosition: checkpoint, limit: 1, streamPrefixes: PUBLISHED_STREAMS });
  if (!oldest) return { storeHead, checkpoint, positions: 0, seconds: 0 };
  return {
    storeHead,
    checkpoint,
    positions: Math.max(0, storeHead - checkpoint),
    seconds: Math.max(0, (deps.clock() - Date.parse(oldest.metadata.recordedAt)) / 1000),
  };
};
