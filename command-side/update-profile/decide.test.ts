import { describe, it } from 'vitest';
import type { UpdateProfile } from '../../shared/commands/index.js';
import type { DisplayName, TimeZone, UserEvent } from '../../shared/events/index.js';
import { alice, registered, spec } from '../user-stream/fixtures.js';

const update = ({ displayName, timezone }: { displayName?: string; timezone?: string }): UpdateProfile => ({
  type: 'UpdateProfile',
  data: {
    ...(displayName === undefined ? {} : { displayName: displayName as DisplayName }),
    ...(timezone === undefined ? {} : { timezone: timezone as TimeZone }),
  },
});
const profileUpdated = (displayName: string, timezone: string): UserEvent => ({
  type: 'ProfileUpdated',
  data: { userId: alice, displayName: displayName as DisplayName, timezone: timezone as TimeZone },
});

// registered() is Alice in Europe/Berlin.
describe('UpdateProfile', () => {
  it('changes the display name and carries the unchanged time zone', () => {
    spec.given([registered()]).when(update({ displayName: 'Alice B.' })).then([profileUpdated('Alice B.', 'Europe/Berlin')]);
  });

  it('changes the time zone and carries the unchanged display name', () => {
    spec.given([registered()]).when(update({ timezone: 'Asia/Tokyo' })).then([profileUpdated('Alice', 'Asia/Tokyo')]);
  });

  it('changes both at once', () => {
    spec.given([registered()]).when(update({ displayName: 'Al', timezone: 'Asia/Tokyo' })).then([profileUpdated('Al', 'Asia/Tokyo')]);
  });

  it('changes one field when the other is given unchanged', () => {
    spec.given([registered()]).when(update({ displayName: 'Alice', timezone: 'Asia/Tokyo' })).then([profileUpdated('Alice', 'Asia/Tokyo')]);
  });

  it('does nothing when nothing changes', () => {
    spec.given([registered()]).when(update({})).then('nothing');
    spec.given([registered()]).when(update({ displayName: 'Alice' })).then('nothing');
    spec.given([registered()]).when(update({ timezone: 'Europe/Berlin' })).then('nothing');
    spec.given([registered()]).when(update({ displayName: 'Alice', timezone: 'Europe/Berlin' })).then('nothing');
  });

  it('compares with the current profile, not the registered one', () => {
    const earlier = profileUpdated('Alice B.', 'Asia/Tokyo');
    spec.given([registered(), earlier]).when(update({ displayName: 'Alice B.' })).then('nothing');
    spec.given([registered(), earlier]).when(update({ displayName: 'Alice' })).then([profileUpdated('Alice', 'Asia/Tokyo')]);
  });

  it('refuses a user who is not registered', () => {
    spec.given([]).when(update({ displayName: 'Alice' })).then('USER_NOT_FOUND');
  });
});
