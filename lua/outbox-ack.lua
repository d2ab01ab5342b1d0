--[[
  outbox-ack: remove outbox entries Kafka has acknowledged, only while still holding the lease, so a
  relay that lost its lease (paused past its TTL) cannot delete what the new owner is relaying.

  KEYS[1] lease key                outbox-lease:{pN}
  KEYS[2] outbox stream            outbox:{pN}

  ARGV[1] owner: the relay instance id
  ARGV[2..] stream ids of the acknowledged entries

  Returns {number of entries removed}, or {-1} if ARGV[1] no longer holds the lease (nothing removed).
]]
local rcall = redis.call
local leaseKey, outboxKey = KEYS[1], KEYS[2]
local owner = ARGV[1]

if rcall('GET', leaseKey) ~= owner then return {-1} end
return {rcall('XDEL', outboxKey, unpack(ARGV, 2))}
