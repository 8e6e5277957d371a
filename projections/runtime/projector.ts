import type { EventMetadata, Recorded, UserEvent } from '../../shared/events/index.js';

/**
 * One item of a partition, in order: an event to apply, or a revision to step over because its
 * data could not be decoded (it went to the dead-letter topic; later revisions must not wait on it).
 */
export type ProjectionItem =
  | { readonly kind: 'event'; readonly event: Recorded<UserEvent> }
  | { readonly kind: 'skip'; readonly metadata: EventMetadata };

/** The envelope of an item, whichever kind it is. */
export const metadataOf = (item: ProjectionItem): EventMetadata => (item.kind === 'event' ? item.event.metadata : item.metadata);

/** Thrown by `apply` when an item's revision is beyond the next expected one for its stream. */
export class RevisionGap extends Error {
  constructor(
    readonly streamId: string,
    readonly nextExpected: number,
    readonly arrived: number,
  ) {
    super(`gap in ${streamId}: expected revision ${nextExpected}, got ${arrived}`);
  }
}

/**
 * A read model fed by the user-events topic. `apply` must be atomic per item with its per-stream
 * revision guard: an item at or below the applied revision is skipped (redelivery), one above
 * applied+1 throws RevisionGap (never applied out of order). Any other error is transient.
 */
export interface Projector {
  readonly name: string;
  apply(items: readonly ProjectionItem[]): Promise<void>;
}

/**
 * A rebuild's projector that can fold several pages before it writes them: scores net out and
 * each stream's guard is written once per window instead of once per page. `apply` is `fold` then
 * `flush`. Whatever `fold` took is written by the next `flush` (all of it, as the flush's writes
 * allow: see the projector), and only then may a rebuild count it as done. `fold` may be called
 * while the last `flush` is still being written: the projector orders its reads behind it.
 */
export interface BufferedProjector extends Projector {
  fold(items: readonly ProjectionItem[]): Promise<void>;
  flush(): Promise<void>;
}
