--[[
  approve: settle a PENDING withdrawal; the reserved amount leaves the wallet for good.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] withdrawal hash          withdrawal:{pN}:<userId>:<withdrawalId>
  KEYS[3] pending index            withdrawals:{pN}:<userId>:PENDING
  KEYS[4] approved index           withdrawals:{pN}:<userId>:APPROVED
  KEYS[5] ledger stream            ledger:{pN}:<userId>
  KEYS[6] outbox stream            outbox:{pN}
  KEYS[7] partition's PENDING queue   withdrawal-queue:{pN}:PENDING   (sorted set, "<withdrawalId>:<userId>")
  KEYS[8] partition's APPROVED queue  withdrawal-queue:{pN}:APPROVED
  KEYS[9] idempotency record       idem:{pN}:<userId>:approve:<sha256(key)>   (optional)

  ARGV[1] userId
  ARGV[2] withdrawalId
  ARGV[3] eventId (UUIDv7)
  ARGV[4] now, epoch milliseconds
  ARGV[5] request fingerprint, "" without an idempotency key
  ARGV[6] idempotency record TTL, seconds
  ARGV[7] change notification channel
  ARGV[8] trace parent: the W3C traceparent of the request, "" for none, kept with the event (_common.lua)
  ARGV[9] actor: who asked for the change, recorded in the ledger and the event (_common.lua)
  ARGV[10] reply token, echoed as the last element of every reply (_common.lua)

  Returns {code, replayed, balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt,
           withdrawalId, amount, status, requestedAt, processedAt, reason}
   code  0 APPROVED: pending down, totalWithdrawn up
        -1 the withdrawal's wallet is missing, which only a damaged store can show (only {code, 0})
        -4 withdrawal not found (only {code, 0})
        -5 withdrawal not PENDING: {code, 0, current status}
  On -4 and -5 the withdrawal's entry in the PENDING queue, if one was left behind, is removed.
        -6 idempotency key reused with another request (only {code, 0})
  A repeat of a recorded request returns the recorded result with replayed = 1 and changes nothing.
  Loaded after _common.lua, which provides rcall, recorded, remember and announce.
]]
local walletKey, withdrawalKey, pendingIndexKey, approvedIndexKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ledgerKey, outboxKey, pendingQueueKey, approvedQueueKey, idemKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local userId = ARGV[1]
local withdrawalId = ARGV[2]
local eventId = ARGV[3]
local now = tonumber(ARGV[4])
local fingerprint = ARGV[5]
local idemTtl = tonumber(ARGV[6])
local channel = ARGV[7]

local replay = recorded(idemKey, fingerprint)
if replay then return replay end

local function finish(result)
  return remember(idemKey, fingerprint, idemTtl, result)
end

local wd = rcall('HMGET', withdrawalKey, 'status', 'amount', 'requestedAt')
if not wd[1] or wd[1] ~= 'PENDING' then
  -- A queue entry left behind (an instance of an earlier version settled it) goes; nothing else changes.
  rcall('ZREM', pendingQueueKey, withdrawalId .. ':' .. userId)
  if not wd[1] then return finish({-4, 0}) end
  return finish({-5, 0, wd[1]})
end
if rcall('EXISTS', walletKey) == 0 then return finish({-1, 0}) end
local amount = tonumber(wd[2])

local pending = rcall('HINCRBY', walletKey, 'pending', -amount)
local withdrawn = rcall('HINCRBY', walletKey, 'totalWithdrawn', amount)
local version = rcall('HINCRBY', walletKey, 'version', 1)
rcall('HSET', walletKey, 'updatedAt', now)
local w = rcall('HMGET', walletKey, 'balance', 'totalEarnings', 'createdAt')
local balance, earnings, createdAt = tonumber(w[1]), tonumber(w[2]), tonumber(w[3])

rcall('HSET', withdrawalKey, 'status', 'APPROVED', 'processedAt', now)
rcall('ZREM', pendingIndexKey, withdrawalId)
rcall('ZADD', approvedIndexKey, 0, withdrawalId)
rcall('ZREM', pendingQueueKey, withdrawalId .. ':' .. userId)
rcall('ZADD', approvedQueueKey, 0, withdrawalId .. ':' .. userId)

announce(ledgerKey, outboxKey, channel, {eventId = eventId,
  ledgerType = 'WITHDRAWAL_APPROVED', eventType = 'WITHDRAWAL_APPROVED',
  userId = userId, amount = amount, withdrawalId = withdrawalId, reference = '', balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now})

return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now,
  withdrawalId, amount, 'APPROVED', tonumber(wd[3]), now, ''})
