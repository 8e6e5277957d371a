-- Fan-out of one log of author B to a chunk of followers: copies the log's current state in
-- author:B into each follower F's feed. Present there: added (or its score updated) only if F still
-- follows B with the epoch read by log.lua; a later Unfollowed already removed B's logs, a later
-- Followed already backfilled them. Absent (retracted, or past the retention): removed from the
-- feed, whatever the epoch. One call per chunk rather than per follower: the work per follower is
-- a few commands, the call around it cost more.
-- KEYS: author:B, then per follower: home:F, following:F, trimmed:F.
-- ARGV: B, cutoff, length, key base, logId, then per follower (same order): epoch.
local cutoff, length = tonumber(ARGV[2]), tonumber(ARGV[3])
local id = ARGV[5]
local score = redis.call('ZSCORE', KEYS[1], id)
for i = 0, (#KEYS - 1) / 3 - 1 do
  local home, following, trimmed = KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i]
  local epoch = ARGV[6 + i]
  local mark = hidden_mark(trimmed, cutoff)
  local stale = false
  if not score then
    stale = redis.call('ZREM', home, id) == 1 and mark ~= nil
  elseif redis.call('HGET', following, ARGV[1]) == epoch then
    local old = redis.call('ZSCORE', home, id) -- false when absent (a nil reply)
    stale = old and mark and tonumber(score) < tonumber(old) and tonumber(score) <= mark or false
    redis.call('ZADD', home, score, id)
  end
  -- An entry left or moved down while older entries were trimmed away: one of them may belong back.
  if stale then
    rebuild(home, trimmed, following, ARGV[4], cutoff, length)
  else
    cut(home, trimmed, cutoff, length, nil)
  end
end
return 1
