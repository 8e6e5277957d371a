import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { PasswordSet, type UserId } from '../../shared/events/index.js';
import { writeMetadata } from '../user-stream/metadata.js';

export const credentialsStream = (userId: UserId): string => `credentials-${userId}`;

export const setInitialPassword = async (
  store: EventStore,
  userId: UserId,
  passwordHash: string,
  meta: { commandId: string; correlationId: string; now: number },
): Promise<void> => {
  // 'no_stream': a retried registration finds the password already set and leaves it.
  await store.append(
    credentialsStream(userId),
    [
      {
        type: 'PasswordSet',
        data: { userId, passwordHash },
        metadata: writeMetadata({ eventKey: [meta.commandId, 'password'], actor: userId, correlationId: meta.correlationId, causationId: null, now: meta.now }),
      },
    ],
    'no_stream',
  );
};

export const currentPasswordHash = async (store: EventStore, userId: UserId): Promise<string | undefined> => {
  const events = await store.readStream(credentialsStream(userId));
  const last = events[events.length - 1];
  if (!last) return undefined;
  const decoded = PasswordSet.decode({ type: last.type, data: last.data });
  if (E.isLeft(decoded)) throw new Error(`credentials of ${userId} do not decode`);
  return decoded.right.data.passwordHash;
};
