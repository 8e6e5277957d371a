import type { UserId } from '../../shared/events/index.js';

/** What a decision may know besides the command and the state: the clock and the actor. */
export type DecideContext = { readonly now: number; readonly actor: UserId };

/** Sleep may end slightly "in the future" because client and server clocks disagree. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;
export const MAX_SLEEP_MS = 24 * 60 * 60_000;
