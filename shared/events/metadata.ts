import * as t from 'io-ts';
import { EventId, UserId } from './ids.js';
import { UtcInstant } from './values.js';

/**
 * What the writer supplies with each event: who, when, why. `traceparent` (W3C trace context of
 * the append) is optional: events stored before it existed, and those written while tracing is
 * off, have none.
 */
export const WriteMetadata = t.intersection(
  [
    t.strict({
      eventId: EventId,
      occurredAt: UtcInstant,
      actor: t.union([UserId, t.literal('system')]),
      correlationId: t.string,
      causationId: t.union([t.string, t.null]),
      schemaVersion: t.number,
    }),
    t.exact(t.partial({ traceparent: t.string })),
  ],
  'WriteMetadata',
);
export type WriteMetadata = t.TypeOf<typeof WriteMetadata>;

/** What the store adds on commit. */
export const StoreMetadata = t.strict(
  { streamId: t.string, revision: t.number, position: t.number, recordedAt: UtcInstant },
  'StoreMetadata',
);
export type StoreMetadata = t.TypeOf<typeof StoreMetadata>;

export const EventMetadata = t.intersection([WriteMetadata, StoreMetadata], 'EventMetadata');
export type EventMetadata = t.TypeOf<typeof EventMetadata>;

/** An event as read back: the domain event plus every piece of metadata. */
export type Recorded<E> = E & { readonly metadata: EventMetadata };
