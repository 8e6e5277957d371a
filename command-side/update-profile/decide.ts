import * as E from 'fp-ts/lib/Either.js';
import type { UpdateProfile } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DomainError } from '../user-stream/errors.js';
import type { UserState } from '../user-stream/state.js';

export const decideUpdateProfile = (command: UpdateProfile, state: UserState): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const displayName = command.data.displayName ?? state.displayName;
  const timezone = command.data.timezone ?? state.timezone;
  if (displayName === state.displayName && timezone === state.timezone) return E.right([]);
  return E.right([{ type: 'ProfileUpdated', data: { userId: state.userId, displayName, timezone } }]);
};
