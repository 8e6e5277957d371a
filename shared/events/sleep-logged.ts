import * as t from 'io-ts';
import { SleepLogFacts } from './sleep-log.js';

export const SleepLogged = t.strict({ type: t.literal('SleepLogged'), data: SleepLogFacts }, 'SleepLogged');
export type SleepLogged = t.TypeOf<typeof SleepLogged>;
