-- First step of SleepLogged / SleepLogCorrected / SleepLogRetracted by author B: records the log's
-- current state in item:<logId> and author:B, and returns B's followers with their follow epochs,
-- read in the same atomic step (so a Followed that runs before it sees the log in author:B for the
-- backfill, and one that runs after it is in the list for the fan-out). Only checks the guard:
-- it is advanced after the fan-out, so a crash in between redoes the whole item.
-- KEYS: guard, item:<logId>, author:B, followers:B.
-- ARGV: stream, revision, logId, score ('' = retracted), item JSON, expire-at (unix s), cutoff.
-- Returns {status, applied, {follower, epoch, ...}}; the list is empty unless status = 1.
local status, applied = guard_status(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if status ~= 1 then return {status, applied, {}} end
local cutoff = tonumber(ARGV[7])
if ARGV[4] ~= '' and tonumber(ARGV[4]) >= cutoff then
  redis.call('SET', KEYS[2], ARGV[5], 'EXAT', ARGV[6])
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
else
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff)
return {1, applied, redis.call('HGETALL', KEYS[4])}
