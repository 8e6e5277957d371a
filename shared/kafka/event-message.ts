import type { IHeaders, Message } from 'kafkajs';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { EventMetadata } from '../events/index.js';
import type { StoredEvent } from '../event-store/port.js';
import { formatDecodeErrors } from '../validation/format.js';

/** The user id a `user-<id>` stream belongs to: the partition key keeps one user's events in order. */
export const userIdOfStream = (streamId: string): string => streamId.replace(/^user-/, '');

export const toMessage = (event: StoredEvent): Message => ({
  key: userIdOfStream(event.metadata.streamId),
  value: JSON.stringify({ type: event.type, data: event.data, metadata: event.metadata }),
  headers: {
    'event-id': event.metadata.eventId,
    'event-type': event.type,
    'stream-id': event.metadata.streamId,
    revision: String(event.metadata.revision),
    position: String(event.metadata.position),
    'correlation-id': event.metadata.correlationId,
    // W3C trace context of the append: consumers continue the event's trace from it.
    ...(event.metadata.traceparent === undefined ? {} : { traceparent: event.metadata.traceparent }),
  },
});

const Envelope = t.type({ type: t.string, data: t.unknown, metadata: EventMetadata });

/** Decodes the envelope; the event's data is decoded by each projector with the event codecs. */
export const fromMessage = (value: Buffer | null): E.Either<string, StoredEvent> => {
  if (!value) return E.left('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return E.left(`message is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const decoded = Envelope.decode(json);
  return E.isLeft(decoded) ? E.left(`invalid envelope: ${formatDecodeErrors(decoded.left).join('; ')}`) : E.right(decoded.right);
};

export const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
};
