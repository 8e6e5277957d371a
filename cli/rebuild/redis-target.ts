import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Projector } from '../../projections/runtime/projector.js';
import type { Comparison, Difference, Digest, ProjectionName, RebuildTarget } from './target.js';

/** Escapes a literal for a SCAN/KEYS glob pattern. */
const glob = (literal: string): string => literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Deletes every key of the live family and renames every key of the new version into its place,
 * in one script: Redis runs it atomically, so a reader (the query side) sees the old model or the
 * new one, never a mix, and no version pointer is needed. Keys keep their TTLs. String values that
 * name keys (a leaderboard's per-log record lists its board keys) are rewritten to the live
 * prefix. It blocks Redis for the length of the swap (microseconds per key): the price of
 * atomicity without a pointer that every reader would have to resolve.
 */
const SWAP = `
local live, shadow, shadowPrefix, livePrefix = ARGV[1], ARGV[2], ARGV[5], ARGV[6]
local function replaceAll(s, from, to)
  local out, i = {}, 1
  while true do
    local j = string.find(s, from, i, true)
    if not j then break end
    out[#out + 1] = string.sub(s, i, j - 1)
    out[#out + 1] = to
    i = j + #from
  end
  out[#out + 1] = string.sub(s, i)
  return table.concat(out)
end
local removed, moved = 0, 0
for _, key in ipairs(redis.call('KEYS', ARGV[3])) do redis.call('UNLINK', key); removed = removed + 1 end
for _, key in ipairs(redis.call('KEYS', ARGV[4])) do
  if redis.call('TYPE', key).ok == 'string' then
    local value = redis.call('GET', key)
    if string.find(value, shadowPrefix, 1, true) then redis.call('SET', key, replaceAll(value, shadowPrefix, livePrefix), 'KEEPTTL') end
  end
  redis.call('RENAME', key, live .. string.sub(key, #shadow + 1)); moved = moved + 1
end
return {removed, moved}
`;

const scanKeys = async (redis: Redis, pattern: string): Promise<string[]> => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
};

/** A key's type and content in a canonical form (members sorted), to compare and digest. */
export type Content =
  | { readonly zset: [string, number][] }
  | { readonly hash: [string, string][] }
  | { readonly set: string[] }
  | { readonly list: string[] }
  | { readonly string: string | null }
  | { readonly type: string };

const contentOf = async (redis: Redis, key: string): Promise<Content> => {
  const type = await redis.type(key);
  switch (type) {
    case 'zset': {
      const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: [string, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] ?? '', Number(flat[i + 1])]);
      return { zset: pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
    }
    case 'hash':
      return { hash: Object.entries(await redis.hgetall(key)).sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
    case 'set':
      return { set: (await redis.smembers(key)).sort() };
    case 'list':
      return { list: await redis.lrange(key, 0, -1) };
    case 'string':
      return { string: await redis.get(key) };
    default:
      return { type };
  }
};

export type RedisFamily = {
  readonly name: ProjectionName;
  /** The projection's key family under a prefix, e.g. `lb:` for `<prefix>lb:…`. */
  readonly family: string;
  /** The projector writing keys under the given prefix. */
  readonly projector: (prefix: string) => Projector;
  /** The page-at-a-time projector for rebuilds, when the projection has one; `fresh`: the shadow was empty when this run began. */
  readonly bulk?: (prefix: string, fresh: boolean) => Projector;
  /**
   * What of a key (named without the prefix) a comparison counts, when some of its content may
   * differ by design between a live model and a rebuild without meaning anything; undefined: none.
   */
  readonly canonical?: (key: string, content: Content) => Content | undefined;
};

/**
 * A Redis projection rebuilt under a new key prefix (`<prefix>~<tag>:`) beside the live keys, with
 * the projector unchanged (it takes its prefix as a setting); swapped by the SWAP script.
 */
export const redisTarget = (redis: Redis, prefix: string, tag: string, f: RedisFamily): RebuildTarget => {
  const shadowPrefix = `${prefix}~${tag}:`;
  const liveFamily = `${prefix}${f.family}`;
  const shadowFamily = `${shadowPrefix}${f.family}`;
  // Outside the family (not swapped): says that a new version is being built here.
  const marker = `${shadowPrefix}rebuilding`;
  const bulk = f.bulk;
  let fresh = false;

  const dropShadow = async () => {
    const keys = await scanKeys(redis, `${glob(shadowPrefix)}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  };

  return {
    name: f.name,
    shadow: `Redis keys ${shadowFamily}*`,
    prepare: async (afresh) => {
      fresh = afresh;
      if (!afresh) return (await redis.exists(marker)) === 1;
      await dropShadow();
      await redis.set(marker, new Date().toISOString());
      return true;
    },
    shadowProjector: () => f.projector(shadowPrefix),
    ...(bulk ? { bulkProjector: () => bulk(shadowPrefix, fresh) } : {}),
    liveProjector: () => f.projector(prefix),
    swap: async () => {
      await redis.eval(SWAP, 0, liveFamily, shadowFamily, `${glob(liveFamily)}*`, `${glob(shadowFamily)}*`, shadowPrefix, prefix);
      await dropShadow();
    },
    drop: dropShadow,
    compare: async (max) => {
      // Values that name keys are compared as if written under the live prefix (as the swap leaves them).
      const side = async (familyPrefix: string, keyPrefix: string) => {
        const contents = new Map<string, string>();
        for (const key of await scanKeys(redis, `${glob(familyPrefix)}*`)) {
          const name = key.slice(familyPrefix.length);
          const content = await contentOf(redis, key);
          const counted = f.canonical ? f.canonical(`${f.family}${name}`, content) : content;
          if (counted !== undefined) contents.set(name, JSON.stringify(counted).split(keyPrefix).join(prefix));
        }
        return contents;
      };
      const [live, rebuilt] = [await side(liveFamily, prefix), await side(shadowFamily, shadowPrefix)];
      const digest = (contents: Map<string, string>): Digest => {
        const hash = createHash('sha256');
        for (const [key, content] of [...contents].sort((a, b) => (a[0] < b[0] ? -1 : 1))) hash.update(`${key}\t${content}\n`);
        return { name: `${f.family}*`, count: contents.size, checksum: hash.digest('hex') };
      };
      const differences: Difference[] = [];
      let differing = 0;
      for (const key of [...new Set([...live.keys(), ...rebuilt.keys()])].sort()) {
        const [l, r] = [live.get(key), rebuilt.get(key)];
        if (l === r) continue;
        differing++;
        if (differences.length < max) differences.push({ where: f.family, key, live: l === undefined ? null : JSON.parse(l), rebuilt: r === undefined ? null : JSON.parse(r) });
      }
      return { live: [digest(live)], rebuilt: [digest(rebuilt)], differences, differing } satisfies Comparison;
    },
    close: () => Promise.resolve(),
  };
};
