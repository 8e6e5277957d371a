import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { UserEvent, WriteMetadata } from '../events/index.js';
import { formatDecodeErrors } from './format.js';
import { decodeStored } from './stored.js';

const userId = '0b6c7a52-3f1e-4c1a-9b7e-2f4d5c6b7a81';
const logged = {
  type: 'SleepLogged',
  data: {
    userId,
    logId: '5d1e2f30-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    startedAt: '2026-11-20T23:00:00.000Z',
    endedAt: '2026-11-21T07:00:00.000Z',
    durationMinutes: 480,
    timezone: 'Europe/Berlin',
    wakeDate: '2026-11-21',
    quality: 4,
    note: null,
  },
};

describe('decodeStored', () => {
  it('answers a valid stored value as it is, without decode’s copy', () => {
    const value = structuredClone(logged);
    const decoded = decodeStored(UserEvent, value);
    expect(E.isRight(decoded) && decoded.right).toBe(value);
    expect(decoded).toEqual(UserEvent.decode(structuredClone(logged)));
  });

  it('refuses what decode refuses, with decode’s errors', () => {
    const errorsOf = (e: E.Either<t.Errors, unknown>) => (E.isLeft(e) ? formatDecodeErrors(e.left) : 'accepted');
    for (const broken of [
      { ...logged, data: { ...logged.data, wakeDate: '2026-13-01' } },
      { ...logged, data: { ...logged.data, userId: 'not-a-uuid' } },
      { ...logged, type: 'SleepDreamt' },
    ]) {
      expect(errorsOf(decodeStored(UserEvent, broken))).toEqual(errorsOf(UserEvent.decode(broken)));
      expect(errorsOf(decodeStored(UserEvent, broken))).not.toBe('accepted');
    }
    const metadata = { eventId: userId, occurredAt: 'yesterday', actor: 'system', correlationId: 'c', causationId: null, schemaVersion: 1 };
    expect(errorsOf(decodeStored(WriteMetadata, metadata))).toEqual(errorsOf(WriteMetadata.decode(metadata)));
    expect(errorsOf(decodeStored(WriteMetadata, metadata))).not.toBe('accepted');
  });

  it('keeps a key the codec does not name, as the store holds it', () => {
    const value = { ...structuredClone(logged), data: { ...logged.data, mood: 'rested' } };
    const decoded = decodeStored(UserEvent, value);
    expect(E.isRight(decoded) && decoded.right.data).toHaveProperty('mood', 'rested');
  });
});
