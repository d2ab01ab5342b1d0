--[[
  credit: add earnings to a wallet, creating it on first credit.

  KEYS[1] wallet hash             wallet:{pN}:<userId>
  KEYS[2] ledger stream           ledger:{pN}:<userId>
  KEYS[3] outbox stream           outbox:{pN}
  KEYS[4] the wallet's alerts     alerts:{pN}:<userId>
  KEYS[5] idempotency record      idem:{pN}:<userId>:credit:<sha256(key)>   (optional)

  ARGV[1] userId
  ARGV[2] amount, integer minor units, 1 .. max-amount (checked by the caller)
  ARGV[3] reference, "" for none
  ARGV[4] eventId (UUIDv7): the ledger entry id and the Kafka event id
  ARGV[5] now, epoch milliseconds
  ARGV[6] request fingerprint, "" without an idempotency key
  ARGV[7] idempotency record TTL, seconds
  ARGV[8] largest value a money field may reach (2^53 - 1: Lua numbers are doubles)
  ARGV[9] change notification channel
  ARGV[10] trace parent: the W3C traceparent of the request, "" for none, kept with the event (_common.lua)
  ARGV[11] actor: who asked for the change, recorded in the ledger and the event (_common.lua)

  Returns {code, replayed, balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt}
   code  0 credited
        -3 limit exceeded: balance or totalEarnings would pass ARGV[8]; wallet fields as they are, nothing changed
        -6 idempotency key reused with another request (only {code, 0})
  A repeat of a recorded request returns the recorded result with replayed = 1 and changes nothing.
  Loaded after _common.lua, which provides rcall, recorded, remember and announce.
]]
local walletKey, ledgerKey, outboxKey, alertsKey, idemKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local userId = ARGV[1]
local amount = tonumber(ARGV[2])
local reference = ARGV[3]
local eventId = ARGV[4]
local now = tonumber(ARGV[5])
local fingerprint = ARGV[6]
local idemTtl = tonumber(ARGV[7])
local maxValue = tonumber(ARGV[8])
local channel = ARGV[9]

local replay = recorded(idemKey, fingerprint)
if replay then return replay end

local function finish(result)
  return remember(idemKey, fingerprint, idemTtl, result)
end

local w = rcall('HMGET', walletKey, 'balance', 'pending', 'totalEarnings', 'totalWithdrawn', 'version', 'createdAt',
  'updatedAt', 'ledgerHead', 'alerts')
local balance = tonumber(w[1]) or 0
local pending = tonumber(w[2]) or 0
local earnings = tonumber(w[3]) or 0
local withdrawn = tonumber(w[4]) or 0

-- Compare against maxValue - amount so no intermediate sum can round past 2^53.
if balance > maxValue - amount or earnings > maxValue - amount then
  return finish({-3, 0, balance, pending, earnings, withdrawn,
    tonumber(w[5]) or 0, tonumber(w[6]) or 0, tonumber(w[7]) or 0})
end

-- A wallet exists once it has a version, as withdraw.lua sees it.
local createdAt = tonumber(w[6])
if not w[5] then
  createdAt = now
  rcall('HSET', walletKey, 'createdAt', now, 'pending', 0, 'totalWithdrawn', 0)
end
balance = rcall('HINCRBY', walletKey, 'balance', amount)
earnings = rcall('HINCRBY', walletKey, 'totalEarnings', amount)
local version = rcall('HINCRBY', walletKey, 'version', 1)

local change = {eventId = eventId, head = w[8], alerts = w[9],
  ledgerType = 'CREDIT', eventType = 'WALLET_CREDITED',
  userId = userId, amount = amount, withdrawalId = '', reference = reference, balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now}
announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, change)

return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now})
