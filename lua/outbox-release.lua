--[[
  outbox-release: an instance stopping gives back every partition it holds and leaves the instance
  sets, so the others take its partitions at their next heartbeat instead of after its time to live.

  KEYS[1] serving instances         outbox-instances:{outbox}
  KEYS[2] relaying instances        outbox-relays:{outbox}
  KEYS[3] partition holders         outbox-leases:{outbox}

  ARGV[1] instance id

  Returns {number of partitions given back}.
]]
local rcall = redis.call
local owner = ARGV[1]
rcall('ZREM', KEYS[1], owner)
rcall('ZREM', KEYS[2], owner)
local released = 0
local flat = rcall('HGETALL', KEYS[3])
for i = 1, #flat, 2 do
  if flat[i + 1] == owner then
    rcall('HDEL', KEYS[3], flat[i])
    released = released + 1
  end
end
return {released}
