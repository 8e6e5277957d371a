import * as E from 'fp-ts/lib/Either.js';
import type { Unfollow } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DomainError } from '../user-stream/errors.js';
import type { UserState } from '../user-stream/state.js';

export const decideUnfollow = (command: Unfollow, state: UserState): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const { followeeId } = command.data;
  if (!state.following.has(followeeId)) return E.right([]);
  return E.right([{ type: 'Unfollowed', data: { userId: state.userId, followeeId } }]);
};
