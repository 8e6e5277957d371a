-- The first page of a home feed's ids, newest first. KEYS[1] home:<owner>. ARGV: cutoff (oldest
-- endedAt kept, epoch ms), how many. Entries past the retention are outside the range; they sit at
-- the feed's tail, so they are dropped when a read reaches it.
-- Returns one string, '<logId> <score>' pairs joined by spaces: one reply to parse, not two per entry.
local range = redis.call('ZRANGE', KEYS[1], '+inf', ARGV[1], 'BYSCORE', 'REV', 'LIMIT', 0, ARGV[2], 'WITHSCORES')
if #range < 2 * tonumber(ARGV[2]) then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1]) end
return table.concat(range, ' ')
