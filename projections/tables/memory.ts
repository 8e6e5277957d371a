/** A user row as the fold sees it; registeredAt '' when read from the table (an upsert keeps it). */
export type User = { handle: string; displayName: string; timezone: string; registeredAt: string };

/**
 * What the tables hold of the guards, users and follow pairs a fold reads, remembered between
 * pages by a rebuild: it is the only writer of its shadow tables (it holds the rebuild lock), so
 * after a committed page its memory equals the tables, and a key read (or written) once is never
 * read again. `complete`: the tables were empty when the memory began, so what it does not know is
 * not there (a fresh rebuild reads nothing at all); a resumed one asks the tables once per key.
 * Memory: O(streams + users + follow pairs), not O(events).
 */
export type TablesMemory = {
  readonly complete: boolean;
  /** Applied revision per stream. */
  readonly guards: Map<string, number>;
  /** null: no row. */
  readonly users: Map<string, User | null>;
  /** `<follower>/<followee>` → whether the row exists. */
  readonly follows: Map<string, boolean>;
};

export const tablesMemory = (complete: boolean): TablesMemory => ({ complete, guards: new Map(), users: new Map(), follows: new Map() });

/** The keys of `wanted` that the memory cannot answer (all of them without a memory). */
export const unknownKeys = <V>(memory: Map<string, V> | undefined, complete: boolean, wanted: Iterable<string>): string[] =>
  memory === undefined ? [...wanted] : complete ? [] : [...wanted].filter((key) => !memory.has(key));
