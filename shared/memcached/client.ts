import memjs from 'memjs';

/** The little of Memcached we use, so the cache can be swapped or absent without touching callers. */
export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** Stores only if absent: readers fill the cache without overwriting a fresher value. */
  add(key: string, value: string, ttlSeconds: number): Promise<void>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  ping(): Promise<void>;
  close(): void;
}

export const memcachedCache = (servers: readonly string[]): Cache => {
  // Short timeouts: the cache is an optimisation, and a slow one must not slow every request.
  const client = memjs.Client.create(servers.join(','), { retries: 0, timeout: 0.25, conntimeout: 0.5, keepAlive: true, logger: { log: () => undefined } });
  return {
    get: async (key) => (await client.get(key)).value?.toString('utf8') ?? undefined,
    add: async (key, value, ttl) => {
      await client.add(key, value, { expires: ttl });
    },
    set: async (key, value, ttl) => {
      await client.set(key, value, { expires: ttl });
    },
    delete: async (key) => {
      await client.delete(key);
    },
    ping: async () => {
      await client.get('sleepsocial:ping');
    },
    close: () => client.close(),
  };
};
