import { describe, expect, it } from 'vitest';
import { heldPages } from './held-pages.js';

const page = (body: string, keys: string[], until = 100) => ({ body: Buffer.from(body), keys, until });
const text = (body: Buffer | undefined) => body?.toString();

describe('held feed pages', () => {
  it('answers a page until its time is up', () => {
    const held = heldPages({ maxBytes: 1_000 });
    held.hold('a 20', page('{"a"}', ['home:a'], 100));
    expect(text(held.get('a 20', 99))).toBe('{"a"}');
    expect(text(held.get('a 20', 100))).toBeUndefined();
    expect(text(held.get('b 20', 0))).toBeUndefined();
  });

  it('drops every page read from a changed key, and only those', () => {
    const held = heldPages({ maxBytes: 1_000 });
    held.hold('a 20', page('A', ['home:a', 'item:1', 'item:2']));
    held.hold('a 5', page('A5', ['home:a', 'item:1']));
    held.hold('b 20', page('B', ['home:b', 'item:2']));
    held.invalidate('item:1');
    expect([text(held.get('a 20', 0)), text(held.get('a 5', 0)), text(held.get('b 20', 0))]).toEqual([undefined, undefined, 'B']);
    held.invalidate('item:2');
    expect(text(held.get('b 20', 0))).toBeUndefined();
  });

  it('drops everything on null', () => {
    const held = heldPages({ maxBytes: 1_000 });
    held.hold('a 20', page('A', ['home:a']));
    held.hold('b 20', page('B', ['home:b']));
    held.invalidate(null);
    expect([text(held.get('a 20', 0)), text(held.get('b 20', 0))]).toEqual([undefined, undefined]);
  });

  it('drops the oldest pages past its size, and holds none bigger than it', () => {
    const held = heldPages({ maxBytes: 10 });
    held.hold('a', page('aaaa', ['home:a']));
    held.hold('b', page('bbbb', ['home:b']));
    held.hold('c', page('cccc', ['home:c']));
    expect([text(held.get('a', 0)), text(held.get('b', 0)), text(held.get('c', 0))]).toEqual([undefined, 'bbbb', 'cccc']);
    held.hold('d', page('d'.repeat(11), ['home:d']));
    expect(text(held.get('d', 0))).toBeUndefined();
    // A page held again replaces itself, keys and all.
    held.hold('b', page('b2', ['home:x']));
    held.invalidate('home:b');
    expect(text(held.get('b', 0))).toBe('b2');
    held.invalidate('home:x');
    expect(text(held.get('b', 0))).toBeUndefined();
  });
});
