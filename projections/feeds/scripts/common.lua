-- Helpers prepended to every feed script (Redis scripts cannot include one another).
-- Scores are a log's endedAt in epoch ms; `cutoff` is the oldest endedAt still within the retention.

-- 1 = apply this revision, 0 = already applied (redelivery), 2 = a gap: nothing may be written.
local function guard_status(guard, stream, rev)
  local applied = tonumber(redis.call('HGET', guard, stream) or '-1')
  if rev <= applied then return 0, applied end
  if rev > applied + 1 then return 2, applied end
  return 1, applied
end

-- ZADD of a flat {member, score, member, score, ...} list (as ZRANGE ... WITHSCORES returns it),
-- in chunks: unpack() is limited by Lua's stack.
local function zadd_pairs(key, flat)
  local args = {}
  for i = 1, #flat, 2 do
    args[#args + 1] = flat[i + 1]
    args[#args + 1] = flat[i]
    if #args >= 1000 then
      redis.call('ZADD', key, unpack(args))
      args = {}
    end
  end
  if #args > 0 then redis.call('ZADD', key, unpack(args)) end
end

local function zrem_all(key, members)
  for i = 1, #members, 500 do
    redis.call('ZREM', key, unpack(members, i, math.min(i + 499, #members)))
  end
end

-- The highest score trimmed away for length that is still within the retention, or nil. While there
-- is one, removing an entry (or moving one down) could let a trimmed entry back into the top `length`.
local function hidden_mark(trimmed, cutoff)
  local mark = tonumber(redis.call('GET', trimmed) or '')
  if mark and mark >= cutoff then return mark end
  return nil
end

-- Drops entries past the retention, trims the feed to `length` and remembers the highest score it
-- dropped for length (or `bound`: a score no lower than anything left out when copying).
local function cut(home, trimmed, cutoff, length, bound)
  redis.call('ZREMRANGEBYSCORE', home, '-inf', '(' .. cutoff)
  local high = bound
  local excess = redis.call('ZCARD', home) - length
  if excess > 0 then
    local last = redis.call('ZRANGE', home, excess - 1, excess - 1, 'WITHSCORES')
    if not high or tonumber(last[2]) > tonumber(high) then high = last[2] end
    redis.call('ZREMRANGEBYRANK', home, 0, excess - 1)
  end
  local mark = tonumber(redis.call('GET', trimmed) or '')
  if high and (not mark or tonumber(high) > mark) then
    redis.call('SET', trimmed, high)
    mark = tonumber(high)
  end
  if mark and mark < cutoff then redis.call('DEL', trimmed) end
end

-- Copies the newest `length` entries of an author's set within the retention into a feed; returns
-- the lowest score copied when entries may have been left out, else the given bound.
local function copy_author(home, author, cutoff, length, bound)
  local top = redis.call('ZRANGE', author, '+inf', cutoff, 'BYSCORE', 'REV', 'LIMIT', 0, length, 'WITHSCORES')
  zadd_pairs(home, top)
  if #top >= 2 * length then
    local low = top[#top]
    if not bound or tonumber(low) > tonumber(bound) then return low end
  end
  return bound
end

-- Recomputes a feed from the authors it follows: the exact newest `length` of their logs.
local function rebuild(home, trimmed, following, base, cutoff, length)
  redis.call('DEL', home, trimmed)
  local bound = nil
  for _, followee in ipairs(redis.call('HKEYS', following)) do
    bound = copy_author(home, base .. 'author:' .. followee, cutoff, length, bound)
  end
  cut(home, trimmed, cutoff, length, bound)
end
