import * as E from 'fp-ts/lib/Either.js';
import type { RegisterUser } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DomainError } from '../user-stream/errors.js';
import type { UserState } from '../user-stream/state.js';

export const decideRegisterUser = (command: RegisterUser, state: UserState): E.Either<DomainError, UserEvent[]> => {
  const d = command.data;
  if (state.status === 'registered') {
    // The same registration retried (same id, same facts) changes nothing, even after the profile
    // has since been updated: it is compared with the facts as registered, not the current ones.
    const { registeredAs } = state;
    const same =
      state.userId === d.userId && state.handle === d.handle && registeredAs.displayName === d.displayName && registeredAs.timezone === d.timezone;
    return same ? E.right([]) : E.left('USER_ALREADY_REGISTERED');
  }
  return E.right([{ type: 'UserRegistered', data: d }]);
};
