import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { CorrectSleepLog } from '../../shared/commands/index.js';
import type { DisplayName, LogId, Note, Quality, SleepLogFacts, TimeZone, UserEvent } from '../../shared/events/index.js';
import { alice, at, facts, log1, log2, registered, spec } from '../user-stream/fixtures.js';

const correct = (logId: LogId, startedAt: string, endedAt: string, extra: Partial<CorrectSleepLog['data']> = {}): CorrectSleepLog => ({
  type: 'CorrectSleepLog',
  data: { logId, startedAt: at(startedAt), endedAt: at(endedAt), quality: null, note: null, ...extra },
});

const logged = (f: SleepLogFacts): UserEvent => ({ type: 'SleepLogged', data: f });
const corrected = (f: SleepLogFacts): UserEvent => ({ type: 'SleepLogCorrected', data: f });
const retracted = (logId: LogId): UserEvent => ({ type: 'SleepLogRetracted', data: { userId: alice, logId } });

// Alice's night: 22:00 → 06:30 UTC, woke on the 21st in Berlin.
const night = facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z');
const history = [registered(), logged(night)];

describe('CorrectSleepLog', () => {
  it('replaces every fact of the log, recomputing duration and wake date', () => {
    spec
      .given(history)
      .when(correct(log1, '2026-11-20T23:00:00Z', '2026-11-21T07:45:00Z', { quality: 3 as Quality, note: 'woke twice' as Note }))
      .then([corrected(facts(log1, '2026-11-20T23:00:00Z', '2026-11-21T07:45:00Z', { quality: 3 as Quality, note: 'woke twice' as Note }))]);
  });

  it('corrects only the quality when the times stay', () => {
    spec
      .given(history)
      .when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z', { quality: 5 as Quality }))
      .then([corrected({ ...night, quality: 5 as Quality })]);
  });

  it('does nothing when the correction repeats the facts as they stand', () => {
    spec.given(history).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z')).then('nothing');
  });

  it('does nothing when a correction is retried', () => {
    const fixed = facts(log1, '2026-11-20T23:00:00Z', '2026-11-21T07:00:00Z');
    spec.given([...history, corrected(fixed)]).when(correct(log1, '2026-11-20T23:00:00Z', '2026-11-21T07:00:00Z')).then('nothing');
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z')).then('USER_NOT_FOUND');
  });

  it('refuses a log that does not exist', () => {
    spec.given(history).when(correct(log2, '2026-11-19T22:00:00Z', '2026-11-20T06:30:00Z')).then('LOG_NOT_FOUND');
  });

  it('refuses a retracted log, even with the facts it had', () => {
    spec.given([...history, retracted(log1)]).when(correct(log1, '2026-11-20T23:00:00Z', '2026-11-21T06:30:00Z')).then('LOG_RETRACTED');
    spec.given([...history, retracted(log1)]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z')).then('LOG_RETRACTED');
  });

  it('refuses a night that ends before (or when) it starts', () => {
    spec.given(history).when(correct(log1, '2026-11-21T06:00:00Z', '2026-11-21T05:00:00Z')).then('SLEEP_ENDS_BEFORE_START');
    spec.given(history).when(correct(log1, '2026-11-21T06:00:00Z', '2026-11-21T06:00:00Z')).then('SLEEP_ENDS_BEFORE_START');
  });

  it('refuses more than 24 hours, accepts exactly 24', () => {
    spec.given(history).when(correct(log1, '2026-11-20T06:00:00Z', '2026-11-21T06:00:01Z')).then('SLEEP_TOO_LONG');
    spec.given(history).when(correct(log1, '2026-11-20T06:00:00Z', '2026-11-21T06:00:00Z')).then([
      corrected(facts(log1, '2026-11-20T06:00:00Z', '2026-11-21T06:00:00Z')),
    ]);
  });

  it('refuses a night ending in the future beyond the clock tolerance, accepts within it', () => {
    spec.given(history).when(correct(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:05:01Z')).then('SLEEP_IN_FUTURE');
    spec.given(history).when(correct(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:04:59Z')).then([
      corrected(facts(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:04:59Z')),
    ]);
  });

  it('refuses a correction that overlaps another log of the user', () => {
    const nap = facts(log2, '2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z');
    spec.given([...history, logged(nap)]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T08:30:00Z')).then('SLEEP_OVERLAPS');
    spec.given([...history, logged(nap)]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T10:00:00Z')).then('SLEEP_OVERLAPS');
  });

  it('accepts a correction that overlaps only the log being corrected', () => {
    spec.given(history).when(correct(log1, '2026-11-20T22:30:00Z', '2026-11-21T06:00:00Z')).then([
      corrected(facts(log1, '2026-11-20T22:30:00Z', '2026-11-21T06:00:00Z')),
    ]);
  });

  it('accepts a correction that ends exactly when the next log starts', () => {
    const nap = facts(log2, '2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z');
    spec.given([...history, logged(nap)]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T08:00:00Z')).then([
      corrected(facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T08:00:00Z')),
    ]);
  });

  it('ignores retracted logs when checking overlap', () => {
    const nap = facts(log2, '2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z');
    spec.given([...history, logged(nap), retracted(log2)]).when(correct(log1, '2026-11-20T22:00:00Z', '2026-11-21T10:00:00Z')).then([
      corrected(facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T10:00:00Z')),
    ]);
  });

  it('keeps the time zone the night was logged in, even after the user moved', () => {
    // Logged in Berlin; then the profile moves to New York. 00:30 UTC on the 21st is 01:30 on the
    // 21st in Berlin but 19:30 on the 20th in New York: the wake date stays Berlin's.
    const moved: UserEvent = {
      type: 'ProfileUpdated',
      data: { userId: alice, displayName: 'Alice' as DisplayName, timezone: 'America/New_York' as TimeZone },
    };
    const { result } = spec.given([...history, moved]).when(correct(log1, '2026-11-20T17:00:00Z', '2026-11-21T00:30:00Z'));
    expect(result).toEqual(E.right([corrected(facts(log1, '2026-11-20T17:00:00Z', '2026-11-21T00:30:00Z'))]));
    expect(E.isRight(result) && result.right[0]?.type === 'SleepLogCorrected' && [result.right[0].data.timezone, result.right[0].data.wakeDate]).toEqual([
      'Europe/Berlin',
      '2026-11-21',
    ]);
  });

  it('moves the log to another wake date when its own times move it', () => {
    const { result } = spec.given(history).when(correct(log1, '2026-11-19T22:00:00Z', '2026-11-20T06:30:00Z'));
    expect(E.isRight(result) && result.right[0]?.type === 'SleepLogCorrected' && result.right[0].data.wakeDate).toBe('2026-11-20');
  });
});
