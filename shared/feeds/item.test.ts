import { describe, expect, it } from 'vitest';
import { encodeFeedItem, FeedItem, storedItemParts, type FeedItem as Item } from './item.js';

const item = {
  logId: '9a4f1c2e-7b3d-4e5f-8a6b-1c2d3e4f5a6b',
  authorId: '0b7c6f0e-3c1d-4f7e-9a43-2f8a4c1e9d10',
  startedAt: '2026-11-19T23:00:00.000Z',
  endedAt: '2026-11-20T07:00:00.000Z',
  durationMinutes: 480,
  quality: 4,
} as Item;

describe('feed items as stored', () => {
  it('are written in one layout whatever order the item was built in, and cut into ids and the rest', () => {
    expect(FeedItem.is(item)).toBe(true);
    const shuffled = { quality: item.quality, durationMinutes: item.durationMinutes, endedAt: item.endedAt, startedAt: item.startedAt, authorId: item.authorId, logId: item.logId };
    const json = encodeFeedItem(shuffled);
    expect(json).toBe(encodeFeedItem(item));
    const parts = storedItemParts(json);
    expect(parts).toEqual({ logId: item.logId, authorId: item.authorId, rest: '"startedAt":"2026-11-19T23:00:00.000Z","endedAt":"2026-11-20T07:00:00.000Z","durationMinutes":480,"quality":4}' });
    // Spliced back around an author, the parts are the item again.
    const spliced: unknown = JSON.parse(`{"logId":"${parts?.logId ?? ''}","authorId":"${parts?.authorId ?? ''}",${parts?.rest ?? ''}`);
    expect(spliced).toEqual(item);
    expect(storedItemParts(encodeFeedItem({ ...item, quality: null }))?.rest).toMatch(/"quality":null\}$/);
  });

  it.each([
    ['not JSON', '{'],
    ['a bad log id', encodeFeedItem({ ...item, logId: 'nope' as Item['logId'] })],
    ['an upper-case author id', encodeFeedItem({ ...item, authorId: item.authorId.toUpperCase() as Item['authorId'] })],
    ['a bad instant', encodeFeedItem({ ...item, endedAt: 'yesterday' as Item['endedAt'] })],
    ['a quality out of range', encodeFeedItem({ ...item, quality: 9 as Item['quality'] })],
    ['a missing duration', JSON.stringify({ ...item, durationMinutes: undefined })],
    ['another layout', JSON.stringify({ authorId: item.authorId, logId: item.logId, startedAt: item.startedAt, endedAt: item.endedAt, durationMinutes: 480, quality: 4 })],
    ['something after the item', `${encodeFeedItem(item)},"x":1}`],
    ['null', 'null'],
  ])('refuse %s', (_label, json) => {
    expect(storedItemParts(json)).toBeUndefined();
  });
});
