-- One page of a home feed, newest first, in one atomic read.
-- KEYS[1] home:<owner>. ARGV: key base, cutoff (oldest endedAt kept, epoch ms), how many,
--   cursor score ('+inf' = from the top), cursor log id ('' = none), 'items' or 'ids'.
-- Entries past the retention are outside every range read; they sit at the feed's tail, so they
-- are dropped when a read reaches it (feeds are cut lazily on read). Entries up to and including
-- the cursor are skipped, and with 'items' so are entries whose item has expired or been retracted.
-- Returns one string (one reply to parse, not two or three per entry): with 'items' a line per
-- entry, '<logId> <score> <item JSON>'; with 'ids' '<logId> <score> <logId> <score> …', for a
-- caller that holds the items itself.
local want = tonumber(ARGV[3])
local max, after = ARGV[4], ARGV[5]
local withItems = ARGV[6] ~= 'ids'

-- Byte order, as Redis orders equal scores (Lua's own < follows the server's locale).
local function bytes_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local out, found, atTail = {}, 0, false
if not withItems and after == '' then
  -- A first page of ids: one range read, with nothing to step past and nothing to look up.
  out = redis.call('ZRANGE', KEYS[1], '+inf', ARGV[2], 'BYSCORE', 'REV', 'LIMIT', 0, want, 'WITHSCORES')
  atTail = #out < 2 * want
else
  local maxScore = after ~= '' and tonumber(max) or nil
  local offset, batch = 0, want + 10
  while found < want do
    local range = redis.call('ZRANGE', KEYS[1], max, ARGV[2], 'BYSCORE', 'REV', 'LIMIT', offset, batch, 'WITHSCORES')
    for i = 1, #range, 2 do
      local id, score = range[i], range[i + 1]
      -- Equal scores come in descending id order: those not below the cursor's id were shown already.
      local shown = maxScore ~= nil and tonumber(score) == maxScore and not bytes_before(id, after)
      if not shown then
        if not withItems then
          out[#out + 1] = id
          out[#out + 1] = score
          found = found + 1
        else
          local item = redis.call('GET', ARGV[1] .. 'item:' .. id)
          if item then
            out[#out + 1] = id .. ' ' .. score .. ' ' .. item
            found = found + 1
          end
        end
        if found >= want then break end
      end
    end
    if #range < 2 * batch then
      atTail = true
      break
    end
    offset = offset + batch
  end
end
if atTail then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2]) end
return table.concat(out, withItems and '\n' or ' ')
