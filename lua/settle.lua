--[[
  settle: approve or reject a PENDING withdrawal, exactly once whatever races. Approved, the reserved
  amount leaves the wallet for good (pending down, totalWithdrawn up); rejected, it goes back to the
  balance (pending down, balance up). A withdrawal left PENDING past wallet.withdrawal.pending-timeout
  expires as a rejection: then ARGV[10] is the latest request time that has expired, checked here, and
  the withdrawal joins the EXPIRED queue too.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] withdrawal hash          withdrawal:{pN}:<userId>:<withdrawalId>
  KEYS[3] pending index            withdrawals:{pN}:<userId>:PENDING
  KEYS[4] outcome's index          withdrawals:{pN}:<userId>:APPROVED or :REJECTED
  KEYS[5] ledger stream            ledger:{pN}:<userId>
  KEYS[6] outbox stream            outbox:{pN}
  KEYS[7] partition's PENDING queue     withdrawal-queue:{pN}:PENDING   (sorted set, "<withdrawalId>:<userId>")
  KEYS[8] partition's outcome queue     withdrawal-queue:{pN}:APPROVED or :REJECTED
  KEYS[9] partition's EXPIRED queue     withdrawal-queue:{pN}:EXPIRED   (written only by an expiry)
  KEYS[10] the wallet's window     withdrawal-window:{pN}:<userId>   (a rejection gives its allowance back)
  KEYS[11] the wallet's alerts     alerts:{pN}:<userId>
  KEYS[12] idempotency record      idem:{pN}:<userId>:<approve|reject>:<sha256(key)>   (optional)

  ARGV[1] userId
  ARGV[2] withdrawalId
  ARGV[3] eventId (UUIDv7)
  ARGV[4] now, epoch milliseconds
  ARGV[5] request fingerprint, "" without an idempotency key
  ARGV[6] idempotency record TTL, seconds
  ARGV[7] change notification channel
  ARGV[8] outcome: APPROVED or REJECTED
  ARGV[9] reason of a rejection, "" for none
  ARGV[10] expiry: "" unless this is an expiry; then epoch milliseconds, the latest requestedAt that has
           expired (a withdrawal requested later is refused with -7 and left alone)
  ARGV[11] trace parent: the W3C traceparent of the request, "" for none, kept with the event (_common.lua)
  ARGV[12] actor: who asked for the change, recorded in the ledger and the event (_common.lua)

  Returns {code, replayed, balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt,
           withdrawalId, amount, status, requestedAt, processedAt, reason}
   code  0 settled as ARGV[8]
        -1 the withdrawal's wallet is missing, which only a damaged store can show (only {code, 0})
        -4 withdrawal not found (only {code, 0})
        -5 withdrawal not PENDING: {code, 0, current status}
        -6 idempotency key reused with another request (only {code, 0})
        -7 an expiry of a withdrawal not old enough yet (only {code, 0})
  A repeat of a recorded request returns the recorded result with replayed = 1 and changes nothing.
  Loaded after _common.lua, which provides rcall, recorded, remember, queued and announce.
]]
local walletKey, withdrawalKey, pendingIndexKey, outcomeIndexKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ledgerKey, outboxKey, pendingQueueKey, outcomeQueueKey, expiredQueueKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local windowKey, alertsKey, idemKey = KEYS[10], KEYS[11], KEYS[12]
local userId = ARGV[1]
local withdrawalId = ARGV[2]
local eventId = ARGV[3]
local now = tonumber(ARGV[4])
local fingerprint = ARGV[5]
local idemTtl = tonumber(ARGV[6])
local channel = ARGV[7]
local outcome = ARGV[8]
local approved = outcome == 'APPROVED'
local reason = ARGV[9]
local expiredBefore = tonumber(ARGV[10])

local replay = recorded(idemKey, fingerprint)
if replay then return replay end

local function finish(result)
  return remember(idemKey, fingerprint, idemTtl, result)
end

local wd = rcall('HMGET', withdrawalKey, 'status', 'amount', 'requestedAt', 'windowed')
if not wd[1] then return finish({-4, 0}) end
if wd[1] ~= 'PENDING' then return finish({-5, 0, wd[1]}) end
if expiredBefore and not (tonumber(wd[3]) and tonumber(wd[3]) <= expiredBefore) then return finish({-7, 0}) end
if rcall('EXISTS', walletKey) == 0 then return finish({-1, 0}) end
local amount = tonumber(wd[2])

local pending = rcall('HINCRBY', walletKey, 'pending', -amount)
rcall('HINCRBY', walletKey, approved and 'totalWithdrawn' or 'balance', amount)
local version = rcall('HINCRBY', walletKey, 'version', 1)
local w = rcall('HMGET', walletKey, 'balance', 'totalEarnings', 'totalWithdrawn', 'createdAt', 'ledgerHead', 'alerts')
local balance, earnings, withdrawn, createdAt = tonumber(w[1]), tonumber(w[2]), tonumber(w[3]), tonumber(w[4])

rcall('HSET', withdrawalKey, 'status', outcome, 'processedAt', now, 'reason', reason)
rcall('ZREM', pendingIndexKey, withdrawalId)
rcall('ZADD', outcomeIndexKey, 0, withdrawalId)
local member = queued(withdrawalId, userId)
rcall('ZREM', pendingQueueKey, member)
rcall('ZADD', outcomeQueueKey, 0, member)
if expiredBefore then rcall('ZADD', expiredQueueKey, 0, member) end
if not approved and wd[4] == '1' and rcall('ZREM', windowKey, withdrawalId .. ':' .. wd[2]) == 1 then
  rcall('HINCRBY', walletKey, 'windowAmount', -amount)
end

local kind = 'WITHDRAWAL_' .. outcome
local change = {eventId = eventId, head = w[5], alerts = w[6], ledgerType = kind, eventType = kind,
  userId = userId, amount = amount, withdrawalId = withdrawalId, reference = '', balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now}
announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, change)

return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now,
  withdrawalId, amount, outcome, tonumber(wd[3]), now, reason})
