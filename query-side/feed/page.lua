-- One page of a home feed, newest first, in one atomic read.
-- KEYS[1] home:<owner>. ARGV: key base, cutoff (oldest endedAt kept, epoch ms), how many,
--   cursor score ('+inf' = from the top), cursor log id ('' = none), 'items' or 'ids'.
-- Drops entries past the retention first (feeds are cut lazily on read), then skips entries up to
-- and including the cursor and, with 'items', entries whose item has expired or been retracted.
-- Returns one string, a line per entry: '<logId> <score> <item JSON>' (one reply to parse, not three
-- per entry), or with 'ids' '<logId> <score>', for a caller that holds the items itself.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
local want = tonumber(ARGV[3])
local max, after = ARGV[4], ARGV[5]
local maxScore = after ~= '' and tonumber(max) or nil
local withItems = ARGV[6] ~= 'ids'

-- Byte order, as Redis orders equal scores (Lua's own < follows the server's locale).
local function bytes_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local out = {}
local offset, batch = 0, tonumber(ARGV[3]) + 10
while #out < want do
  local range = redis.call('ZRANGE', KEYS[1], max, ARGV[2], 'BYSCORE', 'REV', 'LIMIT', offset, batch, 'WITHSCORES')
  if #range == 0 then break end
  for i = 1, #range, 2 do
    local id, score = range[i], range[i + 1]
    -- Equal scores come in descending id order: those not below the cursor's id were shown already.
    local shown = maxScore ~= nil and tonumber(score) == maxScore and not bytes_before(id, after)
    if not shown then
      if not withItems then
        out[#out + 1] = id .. ' ' .. score
      else
        local item = redis.call('GET', ARGV[1] .. 'item:' .. id)
        if item then out[#out + 1] = id .. ' ' .. score .. ' ' .. item end
      end
      if #out >= want then break end
    end
  end
  offset = offset + batch
end
return table.concat(out, '\n')
