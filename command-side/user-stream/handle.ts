import * as E from 'fp-ts/lib/Either.js';
import type { UserCommand } from '../../shared/commands/index.js';
import type { ErrorCode } from '../../shared/errors/codes.js';
import type { EventStore, NewEvent } from '../../shared/event-store/port.js';
import type { UserEvent, UserId } from '../../shared/events/index.js';
import type { Clock } from '../../shared/ids.js';
import { inActiveSpan } from '../../shared/observability/tracing.js';
import { decide } from './decide.js';
import { writeMetadata } from './metadata.js';
import { loadUserStream, userStream, type StreamCache } from './stream.js';

/** What became of one command: `ok`, `unchanged` (nothing to append) or the error code. */
export type CommandObservation = {
  readonly command: string;
  readonly outcome: 'ok' | 'unchanged' | ErrorCode;
  readonly userId: string | undefined;
  readonly correlationId: string;
};
/** Counts and logs command outcomes; the launcher supplies it, slice tests leave it out. */
export type CommandObserver = (observation: CommandObservation) => void;

export type CommandEnv = { readonly store: EventStore; readonly clock: Clock; readonly observe?: CommandObserver; readonly streamCache?: StreamCache };

export type CommandRequest = {
  readonly userId: UserId;
  readonly command: UserCommand;
  /** Stable for retries of one request (derived from Idempotency-Key when there is one). */
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** From If-Match: the revision the client last saw; a mismatch answers 412 without retrying. */
  readonly expectedRevision?: number;
};

export type CommandOutcome = {
  readonly revision: number;
  readonly position: number;
  readonly events: readonly UserEvent[];
};

const MAX_ATTEMPTS = 4;

const withMetadata = (events: readonly UserEvent[], r: CommandRequest, now: number): NewEvent[] =>
  events.map((e, i) => ({
    type: e.type,
    data: e.data,
    metadata: writeMetadata({ eventKey: [r.commandId, String(i)], actor: r.userId, correlationId: r.correlationId, causationId: r.causationId, now }),
  }));

/**
 * Decides a command against fresh state and appends the result at the revision the decision saw.
 * A concurrent writer makes the append fail; the command is then decided again on the new state,
 * a bounded number of times, and reported as a conflict after that.
 */
export const handleUserCommand = (env: CommandEnv, r: CommandRequest): Promise<E.Either<ErrorCode, CommandOutcome>> =>
  // A span per command, nested in the HTTP request's; the appends inside nest in this one.
  inActiveSpan(`command ${r.command.type}`, { attributes: { 'sleepsocial.command': r.command.type, 'sleepsocial.correlation_id': r.correlationId } }, async (span) => {
    const observe = (outcome: CommandObservation['outcome']) => {
      span.setAttribute('sleepsocial.outcome', outcome);
      env.observe?.({ command: r.command.type, outcome, userId: r.userId, correlationId: r.correlationId });
    };
    try {
      const result = await decideAndAppend(env, r);
      observe(E.isLeft(result) ? result.left : result.right.events.length === 0 ? 'unchanged' : 'ok');
      return result;
    } catch (error) {
      observe('INTERNAL');
      throw error;
    }
  });

const decideAndAppend = async (env: CommandEnv, r: CommandRequest): Promise<E.Either<ErrorCode, CommandOutcome>> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loaded = await loadUserStream(env.store, r.userId, env.streamCache);
    if (r.expectedRevision !== undefined && r.expectedRevision !== loaded.revision) return E.left('PRECONDITION_FAILED');
    const now = env.clock();
    const decided = decide(r.command, loaded.state, { now, actor: r.userId });
    if (E.isLeft(decided)) return decided;
    if (decided.right.length === 0) return E.right({ revision: loaded.revision, position: loaded.lastPosition, events: [] });
    const appended = await env.store.append(
      userStream(r.userId),
      withMetadata(decided.right, r, now),
      loaded.revision < 0 ? 'no_stream' : loaded.revision,
    );
    if (E.isRight(appended)) return E.right({ revision: appended.right.revision, position: appended.right.position, events: decided.right });
    if (r.expectedRevision !== undefined) return E.left('PRECONDITION_FAILED');
  }
  return E.left('CONCURRENCY_CONFLICT');
};
