import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { LogSleep } from '../../shared/commands/index.js';
import type { UserEvent } from '../../shared/events/index.js';
import type { DecideContext } from '../user-stream/context.js';
import type { DomainError } from '../user-stream/errors.js';
import { checkInterval, checkNoOverlap, sleepFacts } from '../user-stream/sleep-rules.js';
import { sleepFingerprint, type UserState } from '../user-stream/state.js';

export const decideLogSleep = (command: LogSleep, state: UserState, ctx: DecideContext): E.Either<DomainError, UserEvent[]> => {
  if (state.status !== 'registered') return E.left('USER_NOT_FOUND');
  const d = command.data;
  const existing = state.logs.get(d.logId);
  if (existing) {
    // The same log retried is "nothing to do"; another log under a taken id is refused.
    return !existing.retracted && existing.fingerprint === sleepFingerprint(d) ? E.right([]) : E.left('LOG_ID_TAKEN');
  }
  return pipe(
    checkInterval(d, ctx.now),
    E.chain(() => checkNoOverlap(state.logs, d)),
    E.map((): UserEvent[] => [{ type: 'SleepLogged', data: sleepFacts(state.userId, d, state.timezone) }]),
  );
};
