import { describe, expect, it } from 'vitest';
import { changes } from './changes.js';

describe('changes', () => {
  it('tells a read whether a key it read changed while it was under way', () => {
    const c = changes(100);
    const a = c.begin();
    c.record('home:1');
    const b = c.begin();
    c.record('item:9');
    expect(c.end(a, ['home:2', 'item:9'])).toBe(false);
    expect(c.end(b, ['home:1', 'item:8'])).toBe(true);
  });

  it('ignores changes from before a read began', () => {
    const c = changes(100);
    const a = c.begin();
    c.record('home:1');
    const b = c.begin();
    expect(c.end(b, ['home:1'])).toBe(true);
    expect(c.end(a, ['home:1'])).toBe(false);
  });

  it('keeps nothing while no read is open', () => {
    const c = changes(100);
    c.record('home:1');
    const a = c.begin();
    expect(c.end(a, ['home:1'])).toBe(true);
  });

  it('counts a read older than the oldest kept change as changed', () => {
    const c = changes(2);
    const a = c.begin();
    c.record('x');
    c.record('y');
    const b = c.begin();
    c.record('z');
    expect(c.end(a, ['other'])).toBe(false);
    expect(c.end(b, ['other'])).toBe(true);
    expect(c.end(c.begin(), ['z'])).toBe(true);
  });
});
