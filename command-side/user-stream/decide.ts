import type * as E from 'fp-ts/lib/Either.js';
import type { UserCommand } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import { decideRegisterUser } from '../register-user/decide.js';
import { decideLogSleep } from '../log-sleep/decide.js';
import { decideCorrectSleepLog } from '../correct-sleep-log/decide.js';
import { decideRetractSleepLog } from '../retract-sleep-log/decide.js';
import { decideFollow } from '../follow/decide.js';
import { decideUnfollow } from '../unfollow/decide.js';
import { decideUpdateProfile } from '../update-profile/decide.js';
import type { DecideContext } from './context.js';
import type { DomainError } from './errors.js';
import type { UserState } from './state.js';

/** One decider for the whole user stream; each slice owns the rule for its command. */
export const decide = (command: UserCommand, state: UserState, ctx: DecideContext): E.Either<DomainError, UserEvent[]> => {
  switch (command.type) {
    case 'RegisterUser':
      return decideRegisterUser(command, state);
    case 'UpdateProfile':
      return decideUpdateProfile(command, state);
    case 'LogSleep':
      return decideLogSleep(command, state, ctx);
    case 'CorrectSleepLog':
      return decideCorrectSleepLog(command, state, ctx);
    case 'RetractSleepLog':
      return decideRetractSleepLog(command, state);
    case 'Follow':
      return decideFollow(command, state);
    case 'Unfollow':
      return decideUnfollow(command, state);
  }
};
