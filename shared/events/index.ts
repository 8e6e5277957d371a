import * as t from 'io-ts';
import { UserRegistered } from './user-registered.js';
import { ProfileUpdated } from './profile-updated.js';
import { SleepLogged } from './sleep-logged.js';
import { SleepLogCorrected } from './sleep-log-corrected.js';
import { SleepLogRetracted } from './sleep-log-retracted.js';
import { Followed } from './followed.js';
import { Unfollowed } from './unfollowed.js';
import { HandleClaimed } from './handle-claimed.js';
import { PasswordSet } from './password-set.js';

export * from './ids.js';
export * from './values.js';
export * from './metadata.js';
export { SleepLogFacts } from './sleep-log.js';
export { UserRegistered, ProfileUpdated, SleepLogged, SleepLogCorrected, SleepLogRetracted, Followed, Unfollowed };
export { HandleClaimed, PasswordSet };

/** Events of a `user-<id>` stream: the ones the relay publishes and every projection reads. */
export const UserEvent = t.union(
  [UserRegistered, ProfileUpdated, SleepLogged, SleepLogCorrected, SleepLogRetracted, Followed, Unfollowed],
  'UserEvent',
);
export type UserEvent = t.TypeOf<typeof UserEvent>;

/** Every event the store holds, including the command side's private streams. */
export const DomainEvent = t.union([UserEvent, HandleClaimed, PasswordSet], 'DomainEvent');
export type DomainEvent = t.TypeOf<typeof DomainEvent>;
export type DomainEventType = DomainEvent['type'];

export const SCHEMA_VERSION = 1;
