-- Applies one event of a user stream to the leaderboards, exactly once.
-- KEYS[1] guard hash (stream -> last applied revision), KEYS[2] this log's record key (or a dummy).
-- ARGV: stream, revision, logId ('' = not a sleep event), member, minutes ('' = remove the log),
--       then pairs of (board key, expire-at unix seconds).
-- Returns {1, rev} applied, {0, applied} already applied, {2, applied} gap (nothing written).
local applied = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local rev = tonumber(ARGV[2])
if rev <= applied then return {0, applied} end
if rev > applied + 1 then return {2, applied} end

if ARGV[3] ~= '' then
  -- Undo what this log contributed before (a correction or retraction moves past windows too).
  local old = redis.call('GET', KEYS[2])
  if old then
    local parts = {}
    for p in string.gmatch(old, '[^|]+') do parts[#parts + 1] = p end
    local member, minutes = parts[1], tonumber(parts[2])
    for i = 3, #parts do
      local score = tonumber(redis.call('ZINCRBY', parts[i], -minutes, member))
      if score <= 0 then redis.call('ZREM', parts[i], member) end
    end
  end
  if ARGV[5] ~= '' then
    local record = ARGV[4] .. '|' .. ARGV[5]
    local lastExpiry = 0
    for i = 6, #ARGV, 2 do
      redis.call('ZINCRBY', ARGV[i], tonumber(ARGV[5]), ARGV[4])
      redis.call('EXPIREAT', ARGV[i], tonumber(ARGV[i + 1]))
      if tonumber(ARGV[i + 1]) > lastExpiry then lastExpiry = tonumber(ARGV[i + 1]) end
      record = record .. '|' .. ARGV[i]
    end
    redis.call('SET', KEYS[2], record, 'EXAT', lastExpiry)
  else
    redis.call('DEL', KEYS[2])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], rev)
return {1, rev}
