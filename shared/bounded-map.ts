/**
 * Sets `key` as the newest entry of an insertion-ordered map, then drops the oldest entries past
 * `max`: the bounded caches (verified tokens, decoded queries, streams, names, board pages) share it.
 */
export const setNewest = <K, V>(map: Map<K, V>, key: K, value: V, max: number): void => {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
};
