/**
 * The Lua scripts of the redis store: one atomic publish (id, entry, trims,
 * `PUBLISH`) and the reads; keys are listed in ARCHITECTURE.md (redis).
 *
 * @module
 */

/**
 * KEYS: clock, log, meta, once. ARGV: live pub/sub channel, event name, event
 * name as JSON, data as JSON, history limit, history ttl ms, meta ttl ms,
 * deadline (Redis `TIME` in µs; see redis_deadline.ts), once ttl ms ('' for
 * no once key), 1 for Redis Cluster (KEYS[1] is then the channel's own
 * clock and every key is in the channel's hash slot; the live message goes
 * out by SPUBLISH) else 0, the id's origin tag and its number as the
 * stream id's sequence part ('' and 0 for the one-clock `0000`). Returns [id, time ms], or the error `HERALD_EXPIRED` when it
 * runs after its deadline: its publisher has given up on it (and answered
 * 503), so it must not take effect. With a once key already recorded it
 * publishes nothing and returns the recorded [id, time ms].
 */
export const PUBLISH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if now > tonumber(ARGV[8]) then
  return redis.error_reply('HERALD_EXPIRED the publish reached Redis after its deadline')
end
if ARGV[9] ~= '' then
  local prior = redis.call('GET', KEYS[4])
  if prior then
    local pid, ptime = string.match(prior, '(%S+) (%S+)')
    return {pid, ptime}
  end
end
local clock = now
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if clock <= last then clock = last + 1 end
local clockStr = string.format('%.0f', clock)
redis.call('SET', KEYS[1], clockStr)
local origin = ARGV[11]
if origin == nil or origin == '' then origin = '0000' end
local id = string.format('%016.0f', clock) .. '-' .. origin
local timeStr = string.format('%.0f', math.floor(now / 1000))
local streamId = clockStr .. '-' .. (ARGV[12] or '0')
local prevHead = redis.call('HGET', KEYS[3], 'head')
if prevHead and redis.call('XLEN', KEYS[2]) == 0 then
  -- The whole stream expired: everything up to the old head is gone.
  redis.call('HSET', KEYS[3], 'trimmed', prevHead)
end
redis.call('XADD', KEYS[2], streamId, 'e', ARGV[2], 'd', ARGV[4], 't', timeStr)
local limit = tonumber(ARGV[5])
local len = redis.call('XLEN', KEYS[2])
if len > limit then
  local dropped = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', len - limit)
  redis.call('HSET', KEYS[3], 'trimmed', dropped[#dropped][1])
  redis.call('XTRIM', KEYS[2], 'MAXLEN', limit)
end
local ttl = tonumber(ARGV[6])
local cutoffUs = now - ttl * 1000
local cutoff = string.format('%.0f', cutoffUs) .. '-0'
-- Only when the oldest entry is past the age bound is there anything to
-- trim by age. Looking at it first is O(1); a reverse range that finds
-- nothing walks a whole stream node (84 of the script's 135 µs, issue 14).
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first > 0 and tonumber(string.match(first[1][1], '^%d+')) < cutoffUs then
  local old = redis.call('XREVRANGE', KEYS[2], '(' .. cutoff, '-', 'COUNT', 1)
  redis.call('HSET', KEYS[3], 'trimmed', old[1][1])
  redis.call('XTRIM', KEYS[2], 'MINID', cutoff)
end
redis.call('HSET', KEYS[3], 'head', streamId)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[7]))
local message = '{"id":"' .. id .. '","time":' .. timeStr ..
  ',"event":' .. ARGV[3] .. ',"data":' .. ARGV[4] .. '}'
if ARGV[10] == '1' then
  -- Redis Cluster: the clock is the channel's own; sharded pub/sub.
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[7]))
  redis.call('SPUBLISH', ARGV[1], message)
else
  redis.call('PUBLISH', ARGV[1], message)
end
if ARGV[9] ~= '' then
  redis.call('SET', KEYS[4], id .. ' ' .. timeStr, 'PX', tonumber(ARGV[9]))
end
return {id, timeStr}
`;

/**
 * KEYS: log, meta. ARGV: the age cut-off as a stream id. Returns the newest
 * stream id that history no longer holds, or false.
 */
export const TRIMMED_SCRIPT = `
local meta = redis.call('HMGET', KEYS[2], 'trimmed', 'head')
local best = meta[1]
local function later(a, b)
  if not a then return b end
  if not b then return a end
  local ams, aseq = string.match(a, '(%d+)-(%d+)')
  local bms, bseq = string.match(b, '(%d+)-(%d+)')
  if #ams ~= #bms then
    if #ams > #bms then return a else return b end
  end
  if ams > bms then return a end
  return b
end
local old = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1], '-', 'COUNT', 1)
if #old > 0 then best = later(best, old[1][1]) end
local kept = redis.call('XREVRANGE', KEYS[1], '+', ARGV[1], 'COUNT', 1)
if #kept == 0 and meta[2] then best = later(best, meta[2]) end
return best
`;
