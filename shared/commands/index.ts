import * as t from 'io-ts';
import { DisplayName, Handle, LogId, Note, Quality, TimeZone, UserId } from '../events/index.js';
import { IsoDateTimeWithOffset } from './instant.js';

export { IsoDateTimeWithOffset } from './instant.js';

/** Passwords: long enough to resist guessing, short enough that hashing cannot be abused. */
interface PasswordBrand { readonly Password: unique symbol }
export const Password = t.brand(t.string, (s): s is t.Branded<string, PasswordBrand> => s.length >= 10 && s.length <= 200, 'Password');

/** Handles arrive in any case and are compared lower-case. */
export const HandleInput = new t.Type<t.TypeOf<typeof Handle>, string, unknown>(
  'Handle',
  Handle.is,
  (u, c) => (typeof u === 'string' ? Handle.validate(u.toLowerCase(), c) : t.failure(u, c, 'expected a handle')),
  (a) => a,
);

// Bodies of the command API. The acting user never appears in a body: it is the token's subject.
export const RegisterUserBody = t.strict({ handle: HandleInput, displayName: DisplayName, timezone: TimeZone, password: Password }, 'RegisterUserBody');
export const SignInBody = t.strict({ handle: HandleInput, password: t.string }, 'SignInBody');
export const UpdateProfileBody = t.intersection(
  [t.type({}), t.partial({ displayName: DisplayName, timezone: TimeZone })],
  'UpdateProfileBody',
);
export const SleepLogBody = t.intersection(
  [
    t.type({ startedAt: IsoDateTimeWithOffset, endedAt: IsoDateTimeWithOffset }),
    t.partial({ quality: t.union([Quality, t.null]), note: t.union([Note, t.null]) }),
  ],
  'SleepLogBody',
);

// Commands decided over a user's stream: the body plus what the server resolved (ids from paths).
export const RegisterUser = t.strict({
  type: t.literal('RegisterUser'),
  data: t.strict({ userId: UserId, handle: Handle, displayName: DisplayName, timezone: TimeZone }),
});
export const UpdateProfile = t.strict({
  type: t.literal('UpdateProfile'),
  data: t.partial({ displayName: DisplayName, timezone: TimeZone }),
});
const SleepLogData = t.strict({
  logId: LogId,
  startedAt: IsoDateTimeWithOffset,
  endedAt: IsoDateTimeWithOffset,
  quality: t.union([Quality, t.null]),
  note: t.union([Note, t.null]),
});
export const LogSleep = t.strict({ type: t.literal('LogSleep'), data: SleepLogData });
export const CorrectSleepLog = t.strict({ type: t.literal('CorrectSleepLog'), data: SleepLogData });
export const RetractSleepLog = t.strict({ type: t.literal('RetractSleepLog'), data: t.strict({ logId: LogId }) });
export const Follow = t.strict({ type: t.literal('Follow'), data: t.strict({ followeeId: UserId }) });
export const Unfollow = t.strict({ type: t.literal('Unfollow'), data: t.strict({ followeeId: UserId }) });

export const UserCommand = t.union([RegisterUser, UpdateProfile, LogSleep, CorrectSleepLog, RetractSleepLog, Follow, Unfollow], 'UserCommand');
export type UserCommand = t.TypeOf<typeof UserCommand>;
export type RegisterUser = t.TypeOf<typeof RegisterUser>;
export type UpdateProfile = t.TypeOf<typeof UpdateProfile>;
export type LogSleep = t.TypeOf<typeof LogSleep>;
export type CorrectSleepLog = t.TypeOf<typeof CorrectSleepLog>;
export type RetractSleepLog = t.TypeOf<typeof RetractSleepLog>;
export type Follow = t.TypeOf<typeof Follow>;
export type Unfollow = t.TypeOf<typeof Unfollow>;
