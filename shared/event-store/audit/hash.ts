import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** What an event's hash covers: everything the store holds about it except the hash itself. */
export type HashedFields = {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  /** The writer's metadata, as stored (event id, occurred-at, actor, correlation, causation, schema). */
  readonly metadata: unknown;
  /** ISO 8601 UTC with milliseconds, as the store recorded it. */
  readonly recordedAt: string;
};

/** The hash of the first event of a stream chains to this. */
export const GENESIS = '';

/**
 * sha256(previous hash of the stream ‖ canonical JSON of the event), hex. Chaining each event to the
 * one before it in its stream makes an edited, deleted or reordered event change every later hash,
 * and the stream's head hash with them.
 */
export const eventHash = (previous: string, fields: HashedFields): string =>
  createHash('sha256')
    .update(previous)
    .update(
      canonicalJson({
        streamId: fields.streamId,
        revision: fields.revision,
        position: fields.position,
        type: fields.type,
        data: fields.data,
        metadata: fields.metadata,
        recordedAt: fields.recordedAt,
      }),
    )
    .digest('hex');
