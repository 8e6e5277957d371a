import { describe, expect, it } from 'vitest';
import type { DisplayName, LogId, TimeZone, UserEvent, UserId } from '../../shared/events/index.js';
import { alice, bob, facts, log1, log2, registered } from './fixtures.js';
import { evolve, initialState, sleepFingerprint, type UserState } from './state.js';

const carol = '00000000-0000-4000-8000-0000000000cc' as UserId;
const fold = (events: readonly UserEvent[]): UserState => events.reduce(evolve, initialState);
const registeredState = (events: readonly UserEvent[]) => {
  const state = fold(events);
  if (state.status !== 'registered') throw new Error('expected a registered state');
  return state;
};

const followed = (followeeId: UserId): UserEvent => ({ type: 'Followed', data: { userId: alice, followeeId } });
const unfollowed = (followeeId: UserId): UserEvent => ({ type: 'Unfollowed', data: { userId: alice, followeeId } });
const retracted = (logId: LogId): UserEvent => ({ type: 'SleepLogRetracted', data: { userId: alice, logId } });
const night = facts(log1, '2026-11-20T22:00:00Z', '2026-11-21T06:30:00Z');

describe('evolve', () => {
  it('starts unregistered and ignores anything before the registration', () => {
    expect(fold([])).toEqual({ status: 'unregistered' });
    expect(fold([followed(bob), { type: 'SleepLogged', data: night }])).toEqual({ status: 'unregistered' });
  });

  it('registers with the profile, no logs and no followees', () => {
    expect(fold([registered()])).toEqual({
      status: 'registered',
      userId: alice,
      handle: 'user_000a',
      displayName: 'Alice',
      timezone: 'Europe/Berlin',
      registeredAs: { displayName: 'Alice', timezone: 'Europe/Berlin' },
      logs: new Map(),
      following: new Set(),
    });
  });

  describe('following', () => {
    it('adds followees', () => {
      expect(registeredState([registered(), followed(bob), followed(carol)]).following).toEqual(new Set([bob, carol]));
    });

    it('keeps one entry when the same user is followed twice', () => {
      expect(registeredState([registered(), followed(bob), followed(bob)]).following).toEqual(new Set([bob]));
    });

    it('removes the followee on unfollow and leaves the others', () => {
      expect(registeredState([registered(), followed(bob), followed(carol), unfollowed(bob)]).following).toEqual(new Set([carol]));
    });

    it('ends following after follow → unfollow → follow', () => {
      expect(registeredState([registered(), followed(bob), unfollowed(bob), followed(bob)]).following).toEqual(new Set([bob]));
    });

    it('ends not following after follow → unfollow → follow → unfollow', () => {
      expect(registeredState([registered(), followed(bob), unfollowed(bob), followed(bob), unfollowed(bob)]).following).toEqual(new Set());
    });

    it('ignores an unfollow of someone not followed', () => {
      expect(registeredState([registered(), followed(carol), unfollowed(bob)]).following).toEqual(new Set([carol]));
    });
  });

  describe('sleep logs', () => {
    it('records a log’s interval, wake date, time zone and facts', () => {
      expect(registeredState([registered(), { type: 'SleepLogged', data: night }]).logs.get(log1)).toEqual({
        startedAt: Date.parse('2026-11-20T22:00:00Z'),
        endedAt: Date.parse('2026-11-21T06:30:00Z'),
        wakeDate: '2026-11-21',
        timezone: 'Europe/Berlin',
        retracted: false,
        fingerprint: sleepFingerprint(night),
      });
    });

    it('replaces a log’s facts on correction', () => {
      const fixed = facts(log1, '2026-11-19T22:00:00Z', '2026-11-20T06:00:00Z');
      const log = registeredState([registered(), { type: 'SleepLogged', data: night }, { type: 'SleepLogCorrected', data: fixed }]).logs.get(log1);
      expect(log).toMatchObject({ startedAt: Date.parse(fixed.startedAt), endedAt: Date.parse(fixed.endedAt), wakeDate: '2026-11-20', fingerprint: sleepFingerprint(fixed) });
    });

    it('keeps a retracted log, marked retracted, so a later command can tell "retracted" from "never existed"', () => {
      const second = facts(log2, '2026-11-19T22:00:00Z', '2026-11-20T06:00:00Z');
      const state = registeredState([registered(), { type: 'SleepLogged', data: night }, { type: 'SleepLogged', data: second }, retracted(log1)]);
      expect(state.logs.get(log1)).toMatchObject({ retracted: true, fingerprint: sleepFingerprint(night) });
      expect(state.logs.get(log2)).toMatchObject({ retracted: false });
    });

    it('ignores the retraction of an unknown log', () => {
      const before = registeredState([registered(), { type: 'SleepLogged', data: night }]);
      expect(evolve(before, retracted(log2))).toEqual(before);
    });

    it('does not change the state it is given', () => {
      const before = registeredState([registered()]);
      evolve(before, { type: 'SleepLogged', data: night });
      evolve(before, followed(bob));
      expect(before.logs.size).toBe(0);
      expect(before.following.size).toBe(0);
    });
  });

  describe('profile', () => {
    it('takes the whole profile of the update and keeps the rest', () => {
      const state = registeredState([
        registered(),
        followed(bob),
        { type: 'SleepLogged', data: night },
        { type: 'ProfileUpdated', data: { userId: alice, displayName: 'Alice B.' as DisplayName, timezone: 'Asia/Tokyo' as TimeZone } },
      ]);
      expect(state).toMatchObject({ userId: alice, handle: 'user_000a', displayName: 'Alice B.', timezone: 'Asia/Tokyo' });
      expect(state.following).toEqual(new Set([bob]));
      expect(state.logs.get(log1)?.timezone).toBe('Europe/Berlin');
    });

    it('remembers the profile as registered', () => {
      const state = registeredState([
        registered(),
        { type: 'ProfileUpdated', data: { userId: alice, displayName: 'Alice B.' as DisplayName, timezone: 'Asia/Tokyo' as TimeZone } },
      ]);
      expect(state.registeredAs).toEqual({ displayName: 'Alice', timezone: 'Europe/Berlin' });
    });
  });
});
