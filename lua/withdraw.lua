--[[
  withdraw: reserve an amount of the balance for a new PENDING withdrawal.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] withdrawal hash          withdrawal:{pN}:<userId>:<withdrawalId>
  KEYS[3] all withdrawals index    withdrawals:{pN}:<userId>           (sorted set, ids by lex order)
  KEYS[4] pending index            withdrawals:{pN}:<userId>:PENDING
  KEYS[5] ledger stream            ledger:{pN}:<userId>
  KEYS[6] outbox stream            outbox:{pN}
  KEYS[7] partition's PENDING queue  withdrawal-queue:{pN}:PENDING  (sorted set, "<withdrawalId>:<userId>" by lex order)
  KEYS[8] idempotency record       idem:{pN}:<userId>:withdraw:<sha256(key)>   (optional)

  ARGV[1] userId
  ARGV[2] amount, integer minor units, 1 .. max-amount (checked by the caller)
  ARGV[3] withdrawalId (UUIDv7)
  ARGV[4] eventId (UUIDv7)
  ARGV[5] now, epoch milliseconds
  ARGV[6] request fingerprint, "" without an idempotency key
  ARGV[7] idempotency record TTL, seconds
  ARGV[8] change notification channel
  ARGV[9] trace parent: the W3C traceparent of the request, "" for none, kept with the event (_common.lua)
  ARGV[10] actor: who asked for the change, recorded in the ledger and the event (_common.lua)

  Returns {code, replayed, balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt,
           withdrawalId, amount, status, requestedAt, processedAt, reason}
   code  0 withdrawal PENDING, amount moved from balance to pending
        -1 wallet not found (only {code, 0})
        -2 insufficient balance: wallet fields as they are, no withdrawal fields
        -6 idempotency key reused with another request (only {code, 0})
  A repeat of a recorded request returns the recorded result with replayed = 1 and changes nothing.
  Loaded after _common.lua, which provides rcall, recorded, remember, queued and announce.
]]
local walletKey, withdrawalKey, allIndexKey, pendingIndexKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ledgerKey, outboxKey, pendingQueueKey, idemKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local userId = ARGV[1]
local amount = tonumber(ARGV[2])
local withdrawalId = ARGV[3]
local eventId = ARGV[4]
local now = tonumber(ARGV[5])
local fingerprint = ARGV[6]
local idemTtl = tonumber(ARGV[7])
local channel = ARGV[8]

local replay = recorded(idemKey, fingerprint)
if replay then return replay end

local function finish(result)
  return remember(idemKey, fingerprint, idemTtl, result)
end

local w = rcall('HMGET', walletKey, 'balance', 'pending', 'totalEarnings', 'totalWithdrawn', 'version', 'createdAt', 'updatedAt')
if not w[5] then return finish({-1, 0}) end
local balance = tonumber(w[1])
local pending = tonumber(w[2])
local earnings = tonumber(w[3])
local withdrawn = tonumber(w[4])
local createdAt = tonumber(w[6])

if balance < amount then
  return finish({-2, 0, balance, pending, earnings, withdrawn, tonumber(w[5]), createdAt, tonumber(w[7])})
end

balance = rcall('HINCRBY', walletKey, 'balance', -amount)
pending = rcall('HINCRBY', walletKey, 'pending', amount)
local version = rcall('HINCRBY', walletKey, 'version', 1)
rcall('HSET', walletKey, 'updatedAt', now)

rcall('HSET', withdrawalKey, 'id', withdrawalId, 'userId', userId, 'amount', amount, 'status', 'PENDING',
  'requestedAt', now, 'processedAt', '', 'reason', '')
rcall('ZADD', allIndexKey, 0, withdrawalId)
rcall('ZADD', pendingIndexKey, 0, withdrawalId)
rcall('ZADD', pendingQueueKey, 0, queued(withdrawalId, userId))

announce(ledgerKey, outboxKey, channel, {eventId = eventId,
  ledgerType = 'WITHDRAWAL_REQUESTED', eventType = 'WITHDRAWAL_REQUESTED',
  userId = userId, amount = amount, withdrawalId = withdrawalId, reference = '', balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now})

return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now,
  withdrawalId, amount, 'PENDING', now, '', ''})
