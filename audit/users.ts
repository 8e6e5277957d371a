import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../shared/event-store/port.js';
import { Handle, HandleClaimed, isUuid, UserId } from '../shared/events/index.js';

export const userStreamOf = (userId: UserId): string => `user-${userId}`;

/**
 * A user named by id or by handle (as the handle's claim in the store records it). Undefined when
 * no such user has a stream.
 */
export const resolveUser = async (store: EventStore, ref: string): Promise<UserId | undefined> => {
  let userId: UserId | undefined;
  if (isUuid(ref.toLowerCase())) {
    const decoded = UserId.decode(ref.toLowerCase());
    userId = E.isRight(decoded) ? decoded.right : undefined;
  } else {
    const handle = Handle.decode(ref.replace(/^@/, '').toLowerCase());
    if (E.isLeft(handle)) return undefined;
    const [claim] = await store.readStream(`handle-${handle.right}`);
    const decoded = claim && HandleClaimed.decode({ type: claim.type, data: claim.data });
    userId = decoded && E.isRight(decoded) ? decoded.right.data.userId : undefined;
  }
  if (!userId) return undefined;
  const [first] = await store.readStream(userStreamOf(userId), {});
  return first ? userId : undefined;
};
