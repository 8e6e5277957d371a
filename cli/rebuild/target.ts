import type { Projector } from '../../projections/runtime/projector.js';

export const PROJECTIONS = ['leaderboards', 'tables', 'feeds'] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

/** One table or key of a read model: how many rows or members, and a digest of its content. */
export type Digest = { readonly name: string; readonly count: number; readonly checksum: string };

/** One row or key that differs between the live model and the rebuilt one (null: missing on that side). */
export type Difference = { readonly where: string; readonly key: string; readonly live: unknown; readonly rebuilt: unknown };

export type Comparison = { readonly live: readonly Digest[]; readonly rebuilt: readonly Digest[]; readonly differences: readonly Difference[]; readonly differing: number };

/**
 * Where a projection is rebuilt: a new version of its storage built beside the live one (which
 * keeps serving), then swapped in at once, or compared with the live one and dropped.
 */
export interface RebuildTarget {
  readonly name: ProjectionName;
  /** The new version's location, for messages (a database, a key prefix). */
  readonly shadow: string;
  /**
   * `fresh`: creates the new version empty. Otherwise keeps what an interrupted run left, to resume,
   * and answers false when there is nothing left to resume.
   */
  prepare(fresh: boolean): Promise<boolean>;
  /** The projector writing into the new version, item by item (the live projector's code). */
  shadowProjector(): Projector;
  /**
   * A projector writing into the new version a whole page at a time, leaving exactly what
   * `shadowProjector` would (guards included); the rebuild uses it when there is one.
   */
  bulkProjector?(): Projector;
  /**
   * Readies the new version, every event in, to be read or swapped in: builds what the replay
   * went faster without (a table's secondary keys). Safe to call again.
   */
  complete?(): Promise<void>;
  /** The projector writing into the live model (for the catch-up after a swap). */
  liveProjector(): Projector;
  /** Makes the new version live in one atomic step and removes the old one. */
  swap(): Promise<void>;
  /** Removes the new version. */
  drop(): Promise<void>;
  /** Live against rebuilt: digests of each part and the first differences. */
  compare(maxDifferences: number): Promise<Comparison>;
  close(): Promise<void>;
}
