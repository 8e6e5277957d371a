import type mysql from 'mysql2/promise';
import * as E from 'fp-ts/lib/Either.js';
import { WriteMetadata, type UtcInstant } from '../../events/index.js';
import type { StoredEvent } from '../port.js';
import { formatDecodeErrors } from '../../validation/format.js';
import { decodeStored } from '../../validation/stored.js';

export const SELECT_EVENT = `SELECT position, stream_id, revision, type, data, metadata, recorded_at FROM events`;

/** MySQL DATETIME(3) strings are UTC by construction (the adapter writes UTC instants). */
export const mysqlUtcToInstant = (s: string): UtcInstant => `${s.replace(' ', 'T')}Z` as UtcInstant;

/**
 * Decodes the envelope; the event's `data` is left for the reader to decode with the event codecs,
 * so that an unknown or broken event reaches a projector (and its dead-letter topic) intact.
 */
export const rowToStoredEvent = (row: mysql.RowDataPacket): StoredEvent => {
  const metadata = decodeStored(WriteMetadata, JSON.parse(String(row.metadata)));
  if (E.isLeft(metadata)) {
    throw new Error(`event at position ${String(row.position)} has invalid metadata: ${formatDecodeErrors(metadata.left).join('; ')}`);
  }
  // The decoded value is this row's own fresh object: completed in place rather than copied.
  const complete = Object.assign(metadata.right, {
    streamId: String(row.stream_id),
    revision: Number(row.revision),
    position: Number(row.position),
    recordedAt: mysqlUtcToInstant(String(row.recorded_at)),
  });
  return { type: String(row.type), data: JSON.parse(String(row.data)) as unknown, metadata: complete };
};
