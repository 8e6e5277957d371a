import * as t from 'io-ts';
import { UserId } from './ids.js';
import { DisplayName, Handle, TimeZone } from './values.js';

export const UserRegistered = t.strict(
  {
    type: t.literal('UserRegistered'),
    data: t.strict({ userId: UserId, handle: Handle, displayName: DisplayName, timezone: TimeZone }),
  },
  'UserRegistered',
);
export type UserRegistered = t.TypeOf<typeof UserRegistered>;
