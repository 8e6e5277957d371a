import * as E from 'fp-ts/lib/Either.js';
import type { RetractSleepLog } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DomainError } from '../user-stream/errors.js';
import type { UserState } from '../user-stream/state.js';

export const decideRetractSleepLog = (command: RetractSleepLog, state: UserState): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const existing = state.logs.get(command.data.logId);
  if (!existing) return E.left('LOG_NOT_FOUND');
  if (existing.retracted) return E.left('LOG_RETRACTED');
  return E.right([{ type: 'SleepLogRetracted', data: { userId: state.userId, logId: command.data.logId } }]);
};
