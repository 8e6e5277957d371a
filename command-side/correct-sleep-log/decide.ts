import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { CorrectSleepLog } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DecideContext } from '../user-stream/context.js';
import type { DomainError } from '../user-stream/errors.js';
import { checkInterval, checkNoOverlap, sleepFacts } from '../user-stream/sleep-rules.js';
import { sleepFingerprint, type UserState } from '../user-stream/state.js';

export const decideCorrectSleepLog = (command: CorrectSleepLog, state: UserState, ctx: DecideContext): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const d = command.data;
  const existing = state.logs.get(d.logId);
  if (!existing) return E.left('LOG_NOT_FOUND');
  if (existing.retracted) return E.left('LOG_RETRACTED');
  if (existing.fingerprint === sleepFingerprint(d)) return E.right([]);
  // A correction keeps the time zone the night was logged in, so it stays in the same windows
  // unless its own times move it.
  return pipe(
    checkInterval(d, ctx.now),
    E.chain(() => checkNoOverlap(state.logs, d, d.logId)),
    E.map((): UserEvent[] => [{ type: 'SleepLogCorrected', data: sleepFacts(state.userId, d, existing.timezone) }]),
  );
};
