--[[
  outbox-release: give up a partition's lease on shutdown, so another relay takes over at once
  instead of after the lease's TTL.

  KEYS[1] lease key                outbox-lease:{pN}

  ARGV[1] owner: the relay instance id

  Returns {1} if the lease was released, {0} if ARGV[1] did not hold it.
]]
local rcall = redis.call
if rcall('GET', KEYS[1]) == ARGV[1] then
  rcall('DEL', KEYS[1])
  return {1}
end
return {0}
