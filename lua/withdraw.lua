--[[
  withdraw: reserve an amount of the balance for a new withdrawal, within the wallet's withdrawal policy;
  approved at once if the policy says so, else PENDING for an operator.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] withdrawal hash          withdrawal:{pN}:<userId>:<withdrawalId>
  KEYS[3] all withdrawals index    withdrawals:{pN}:<userId>           (sorted set, ids by lex order)
  KEYS[4] pending index            withdrawals:{pN}:<userId>:PENDING
  KEYS[5] ledger stream            ledger:{pN}:<userId>
  KEYS[6] outbox stream            outbox:{pN}
  KEYS[7] partition's PENDING queue  withdrawal-queue:{pN}:PENDING  (sorted set, "<withdrawalId>:<userId>" by lex order)
  KEYS[8] approved index           withdrawals:{pN}:<userId>:APPROVED
  KEYS[9] partition's APPROVED queue withdrawal-queue:{pN}:APPROVED
  KEYS[10] the wallet's policy     policy:{pN}:<userId>        (hash: autoApproveMax, dailyLimit, dailyCount)
  KEYS[11] the wallet's window     withdrawal-window:{pN}:<userId>   (sorted set, "<withdrawalId>:<amount>" by request
                                   time; their sum is the wallet's windowAmount field)
  KEYS[12] the wallet's alerts     alerts:{pN}:<userId>
  KEYS[13] idempotency record      idem:{pN}:<userId>:withdraw:<sha256(key)>   (optional)

  ARGV[1] userId
  ARGV[2] amount, integer minor units, 1 .. max-amount (checked by the caller)
  ARGV[3] withdrawalId (UUIDv7)
  ARGV[4] eventId (UUIDv7) of the request
  ARGV[5] now, epoch milliseconds
  ARGV[6] request fingerprint, "" without an idempotency key
  ARGV[7] idempotency record TTL, seconds
  ARGV[8] change notification channel
  ARGV[9] the deployment's autoApproveMax, "" for none
  ARGV[10] the deployment's dailyLimit (amount requested in 24 h), "" for none
  ARGV[11] the deployment's dailyCount (withdrawals requested in 24 h), "" for none
  ARGV[12] eventId (UUIDv7) of an approval by the policy
  ARGV[13] the actor of an approval by the policy
  ARGV[14] trace parent: the W3C traceparent of the request, "" for none, kept with the event (_common.lua)
  ARGV[15] actor: who asked for the change, recorded in the ledger and the event (_common.lua)

  The wallet's policy (a field of its own, when its "policy" field is set) overrides the deployment's.
  The limits count the withdrawals requested in the last 24 hours that were not rejected (a rejection
  or an expiry takes its withdrawal out of the window, settle.lua), and this one. Only withdrawals
  requested while a limit applied are in the window: a wallet without limits pays nothing for them.

  Returns {code, replayed, balance, pending, totalEarnings, totalWithdrawn, version, createdAt, updatedAt,
           withdrawalId, amount, status, requestedAt, processedAt, reason}
   code  0 withdrawal PENDING (amount moved from balance to pending), or APPROVED by the policy (two
           changes: requested, then approved; the wallet as the approval left it)
        -1 wallet not found (only {code, 0})
        -2 insufficient balance: wallet fields as they are, no withdrawal fields
        -6 idempotency key reused with another request (only {code, 0})
        -8 over the withdrawal limit: {code, 0, amount still allowed or "", withdrawals still allowed or ""}
  A repeat of a recorded request returns the recorded result with replayed = 1 and changes nothing.
  Loaded after _common.lua, which provides rcall, recorded, remember, queued and announce.
]]
local walletKey, withdrawalKey, allIndexKey, pendingIndexKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ledgerKey, outboxKey, pendingQueueKey, approvedIndexKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local approvedQueueKey, policyKey, windowKey, alertsKey, idemKey = KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local userId = ARGV[1]
local amount = tonumber(ARGV[2])
local withdrawalId = ARGV[3]
local eventId = ARGV[4]
local now = tonumber(ARGV[5])
local fingerprint = ARGV[6]
local idemTtl = tonumber(ARGV[7])
local channel = ARGV[8]
local autoApproveMax, dailyLimit, dailyCount = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local approvalEventId, approver = ARGV[12], ARGV[13]
local DAY = 86400000

local replay = recorded(idemKey, fingerprint)
if replay then return replay end

local function finish(result)
  return remember(idemKey, fingerprint, idemTtl, result)
end

local w = rcall('HMGET', walletKey, 'balance', 'pending', 'totalEarnings', 'totalWithdrawn', 'version', 'createdAt',
  'updatedAt', 'ledgerHead', 'alerts', 'policy', 'windowAmount')
if not w[5] then return finish({-1, 0}) end
local balance = tonumber(w[1])
local pending = tonumber(w[2])
local earnings = tonumber(w[3])
local withdrawn = tonumber(w[4])
local createdAt = tonumber(w[6])

if balance < amount then
  return finish({-2, 0, balance, pending, earnings, withdrawn, tonumber(w[5]), createdAt, tonumber(w[7])})
end

if w[10] then
  local own = rcall('HMGET', policyKey, 'autoApproveMax', 'dailyLimit', 'dailyCount')
  autoApproveMax = tonumber(own[1]) or autoApproveMax
  dailyLimit = tonumber(own[2]) or dailyLimit
  dailyCount = tonumber(own[3]) or dailyCount
end
local windowed = dailyLimit or dailyCount
if windowed then
  -- The window's total is kept in the wallet (windowAmount), so only what leaves the window is read.
  local requested = tonumber(w[11]) or 0
  local expired = rcall('ZRANGEBYSCORE', windowKey, '-inf', now - DAY)
  if #expired > 0 then
    for _, member in ipairs(expired) do
      requested = requested - tonumber(string.match(member, ':(%d+)$'))
    end
    rcall('ZREMRANGEBYSCORE', windowKey, '-inf', now - DAY)
    rcall('HSET', walletKey, 'windowAmount', requested)
  end
  local count = rcall('ZCARD', windowKey)
  if (dailyLimit and requested + amount > dailyLimit) or (dailyCount and count + 1 > dailyCount) then
    return finish({-8, 0, dailyLimit and string.format('%d', math.max(0, dailyLimit - requested)) or '',
      dailyCount and string.format('%d', math.max(0, dailyCount - count)) or ''})
  end
end

balance = rcall('HINCRBY', walletKey, 'balance', -amount)
pending = rcall('HINCRBY', walletKey, 'pending', amount)
local version = rcall('HINCRBY', walletKey, 'version', 1)

rcall('HSET', withdrawalKey, 'id', withdrawalId, 'userId', userId, 'amount', amount, 'status', 'PENDING',
  'requestedAt', now, 'processedAt', '', 'reason', '', 'windowed', windowed and '1' or '')
rcall('ZADD', allIndexKey, 0, withdrawalId)
if windowed then
  rcall('ZADD', windowKey, now, withdrawalId .. ':' .. string.format('%d', amount))
  rcall('HINCRBY', walletKey, 'windowAmount', amount)
end

local requested = {eventId = eventId, head = w[8], alerts = w[9],
  ledgerType = 'WITHDRAWAL_REQUESTED', eventType = 'WITHDRAWAL_REQUESTED',
  userId = userId, amount = amount, withdrawalId = withdrawalId, reference = '', balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now}
local head = announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, requested)

if not (autoApproveMax and amount <= autoApproveMax) then
  rcall('ZADD', pendingIndexKey, 0, withdrawalId)
  rcall('ZADD', pendingQueueKey, 0, queued(withdrawalId, userId))
  return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now,
    withdrawalId, amount, 'PENDING', now, '', ''})
end

-- Within the policy's approval limit: approved in the same step, by the policy.
pending = rcall('HINCRBY', walletKey, 'pending', -amount)
withdrawn = rcall('HINCRBY', walletKey, 'totalWithdrawn', amount)
version = rcall('HINCRBY', walletKey, 'version', 1)
rcall('HSET', withdrawalKey, 'status', 'APPROVED', 'processedAt', now)
rcall('ZADD', approvedIndexKey, 0, withdrawalId)
rcall('ZADD', approvedQueueKey, 0, queued(withdrawalId, userId))
local approved = {eventId = approvalEventId, head = head, alerts = w[9], actor = approver,
  ledgerType = 'WITHDRAWAL_APPROVED', eventType = 'WITHDRAWAL_APPROVED',
  userId = userId, amount = amount, withdrawalId = withdrawalId, reference = '', balance = balance,
  pending = pending, earnings = earnings, withdrawn = withdrawn, version = version,
  createdAt = createdAt, now = now}
announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, approved)

return finish({0, 0, balance, pending, earnings, withdrawn, version, createdAt, now,
  withdrawalId, amount, 'APPROVED', now, now, ''})
