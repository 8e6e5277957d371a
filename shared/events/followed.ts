import * as t from 'io-ts';
import { UserId } from './ids.js';

/** In the follower's stream: `userId` follows `followeeId`. */
export const Followed = t.strict(
  { type: t.literal('Followed'), data: t.strict({ userId: UserId, followeeId: UserId }) },
  'Followed',
);
export type Followed = t.TypeOf<typeof Followed>;
