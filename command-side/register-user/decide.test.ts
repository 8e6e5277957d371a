import { describe, it } from 'vitest';
import type { RegisterUser } from '../../shared/commands/index.js';
import type { DisplayName, Handle, TimeZone, UserEvent, UserId } from '../../shared/events/index.js';
import { alice, bob, registered, spec } from '../user-stream/fixtures.js';

// The facts `registered()` records for alice, as a command.
const register = (overrides: Partial<RegisterUser['data']> = {}): RegisterUser => ({
  type: 'RegisterUser',
  data: { userId: alice, handle: 'user_000a' as Handle, displayName: 'Alice' as DisplayName, timezone: 'Europe/Berlin' as TimeZone, ...overrides },
});

const profileUpdated = (displayName: string, timezone = 'Europe/Berlin'): UserEvent => ({
  type: 'ProfileUpdated',
  data: { userId: alice, displayName: displayName as DisplayName, timezone: timezone as TimeZone },
});

describe('RegisterUser', () => {
  it('starts the stream with the registration', () => {
    spec.given([]).when(register()).then([registered()]);
  });

  it('does nothing when the same registration is retried', () => {
    spec.given([registered()]).when(register()).then('nothing');
  });

  it('still recognises the retried registration after the profile was updated', () => {
    spec.given([registered(), profileUpdated('Alice B.', 'Asia/Tokyo')]).when(register()).then('nothing');
  });

  it('refuses a registration with other facts on a registered stream', () => {
    const given = spec.given([registered()]);
    given.when(register({ displayName: 'Mallory' as DisplayName })).then('USER_ALREADY_REGISTERED');
    given.when(register({ timezone: 'Asia/Tokyo' as TimeZone })).then('USER_ALREADY_REGISTERED');
    given.when(register({ handle: 'other_handle' as Handle })).then('USER_ALREADY_REGISTERED');
    given.when(register({ userId: bob })).then('USER_ALREADY_REGISTERED');
  });

  it('refuses the current profile as a registration when it differs from the one registered', () => {
    spec.given([registered(), profileUpdated('Alice B.')]).when(register({ displayName: 'Alice B.' as DisplayName })).then('USER_ALREADY_REGISTERED');
  });

  it('registers whichever user the command names on an empty stream', () => {
    const other = '00000000-0000-4000-8000-0000000000cc' as UserId;
    spec.given([]).when(register({ userId: other, handle: 'user_00cc' as Handle })).then([registered(other)]);
  });
});
