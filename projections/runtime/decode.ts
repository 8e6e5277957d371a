import * as E from 'fp-ts/lib/Either.js';
import { UserEvent } from '../../shared/events/index.js';
import type { StoredEvent } from '../../shared/event-store/port.js';
import { formatDecodeErrors } from '../../shared/validation/format.js';
import { decodeStored } from '../../shared/validation/stored.js';
import type { ProjectionItem } from './projector.js';

export type Decoded = { readonly item: ProjectionItem; readonly error?: string };

/** Decodes the event's data; an unknown type or broken data becomes a skip plus an error to dead-letter. */
export const toProjectionItem = (stored: StoredEvent): Decoded => {
  const decoded = decodeStored(UserEvent, { type: stored.type, data: stored.data });
  // Either way the decoded event is an object of this call's own: completed in place, not copied.
  if (E.isRight(decoded)) return { item: { kind: 'event', event: Object.assign(decoded.right, { metadata: stored.metadata }) } };
  return {
    item: { kind: 'skip', metadata: stored.metadata },
    error: `${stored.type} does not decode: ${formatDecodeErrors(decoded.left).join('; ')}`,
  };
};
