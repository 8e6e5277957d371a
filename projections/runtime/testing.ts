import { randomUUID } from 'node:crypto';
import type { EventId, Recorded, UserEvent, UtcInstant } from '../../shared/events/index.js';
import type { ProjectionItem } from './projector.js';

/**
 * Builds the items a projector receives, stream by stream, with revisions and global positions as
 * the store would give them. For projector tests that feed `apply` directly.
 */
export const streamBuilder = () => {
  let position = 0;
  const revisions = new Map<string, number>();
  return (userId: string, event: UserEvent, occurredAt = '2026-11-21T08:00:00.000Z'): ProjectionItem => {
    const streamId = `user-${userId}`;
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    const recorded: Recorded<UserEvent> = {
      ...event,
      metadata: {
        eventId: randomUUID() as EventId,
        occurredAt: occurredAt as UtcInstant,
        recordedAt: occurredAt as UtcInstant,
        actor: userId as never,
        correlationId: 'test',
        causationId: null,
        schemaVersion: 1,
        streamId,
        revision,
        position: ++position,
      },
    };
    return { kind: 'event', event: recorded };
  };
};
