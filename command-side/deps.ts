import type { TokenService } from '../shared/auth/tokens.js';
import type { EventStore } from '../shared/event-store/port.js';
import type { Clock, IdGenerator } from '../shared/ids.js';
import type { IdempotencyStore } from './idempotency/store.js';
import type { StreamCache } from './user-stream/stream.js';
import type { CommandObserver } from './user-stream/handle.js';

/** Everything the command API needs; the launcher builds the real ones, tests their own. */
export type CommandDeps = {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tokens: TokenService;
  /** Recently folded user streams; commands then read only newer events. */
  readonly streamCache?: StreamCache;
  /** Stored answers for Idempotency-Key; without it the header is ignored (slice tests only). */
  readonly idempotency?: IdempotencyStore;
  /** Counts and logs each command's outcome (metrics, structured logs); optional for slice tests. */
  readonly observe?: CommandObserver;
};
