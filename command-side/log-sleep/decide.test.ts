import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { LogSleep } from '../../shared/commands/index.js';
import type { Note, Quality } from '../../shared/events/index.js';
import { at, facts, log1, log2, registered, spec } from '../user-stream/fixtures.js';

const logSleep = (logId = log1, startedAt = '2026-11-20T22:00:00Z', endedAt = '2026-11-21T06:30:00Z', extra: Partial<LogSleep['data']> = {}): LogSleep => ({
  type: 'LogSleep',
  data: { logId, startedAt: at(startedAt), endedAt: at(endedAt), quality: null, note: null, ...extra },
});

describe('LogSleep', () => {
  it('records the night with its duration and the date the sleeper woke, in their time zone', () => {
    spec.given([registered()]).when(logSleep()).then([{ type: 'SleepLogged', data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z') }]);
  });

  it('files a night under the local wake date, not the UTC one', () => {
    // 23:30 UTC on the 20th is 00:30 on the 21st in Berlin.
    const { result } = spec.given([registered()]).when(logSleep(log1, '2026-11-20T16:00:00Z', '2026-11-20T23:30:00Z'));
    expect(E.isRight(result) && result.right[0]?.type === 'SleepLogged' && result.right[0].data.wakeDate).toBe('2026-11-21');
  });

  it('keeps quality and note', () => {
    spec
      .given([registered()])
      .when(logSleep(log1, undefined, undefined, { quality: 4 as Quality, note: 'slept well' as Note }))
      .then([{ type: 'SleepLogged', data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z', { quality: 4 as Quality, note: 'slept well' as Note }) }]);
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(logSleep()).then('USER_NOT_FOUND');
  });

  it('refuses a night that ends before (or when) it starts', () => {
    spec.given([registered()]).when(logSleep(log1, '2026-11-21T06:00:00Z', '2026-11-21T05:00:00Z')).then('SLEEP_ENDS_BEFORE_START');
    spec.given([registered()]).when(logSleep(log1, '2026-11-21T06:00:00Z', '2026-11-21T06:00:00Z')).then('SLEEP_ENDS_BEFORE_START');
  });

  it('refuses more than 24 hours, accepts exactly 24', () => {
    spec.given([registered()]).when(logSleep(log1, '2026-11-19T06:00:00Z', '2026-11-20T06:00:01Z')).then('SLEEP_TOO_LONG');
    spec.given([registered()]).when(logSleep(log1, '2026-11-19T06:00:00Z', '2026-11-20T06:00:00Z')).then([
      { type: 'SleepLogged', data: facts(log1, '2026-11-19T06:00:00Z', '2026-11-20T06:00:00Z') },
    ]);
  });

  it('refuses a night ending in the future beyond the clock tolerance, accepts within it', () => {
    spec.given([registered()]).when(logSleep(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:05:01Z')).then('SLEEP_IN_FUTURE');
    spec.given([registered()]).when(logSleep(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:04:59Z')).then([
      { type: 'SleepLogged', data: facts(log1, '2026-11-21T05:00:00Z', '2026-11-21T12:04:59Z') },
    ]);
  });

  it('refuses a night overlapping another log of the same user', () => {
    const first = { type: 'SleepLogged' as const, data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:00:00Z') };
    spec.given([registered(), first]).when(logSleep(log2, '2026-11-21T05:59:00Z', '2026-11-21T08:00:00Z')).then('SLEEP_OVERLAPS');
    spec.given([registered(), first]).when(logSleep(log2, '2026-11-20T20:00:00Z', '2026-11-21T08:00:00Z')).then('SLEEP_OVERLAPS');
  });

  it('accepts a nap that starts exactly when the previous sleep ended', () => {
    const first = { type: 'SleepLogged' as const, data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:00:00Z') };
    spec.given([registered(), first]).when(logSleep(log2, '2026-11-21T06:00:00Z', '2026-11-21T07:00:00Z')).then([
      { type: 'SleepLogged', data: facts(log2, '2026-11-21T06:00:00Z', '2026-11-21T07:00:00Z') },
    ]);
  });

  it('ignores retracted logs when checking overlap', () => {
    const first = { type: 'SleepLogged' as const, data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:00:00Z') };
    const retracted = { type: 'SleepLogRetracted' as const, data: { userId: first.data.userId, logId: log1 } };
    spec.given([registered(), first, retracted]).when(logSleep(log2, '2026-11-20T23:00:00Z', '2026-11-21T05:00:00Z')).then([
      { type: 'SleepLogged', data: facts(log2, '2026-11-20T23:00:00Z', '2026-11-21T05:00:00Z') },
    ]);
  });

  it('does nothing when the same log is submitted again', () => {
    const first = { type: 'SleepLogged' as const, data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z') };
    spec.given([registered(), first]).when(logSleep()).then('nothing');
  });

  it('refuses a different night under a log id already taken', () => {
    const first = { type: 'SleepLogged' as const, data: facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z') };
    spec.given([registered(), first]).when(logSleep(log1, '2026-11-19T22:00:00Z', '2026-11-20T06:30:00Z')).then('LOG_ID_TAKEN');
  });
});
