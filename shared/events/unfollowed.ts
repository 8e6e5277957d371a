import * as t from 'io-ts';
import { UserId } from './ids.js';

export const Unfollowed = t.strict(
  { type: t.literal('Unfollowed'), data: t.strict({ userId: UserId, followeeId: UserId }) },
  'Unfollowed',
);
export type Unfollowed = t.TypeOf<typeof Unfollowed>;
