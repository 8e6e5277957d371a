import * as t from 'io-ts';

/** A lower-case UUID, as a pattern source to build larger patterns from. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const uuidPattern = new RegExp(`^${UUID_SOURCE}$`);
export const isUuid = (s: string): boolean => uuidPattern.test(s);

// Brands keep a user id from being passed where a log id is meant. Ids are lower-case UUIDs.
interface UserIdBrand { readonly UserId: unique symbol }
export const UserId = t.brand(t.string, (s): s is t.Branded<string, UserIdBrand> => isUuid(s), 'UserId');
export type UserId = t.TypeOf<typeof UserId>;

interface LogIdBrand { readonly LogId: unique symbol }
export const LogId = t.brand(t.string, (s): s is t.Branded<string, LogIdBrand> => isUuid(s), 'LogId');
export type LogId = t.TypeOf<typeof LogId>;

interface EventIdBrand { readonly EventId: unique symbol }
export const EventId = t.brand(t.string, (s): s is t.Branded<string, EventIdBrand> => isUuid(s), 'EventId');
export type EventId = t.TypeOf<typeof EventId>;
