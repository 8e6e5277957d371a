import type { TokenService } from '../shared/auth/tokens.js';
import type { EventStore } from '../shared/event-store/port.js';
import type { Clock, IdGenerator } from '../shared/ids.js';

/** Everything the command API needs; the launcher builds the real ones, tests their own. */
export type CommandDeps = {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tokens: TokenService;
};
