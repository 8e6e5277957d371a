import type { CalendarDate, DisplayName, Handle, LogId, SleepLogFacts, TimeZone, UserEvent, UserId, UtcInstant } from '../../shared/events/index.js';
import { decide } from './decide.js';
import { deciderSpec } from '../../shared/testing/decider.js';
import { evolve, initialState } from './state.js';

// Test data for the deciders' given/when/then specs.
export const alice = '00000000-0000-4000-8000-00000000000a' as UserId;
export const bob = '00000000-0000-4000-8000-00000000000b' as UserId;
export const log1 = '00000000-0000-4000-8000-000000000001' as LogId;
export const log2 = '00000000-0000-4000-8000-000000000002' as LogId;
export const NOW = Date.parse('2026-11-21T12:00:00.000Z');

export const spec = deciderSpec({ decide, evolve, initialState }, { now: NOW, actor: alice });

export const registered = (userId: UserId = alice, timezone = 'Europe/Berlin'): UserEvent => ({
  type: 'UserRegistered',
  data: { userId, handle: `user_${userId.slice(-4)}` as Handle, displayName: 'Alice' as DisplayName, timezone: timezone as TimeZone },
});

export const at = (iso: string): UtcInstant => new Date(iso).toISOString() as UtcInstant;

export const facts = (logId: LogId, startedAt: string, endedAt: string, extra: Partial<SleepLogFacts> = {}): SleepLogFacts => ({
  userId: alice,
  logId,
  startedAt: at(startedAt),
  endedAt: at(endedAt),
  durationMinutes: Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 60_000),
  timezone: 'Europe/Berlin' as TimeZone,
  wakeDate: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(Date.parse(endedAt)) as CalendarDate,
  quality: null,
  note: null,
  ...extra,
});
