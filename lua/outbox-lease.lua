--[[
  outbox-lease: take or keep the right to relay one partition's outbox. One relay per partition at a
  time keeps each user's events in order on Kafka.

  KEYS[1] lease key                outbox-lease:{pN}

  ARGV[1] owner: the relay instance id
  ARGV[2] lease time to live, milliseconds

  Returns {1} if ARGV[1] holds the lease now (taken or renewed), {0} if another owner holds it.
]]
local rcall = redis.call
local leaseKey = KEYS[1]
local owner = ARGV[1]
local ttl = tonumber(ARGV[2])

local holder = rcall('GET', leaseKey)
if holder == owner then
  rcall('PEXPIRE', leaseKey, ttl)
  return {1}
end
if not holder then
  rcall('SET', leaseKey, owner, 'PX', ttl)
  return {1}
end
return {0}
