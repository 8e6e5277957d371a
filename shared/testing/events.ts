import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-store/port.js';
import { SCHEMA_VERSION, type EventId, type UtcInstant } from '../events/index.js';

/** A minimal, valid event for store tests; the store does not interpret `data`. */
export const newEvent = (type = 'TestEvent', data: unknown = { n: 1 }, eventId: string = randomUUID()): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: eventId as EventId,
    occurredAt: '2026-11-21T10:00:00.000Z' as UtcInstant,
    actor: 'system',
    correlationId: 'corr-1',
    causationId: null,
    schemaVersion: SCHEMA_VERSION,
  },
});
