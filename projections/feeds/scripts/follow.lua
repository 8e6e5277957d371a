-- Followed(A -> B) in A's stream, in one atomic step with A's guard: records the follow epoch on
-- both sides and backfills A's feed with B's newest logs.
-- KEYS: guard, followers:B, following:A, home:A, author:B, trimmed:A.
-- ARGV: stream, revision, A, B, cutoff, length. Returns {status, applied}.
local status, applied = guard_status(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if status ~= 1 then return {status, applied} end
local cutoff, length = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[2])
local bound = copy_author(KEYS[4], KEYS[5], cutoff, length, nil)
cut(KEYS[4], KEYS[6], cutoff, length, bound)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, applied}
