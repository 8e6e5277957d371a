import * as t from 'io-ts';

/** A lower-case UUID, as a pattern source to build larger patterns from. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DASH = 45;
/**
 * `^UUID_SOURCE$`, read character by character: every stored event carries several ids, each
 * checked on every read (millions in a rebuild), and the RegExp was 5% of a rebuild's time.
 */
export const isUuid = (s: string): boolean => {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== DASH) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
};

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
