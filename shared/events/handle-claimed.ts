import * as t from 'io-ts';
import { UserId } from './ids.js';
import { Handle } from './values.js';

/**
 * The only event of a `handle-<handle>` stream. Appending it with "no stream yet" is how a handle
 * is reserved: the store's uniqueness of (stream, revision) makes two claims of one handle
 * impossible, with either store adapter.
 */
export const HandleClaimed = t.strict(
  { type: t.literal('HandleClaimed'), data: t.strict({ handle: Handle, userId: UserId }) },
  'HandleClaimed',
);
export type HandleClaimed = t.TypeOf<typeof HandleClaimed>;
