import * as t from 'io-ts';
import { SleepLogFacts } from './sleep-log.js';

/** Replaces every fact of the log; consumers need not remember the previous version to apply it. */
export const SleepLogCorrected = t.strict({ type: t.literal('SleepLogCorrected'), data: SleepLogFacts }, 'SleepLogCorrected');
export type SleepLogCorrected = t.TypeOf<typeof SleepLogCorrected>;
