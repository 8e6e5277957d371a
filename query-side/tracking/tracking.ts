import { Redis } from 'ioredis';
import { changes } from './changes.js';

const CHANNEL = '__redis__:invalidate';

/** A read under way, from `begin` to `end`. */
export type TrackedRead = { readonly stamp: number; readonly epoch: number };

/**
 * Redis's server-assisted client-side caching (CLIENT TRACKING, two-connection mode): Redis
 * remembers the keys read on `redis` and, when one changes, tells this process on a second,
 * subscribed connection. So a process may hold what it read until told otherwise, without asking
 * Redis again on every request.
 *
 * Holding is safe only while both connections live: an invalidation sent while either is down is
 * lost, so when one closes every listener hears `null` (drop everything) and nothing read in the
 * meantime may be held until tracking is set up again.
 */
export type Tracking = {
  /** The connection whose reads Redis tracks: what is held must be read on it. */
  readonly redis: Redis;
  /**
   * Resolves once every invalidation for writes Redis finished before the call has reached the
   * listeners: a PING on the subscribed connection is answered after them (one PING, sent at the
   * end of the loop's turn, serves every caller of that turn). False when tracking is down: then
   * nothing held may be used.
   */
  synced(): Promise<boolean>;
  /**
   * As `synced`, but a PING sent at most `ms` before this call and already answered counts too:
   * then `true` at once, without waiting (and, under steady use, a PING goes out every `ms / 2` in
   * the background to keep it so). Every change Redis finished at least `ms` before the call has
   * then reached the listeners. 0 is `synced`.
   */
  syncedWithin(ms: number): true | Promise<boolean>;
  /** Starts a read whose answer may be held; undefined when tracking is down. */
  begin(): TrackedRead | undefined;
  /** Ends a read: true when it may be held (tracking stayed up and none of `keys` changed meanwhile). */
  end(read: TrackedRead, keys: Iterable<string>): boolean;
  /** Called with each changed key, or null when everything held must go. */
  onInvalidate(listener: (key: string | null) => void): void;
  close(): void;
};

type Options = {
  /** How long a PING may go unanswered before the subscribed connection is taken for broken. */
  readonly pingTimeoutMs?: number;
  readonly log?: (message: string, error: unknown) => void;
  /** Milliseconds, for `syncedWithin`; monotonic. */
  readonly now?: () => number;
};

export const startTracking = (url: string, { pingTimeoutMs = 1_000, log = () => undefined, now = () => performance.now() }: Options = {}): Tracking => {
  // The subscriber subscribes again itself, after it has learnt its new client id.
  const subscriber = new Redis(url, { connectionName: 'sleepsocial-invalidations', autoResubscribe: false, commandTimeout: pingTimeoutMs, maxRetriesPerRequest: 1 });
  const redis = new Redis(url, { connectionName: 'sleepsocial-tracked-reads', maxRetriesPerRequest: 2 });
  const listeners: ((key: string | null) => void)[] = [];
  const recent = changes(10_000);
  let up = false;
  let epoch = 0;
  let subscriberId: string | undefined;
  let redirected = false;
  let closed = false;
  /** When the latest answered PING was sent, in this epoch. */
  let lastSyncedAt = Number.NEGATIVE_INFINITY;

  /** Everything held goes, and no read under way may be held. */
  const dropAll = () => {
    epoch += 1;
    lastSyncedAt = Number.NEGATIVE_INFINITY;
    for (const listener of listeners) listener(null);
  };
  const down = () => {
    up = false;
    dropAll();
  };
  /** Subscribes and redirects what is not yet; run again by every `ready`, one run at a time. */
  let settingUp = false;
  let again = false;
  const setUp = async () => {
    if (settingUp) return void (again = true);
    settingUp = true;
    do {
      again = false;
      await attempt();
    } while (again && !closed);
    settingUp = false;
  };
  const attempt = async () => {
    const at = epoch;
    try {
      if (subscriberId === undefined) {
        const id = String(await subscriber.client('ID'));
        await subscriber.subscribe(CHANNEL);
        if (at !== epoch) return;
        subscriberId = id;
      }
      if (!redirected) {
        await redis.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', subscriberId);
        if (at !== epoch) return;
        redirected = true;
      }
      up = true;
    } catch (error) {
      // The connection that failed closes and reconnects, and its `ready` tries again.
      if (!closed) log('client-side caching could not be set up; reading every time until it is', error);
    }
  };
  subscriber.on('close', () => {
    subscriberId = undefined;
    redirected = false; // the redirect pointed at the old connection
    down();
  });
  redis.on('close', () => {
    redirected = false;
    down();
  });
  subscriber.on('ready', () => void setUp());
  redis.on('ready', () => void setUp());
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== CHANNEL) return;
    // A null (a flush) or anything not a list of keys: drop everything.
    if (!Array.isArray(message)) return dropAll();
    for (const raw of message) {
      const key = raw.toString();
      recent.record(key);
      for (const listener of listeners) listener(key);
    }
  });
  subscriber.on('error', (error) => log('client-side caching: subscriber connection error', error));
  redis.on('error', (error) => log('client-side caching: read connection error', error));

  /** The callers waiting for the PING sent at the end of this turn of the event loop. */
  let waiting: { readonly answered: Promise<boolean>; readonly answer: (synced: boolean) => void } | undefined;
  /** A PING is out (overlapping ones make this approximate: it only spares a redundant background PING). */
  let pinging = false;
  const ping = () => {
    const callers = waiting;
    waiting = undefined;
    const at = epoch;
    const sentAt = now();
    pinging = true;
    subscriber.ping().then(
      () => {
        pinging = false;
        const synced = up && at === epoch;
        if (synced) lastSyncedAt = Math.max(lastSyncedAt, sentAt);
        callers?.answer(synced);
      },
      (error: unknown) => {
        pinging = false;
        // Unanswered: the connection may be broken without having closed. Start over.
        if (!closed) {
          log('client-side caching: PING on the invalidation connection failed; reconnecting', error);
          subscriber.disconnect(true);
        }
        callers?.answer(false);
      },
    );
  };
  const synced = (): Promise<boolean> => {
    if (!up) return Promise.resolve(false);
    // Every request read in this turn of the loop arrived before the PING leaves, so one PING
    // answers for them all; one read after it has left waits for the next.
    if (!waiting) {
      let answer: (synced: boolean) => void = () => undefined;
      const answered = new Promise<boolean>((resolve) => (answer = resolve));
      waiting = { answered, answer };
      setImmediate(ping);
    }
    return waiting.answered;
  };
  return {
    redis,
    synced,
    syncedWithin: (ms) => {
      const age = now() - lastSyncedAt;
      if (!up || ms <= 0 || age > ms) return synced();
      if (age > ms / 2 && !pinging && !waiting) void synced();
      return true;
    },
    begin: () => (up ? { stamp: recent.begin(), epoch } : undefined),
    end: (read, keys) => recent.end(read.stamp, keys) && up && read.epoch === epoch,
    onInvalidate: (listener) => void listeners.push(listener),
    close: () => {
      closed = true;
      subscriber.disconnect();
      redis.disconnect();
    },
  };
};
