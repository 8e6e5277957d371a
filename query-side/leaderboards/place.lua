-- A member's place on a board, in one atomic read. KEYS[1] the board. ARGV[1] the member.
-- Returns {score, members scoring strictly more} (competition rank = that + 1), or {} if unscored.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return {} end
return {score, redis.call('ZCOUNT', KEYS[1], '(' .. score, '+inf')}
