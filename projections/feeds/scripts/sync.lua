-- Fan-out of one log of author B to one follower F: copies the log's current state in author:B.
-- Present there: added (or its score updated) only if F still follows B with the epoch read by
-- log.lua; a later Unfollowed already removed B's logs, a later Followed already backfilled them.
-- Absent (retracted, or past the retention): removed from the feed, whatever the epoch.
-- KEYS: home:F, following:F, author:B, trimmed:F.
-- ARGV: B, epoch, cutoff, length, key base, logId.
local cutoff, length = tonumber(ARGV[3]), tonumber(ARGV[4])
local id = ARGV[6]
local mark = hidden_mark(KEYS[4], cutoff)
local score = redis.call('ZSCORE', KEYS[3], id)
local stale = false
if not score then
  stale = redis.call('ZREM', KEYS[1], id) == 1 and mark ~= nil
elseif redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  local old = redis.call('ZSCORE', KEYS[1], id) -- false when absent (a nil reply)
  stale = old and mark and tonumber(score) < tonumber(old) and tonumber(score) <= mark or false
  redis.call('ZADD', KEYS[1], score, id)
end
-- An entry left or moved down while older entries were trimmed away: one of them may belong back.
if stale then
  rebuild(KEYS[1], KEYS[4], KEYS[2], ARGV[5], cutoff, length)
else
  cut(KEYS[1], KEYS[4], cutoff, length, nil)
end
return 1
