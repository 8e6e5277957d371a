-- One page of a board, in one atomic read. KEYS[1] the board. ARGV: offset, how many.
-- Returns {total, members scoring above the page's first, {member, score, ...}}: the count above
-- the first entry ranks a page that starts inside a tie.
local offset, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local page = redis.call('ZRANGE', KEYS[1], offset, offset + count - 1, 'REV', 'WITHSCORES')
local aboveFirst = 0
if #page > 0 then aboveFirst = redis.call('ZCOUNT', KEYS[1], '(' .. page[2], '+inf') end
return {redis.call('ZCARD', KEYS[1]), aboveFirst, page}
