import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeFeedItem, encodeFeedItem, FeedItem, type FeedItem as Item } from './item.js';

const item = {
  logId: '9a4f1c2e-7b3d-4e5f-8a6b-1c2d3e4f5a6b',
  authorId: '0b7c6f0e-3c1d-4f7e-9a43-2f8a4c1e9d10',
  startedAt: '2026-11-19T23:00:00.000Z',
  endedAt: '2026-11-20T07:00:00.000Z',
  durationMinutes: 480,
  quality: 4,
} as Item;

describe('feed items as stored', () => {
  it('decode to what was encoded, with nothing extra', () => {
    expect(FeedItem.is(item)).toBe(true);
    expect(decodeFeedItem(encodeFeedItem(item))).toEqual(E.right(item));
    expect(decodeFeedItem(JSON.stringify({ ...item, quality: null, extra: 'dropped' }))).toEqual(E.right({ ...item, quality: null }));
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['a bad log id', JSON.stringify({ ...item, logId: 'nope' }), 'not a feed item'],
    ['a bad instant', JSON.stringify({ ...item, endedAt: 'yesterday' }), 'not a feed item'],
    ['a quality out of range', JSON.stringify({ ...item, quality: 9 }), 'not a feed item'],
    ['a missing duration', JSON.stringify({ ...item, durationMinutes: undefined }), 'not a feed item'],
    ['null', 'null', 'not a feed item'],
  ])('refuse %s', (_label, json, reason) => {
    expect(decodeFeedItem(json)).toEqual(E.left(reason));
  });
});
