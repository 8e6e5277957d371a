-- Unfollowed(A -> B) in A's stream, in one atomic step with A's guard: forgets the follow on both
-- sides and takes B's logs out of A's feed. A fan-out of B still under way for the old epoch then
-- adds nothing (sync.lua checks the epoch).
-- KEYS: guard, followers:B, following:A, home:A, author:B, trimmed:A.
-- ARGV: stream, revision, A, B, cutoff, length, key base. Returns {status, applied}.
local status, applied = guard_status(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if status ~= 1 then return {status, applied} end
local cutoff, length = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[4])
if hidden_mark(KEYS[6], cutoff) then
  -- Entries were trimmed away: the ones of other followees that now belong in the feed come back.
  rebuild(KEYS[4], KEYS[6], KEYS[3], ARGV[7], cutoff, length)
else
  zrem_all(KEYS[4], redis.call('ZRANGE', KEYS[5], 0, -1))
  cut(KEYS[4], KEYS[6], cutoff, length, nil)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, applied}
