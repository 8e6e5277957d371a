import * as t from 'io-ts';
import { UserId } from './ids.js';

/**
 * Lives in a `credentials-<userId>` stream, never in the user's stream, so the relay (which
 * publishes only user streams) and audit exports of user history never carry a password hash.
 */
export const PasswordSet = t.strict(
  { type: t.literal('PasswordSet'), data: t.strict({ userId: UserId, passwordHash: t.string }) },
  'PasswordSet',
);
export type PasswordSet = t.TypeOf<typeof PasswordSet>;
