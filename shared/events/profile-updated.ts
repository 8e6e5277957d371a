import * as t from 'io-ts';
import { UserId } from './ids.js';
import { DisplayName, TimeZone } from './values.js';

/** Carries the whole profile after the change, so a consumer needs no earlier event to apply it. */
export const ProfileUpdated = t.strict(
  {
    type: t.literal('ProfileUpdated'),
    data: t.strict({ userId: UserId, displayName: DisplayName, timezone: TimeZone }),
  },
  'ProfileUpdated',
);
export type ProfileUpdated = t.TypeOf<typeof ProfileUpdated>;
