-- Applies one event of a user stream to the leaderboards, exactly once.
-- KEYS[1] guard hash (stream -> last applied revision), KEYS[2] the user's log records hash (or a dummy).
-- ARGV: stream, revision, logId ('' = not a sleep event), member, minutes ('' = remove the log),
--       key prefix, then pairs of (board key without the prefix, expire-at unix seconds).
-- A record is member|minutes|expireAt|board|board|board (see effects.ts).
-- Returns {1, rev} applied, {0, applied} already applied, {2, applied} gap (nothing written).
local applied = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local rev = tonumber(ARGV[2])
if rev <= applied then return {0, applied} end
if rev > applied + 1 then return {2, applied} end

-- Records whose boards have expired are shed when a user's hash has grown by this many fields.
local PRUNE_EVERY = 64

if ARGV[3] ~= '' then
  local prefix = ARGV[6]
  -- Undo what this log contributed before (a correction or retraction moves past windows too).
  local old = redis.call('HGET', KEYS[2], ARGV[3])
  if old then
    local parts = {}
    for p in string.gmatch(old, '[^|]+') do parts[#parts + 1] = p end
    local member, minutes = parts[1], tonumber(parts[2])
    for i = 4, #parts do
      local score = tonumber(redis.call('ZINCRBY', prefix .. parts[i], -minutes, member))
      if score <= 0 then redis.call('ZREM', prefix .. parts[i], member) end
    end
  end
  if ARGV[5] ~= '' then
    local boards, lastExpiry = '', 0
    for i = 7, #ARGV, 2 do
      local at = tonumber(ARGV[i + 1])
      redis.call('ZINCRBY', prefix .. ARGV[i], tonumber(ARGV[5]), ARGV[4])
      redis.call('EXPIREAT', prefix .. ARGV[i], at)
      if at > lastExpiry then lastExpiry = at end
      boards = boards .. '|' .. ARGV[i]
    end
    local added = redis.call('HSET', KEYS[2], ARGV[3], ARGV[4] .. '|' .. ARGV[5] .. '|' .. lastExpiry .. boards)
    -- The hash lives as long as its longest-lived record (NX: a new hash; GT: only ever later).
    redis.call('EXPIREAT', KEYS[2], lastExpiry, 'NX')
    redis.call('EXPIREAT', KEYS[2], lastExpiry, 'GT')
    if added == 1 and redis.call('HLEN', KEYS[2]) % PRUNE_EVERY == 0 then
      local now = tonumber(redis.call('TIME')[1])
      local fields = redis.call('HGETALL', KEYS[2])
      for i = 1, #fields, 2 do
        local expireAt = tonumber(string.match(fields[i + 1], '^[^|]*|[^|]*|(%d+)'))
        if expireAt <= now then redis.call('HDEL', KEYS[2], fields[i]) end
      end
    end
  else
    redis.call('HDEL', KEYS[2], ARGV[3])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], rev)
return {1, rev}
