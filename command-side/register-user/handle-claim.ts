import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../shared/event-store/port.js';
import { HandleClaimed, type Handle, type UserId } from '../../shared/events/index.js';
import { writeMetadata } from '../user-stream/metadata.js';

export const handleStream = (handle: Handle): string => `handle-${handle}`;

/** The user a handle belongs to, if it is claimed. */
export const ownerOfHandle = async (store: EventStore, handle: Handle): Promise<UserId | undefined> => {
  const [claim] = await store.readStream(handleStream(handle));
  if (!claim) return undefined;
  const decoded = HandleClaimed.decode({ type: claim.type, data: claim.data });
  if (E.isLeft(decoded)) throw new Error(`handle stream ${handleStream(handle)} holds an undecodable event`);
  return decoded.right.data.userId;
};

/**
 * Reserves a handle for a user by creating its stream. Succeeds again for the same user (a retried
 * registration), fails with HANDLE_TAKEN for anyone else.
 */
export const claimHandle = async (
  store: EventStore,
  handle: Handle,
  userId: UserId,
  meta: { commandId: string; correlationId: string; now: number },
): Promise<E.Either<'HANDLE_TAKEN', void>> => {
  const claimed = await store.append(
    handleStream(handle),
    [
      {
        type: 'HandleClaimed',
        data: { handle, userId },
        metadata: writeMetadata({ eventKey: [meta.commandId, 'handle'], actor: userId, correlationId: meta.correlationId, causationId: null, now: meta.now }),
      },
    ],
    'no_stream',
  );
  if (E.isRight(claimed)) return E.right(undefined);
  return (await ownerOfHandle(store, handle)) === userId ? E.right(undefined) : E.left('HANDLE_TAKEN');
};
