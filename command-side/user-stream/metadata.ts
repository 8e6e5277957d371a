import { SCHEMA_VERSION, toUtcInstant, type EventId, type UserId, type WriteMetadata } from '../../shared/events/index.js';
import { nameBasedId } from '../../shared/ids.js';

/**
 * The metadata of an event the command side writes. The event id is name-based on `eventKey`
 * (the command id and the event's place in it), so a retried command names the same events.
 */
export const writeMetadata = (m: {
  readonly eventKey: readonly string[];
  readonly actor: UserId;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly now: number;
}): WriteMetadata => ({
  eventId: nameBasedId(...m.eventKey) as EventId,
  occurredAt: toUtcInstant(m.now),
  actor: m.actor,
  correlationId: m.correlationId,
  causationId: m.causationId,
  schemaVersion: SCHEMA_VERSION,
});
