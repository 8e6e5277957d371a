-- Checks and advances a stream's revision guard: for items with no feed effect, and as the last
-- step of a sleep-log item, after its fan-out.
-- KEYS[1] guard. ARGV: stream, revision. Returns {status, applied} (see guard_status).
local status, applied = guard_status(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if status == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return {status, applied}
