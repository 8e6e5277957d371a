import type * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';

/**
 * Decodes a value this system wrote itself through the same codec: an event or its metadata read
 * back from the store or a topic, millions of them in a rebuild. `is` accepts such a value without
 * building a copy, which is where most of `decode`'s time goes; whatever `is` refuses goes through
 * `decode`, for its errors. The event codecs transform nothing (JSON values and refinements), so a
 * value `is` accepts is the value `decode` would answer, except that a key the codec does not name
 * is kept rather than stripped: no reader looks at one, and it is what the store holds.
 */
export const decodeStored = <A, O>(codec: t.Type<A, O, unknown>, value: unknown): E.Either<t.Errors, A> =>
  codec.is(value) ? E.right(value) : codec.decode(value);
