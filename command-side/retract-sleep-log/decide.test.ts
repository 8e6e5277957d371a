import { describe, it } from 'vitest';
import type { RetractSleepLog } from '../../shared/commands/index.js';
import type { LogId, UserEvent } from '../../shared/events/index.js';
import { alice, facts, log1, log2, registered, spec } from '../user-stream/fixtures.js';

const retract = (logId: LogId = log1): RetractSleepLog => ({ type: 'RetractSleepLog', data: { logId } });
const retracted = (logId: LogId = log1): UserEvent => ({ type: 'SleepLogRetracted', data: { userId: alice, logId } });

const history: UserEvent[] = [registered(), { type: 'SleepLogged', data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z') }];

describe('RetractSleepLog', () => {
  it('retracts a log', () => {
    spec.given(history).when(retract()).then([retracted()]);
  });

  it('retracts a corrected log', () => {
    const corrected: UserEvent = { type: 'SleepLogCorrected', data: facts(log1, '2026-11-20T23:00:00Z', '2026-11-21T06:30:00Z') };
    spec.given([...history, corrected]).when(retract()).then([retracted()]);
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(retract()).then('USER_NOT_FOUND');
  });

  it('refuses a log that does not exist', () => {
    spec.given(history).when(retract(log2)).then('LOG_NOT_FOUND');
    spec.given([registered()]).when(retract()).then('LOG_NOT_FOUND');
  });

  it('refuses a log that is already retracted', () => {
    spec.given([...history, retracted()]).when(retract()).then('LOG_RETRACTED');
  });

  it('leaves the other logs alone', () => {
    const second: UserEvent = { type: 'SleepLogged', data: facts(log2, '2026-11-19T22:00:00Z', '2026-11-20T06:30:00Z') };
    spec.given([...history, second, retracted(log1)]).when(retract(log2)).then([retracted(log2)]);
  });
});
