import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../shared/event-store/port.js';
import { UserEvent } from '../shared/events/index.js';
import { globalBoardKey, PERIODS } from '../shared/leaderboards/windows.js';

/**
 * What the global leaderboards must hold, computed by a plain fold of the event store: for each
 * log its last facts unless retracted, summed per board key and user. The reference every
 * pipeline test compares Redis with.
 */
export const expectedBoards = async (store: EventStore, prefix: string): Promise<Map<string, Map<string, number>>> => {
  const logs = new Map<string, { userId: string; minutes: number; wakeDate: string } | null>();
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, limit: 1000, streamPrefixes: ['user-'] });
    for (const stored of page) {
      const decoded = UserEvent.decode({ type: stored.type, data: stored.data });
      if (E.isLeft(decoded)) continue;
      const e = decoded.right;
      if (e.type === 'SleepLogged' || e.type === 'SleepLogCorrected') logs.set(e.data.logId, { userId: e.data.userId, minutes: e.data.durationMinutes, wakeDate: e.data.wakeDate });
      if (e.type === 'SleepLogRetracted') logs.set(e.data.logId, null);
    }
    const last = page[page.length - 1];
    if (!last) break;
    after = last.metadata.position;
  }
  const boards = new Map<string, Map<string, number>>();
  for (const log of logs.values()) {
    if (!log) continue;
    for (const period of PERIODS) {
      const key = globalBoardKey(prefix, period, log.wakeDate);
      const board = boards.get(key) ?? new Map<string, number>();
      board.set(log.userId, (board.get(log.userId) ?? 0) + log.minutes);
      boards.set(key, board);
    }
  }
  return boards;
};
