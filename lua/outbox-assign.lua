--[[
  outbox-assign: an instance's heartbeat, and its fair share of the outbox partitions to relay.

  Every instance calls it once per heartbeat, whatever the number of partitions. A relaying instance
  holds at most ceil(partitions / live relays) partitions: beyond that it gives back its highest ones,
  below it takes partitions that nobody holds or whose holder's heartbeat has expired. So a new instance
  gets its share within two heartbeats, and a dead one's partitions are taken within its heartbeat's
  time to live. Expiry uses Redis's clock, the one clock every instance shares.

  KEYS[1] serving instances         outbox-instances:{outbox}   sorted set, member = instance, score = expiry ms
  KEYS[2] relaying instances        outbox-relays:{outbox}      sorted set, same
  KEYS[3] partition holders         outbox-leases:{outbox}      hash, partition -> instance

  ARGV[1] instance id
  ARGV[2] heartbeat time to live, milliseconds
  ARGV[3] number of partitions
  ARGV[4] '1' if this instance relays, '0' if it only serves (it then holds nothing)

  Returns the partitions this instance holds now, ascending.
]]
local rcall = redis.call
local instancesKey, relaysKey, leasesKey = KEYS[1], KEYS[2], KEYS[3]
local owner, ttl, partitions, relays = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'

local time = rcall('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

rcall('ZREMRANGEBYSCORE', instancesKey, '-inf', now)
rcall('ZADD', instancesKey, now + ttl, owner)
rcall('ZREMRANGEBYSCORE', relaysKey, '-inf', now)
if not relays then
  rcall('ZREM', relaysKey, owner)
  return {}
end
rcall('ZADD', relaysKey, now + ttl, owner)

local live = {}
for _, id in ipairs(rcall('ZRANGE', relaysKey, 0, -1)) do live[id] = true end
local share = math.ceil(partitions / rcall('ZCARD', relaysKey))

local holders = {}
local flat = rcall('HGETALL', leasesKey)
for i = 1, #flat, 2 do holders[tonumber(flat[i])] = flat[i + 1] end

local mine, free = {}, {}
for p = 0, partitions - 1 do
  local holder = holders[p]
  if holder == owner then
    mine[#mine + 1] = p
  elseif not holder or not live[holder] then
    free[#free + 1] = p
  end
end
while #mine > share do
  rcall('HDEL', leasesKey, mine[#mine])
  mine[#mine] = nil
end
for _, p in ipairs(free) do
  if #mine >= share then break end
  rcall('HSET', leasesKey, p, owner)
  mine[#mine + 1] = p
end
table.sort(mine)
return mine
