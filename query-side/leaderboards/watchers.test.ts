import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boardWatchers } from './watchers.js';

/** A board whose entries the test changes at will; counts the reads. */
const fakeBoard = () => {
  const boards = new Map<string, number[]>();
  let reads = 0;
  return {
    set: (board: string, scores: number[]) => boards.set(board, scores),
    reads: () => reads,
    read: (board: string, n: number) => {
      reads++;
      return Promise.resolve((boards.get(board) ?? []).slice(0, n));
    },
  };
};

const watchersOn = (board: ReturnType<typeof fakeBoard>, onError = vi.fn()) =>
  boardWatchers<number, string>({ read: board.read, render: (entries) => Promise.resolve(entries.map((e) => `s${e}`)), intervalMs: 500, onError });

describe('live board watchers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the board at once on subscribe, then only when the top changed', async () => {
    const board = fakeBoard();
    board.set('b', [3, 2, 1]);
    const watchers = watchersOn(board);
    const got: string[][] = [];
    watchers.subscribe('b', 2, (e) => got.push([...e]));
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual([['s3', 's2']]);

    await vi.advanceTimersByTimeAsync(2_000); // four polls, nothing changed
    expect(got).toHaveLength(1);

    board.set('b', [3, 2, 0]); // below this subscriber's top 2: not a change for it
    await vi.advanceTimersByTimeAsync(500);
    expect(got).toHaveLength(1);

    board.set('b', [4, 2, 0]);
    await vi.advanceTimersByTimeAsync(500);
    expect(got).toEqual([['s3', 's2'], ['s4', 's2']]);
    watchers.close();
  });

  it('coalesces 50 rapid changes within one interval into at most 2 messages', async () => {
    const board = fakeBoard();
    board.set('b', [0]);
    const watchers = watchersOn(board);
    const got: string[][] = [];
    watchers.subscribe('b', 10, (e) => got.push([...e]));
    for (let i = 1; i <= 50; i++) {
      board.set('b', [i]);
      await vi.advanceTimersByTimeAsync(9); // 50 × 9 ms = 450 ms < 500 ms
    }
    await vi.advanceTimersByTimeAsync(50);
    expect(got.length).toBeLessThanOrEqual(2);
    expect(got[0]).toEqual(['s0']); // the initial board
    expect(got.at(-1)).toEqual(['s50']); // then the latest, once
    watchers.close();
  });

  it('polls a board once per interval however many subscribe, and serves each its own top', async () => {
    const board = fakeBoard();
    board.set('b', [5, 4, 3]);
    const watchers = watchersOn(board);
    const a: string[][] = [];
    const b: string[][] = [];
    watchers.subscribe('b', 1, (e) => a.push([...e]));
    watchers.subscribe('b', 3, (e) => b.push([...e]));
    await vi.advanceTimersByTimeAsync(0);
    expect(a).toEqual([['s5']]);
    expect(b).toEqual([['s5', 's4', 's3']]);
    expect(watchers.watching()).toBe(1);

    const before = board.reads();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(board.reads() - before).toBe(10);

    board.set('b', [5, 4, 2]); // changes b's top 3 only
    await vi.advanceTimersByTimeAsync(500);
    expect(a).toHaveLength(1);
    expect(b.at(-1)).toEqual(['s5', 's4', 's2']);
    watchers.close();
  });

  it('a newcomer gets the board at once without hurrying the others’ messages', async () => {
    const board = fakeBoard();
    board.set('b', [1]);
    const watchers = watchersOn(board);
    const first: string[][] = [];
    watchers.subscribe('b', 10, (e) => first.push([...e]));
    await vi.advanceTimersByTimeAsync(100);
    board.set('b', [2]);
    const second: string[][] = [];
    watchers.subscribe('b', 10, (e) => second.push([...e]));
    await vi.advanceTimersByTimeAsync(0);
    expect(second).toEqual([['s2']]);
    expect(first).toEqual([['s1']]); // its next message waits for the interval
    await vi.advanceTimersByTimeAsync(400);
    expect(first).toEqual([['s1'], ['s2']]);
    expect(second).toEqual([['s2']]);
    watchers.close();
  });

  it('stops polling a board when its last subscriber leaves, and everything on close', async () => {
    const board = fakeBoard();
    const watchers = watchersOn(board);
    const leaveA = watchers.subscribe('a', 10, () => undefined);
    const leaveA2 = watchers.subscribe('a', 10, () => undefined);
    watchers.subscribe('c', 10, () => undefined);
    expect(watchers.watching()).toBe(2);
    leaveA();
    expect(watchers.watching()).toBe(2);
    leaveA2();
    expect(watchers.watching()).toBe(1);
    watchers.close();
    expect(watchers.watching()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    const reads = board.reads();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(board.reads()).toBe(reads);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failed read and tries again at the next interval', async () => {
    const onError = vi.fn();
    let fail = true;
    const watchers = boardWatchers<number, number>({
      read: () => (fail ? Promise.reject(new Error('redis down')) : Promise.resolve([7])),
      render: (entries) => Promise.resolve(entries),
      intervalMs: 500,
      onError,
    });
    const got: number[][] = [];
    watchers.subscribe('b', 10, (e) => got.push([...e]));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.any(Error), 'b');
    expect(got).toEqual([]);
    fail = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(got).toEqual([[7]]);
    watchers.close();
  });
});
