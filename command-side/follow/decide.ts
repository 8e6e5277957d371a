import * as E from 'fp-ts/lib/Either.js';
import type { Follow } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DomainError } from '../user-stream/errors.js';
import type { UserState } from '../user-stream/state.js';

/** Whether the followee exists is checked by the handler, which reads their stream. */
export const decideFollow = (command: Follow, state: UserState): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const { followeeId } = command.data;
  if (followeeId === state.userId) return E.left('CANNOT_FOLLOW_SELF');
  if (state.following.has(followeeId)) return E.right([]);
  return E.right([{ type: 'Followed', data: { userId: state.userId, followeeId } }]);
};
