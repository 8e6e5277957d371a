-- A whole board in one atomic read, when it has at most ARGV[1] members. KEYS[1] the board.
-- Returns {total, {member, score, ...}} in rank order (score descending), or {total} for a bigger board.
local total = redis.call('ZCARD', KEYS[1])
if total > tonumber(ARGV[1]) then return {total} end
return {total, redis.call('ZRANGE', KEYS[1], 0, -1, 'REV', 'WITHSCORES')}
