import * as t from 'io-ts';
import { LogId, UserId } from './ids.js';

export const SleepLogRetracted = t.strict(
  { type: t.literal('SleepLogRetracted'), data: t.strict({ userId: UserId, logId: LogId }) },
  'SleepLogRetracted',
);
export type SleepLogRetracted = t.TypeOf<typeof SleepLogRetracted>;
