--[[
  _common: helpers of the money scripts, prepended to each of them when it is loaded (LuaScript.load).
  Not a script of its own: it reads no KEYS and changes nothing.

  The last two arguments of every money script are the W3C traceparent of the request that made the
  change ("" for none), kept with the event only, and the actor, who asked for the change (a token's
  subject or client id), recorded in the ledger entry and the event.

  reply(result)
    The result as Redis may send it: a field missing from a damaged hash (nil) becomes false (a nil
    reply), since Redis would end the reply at the first nil.
  recorded(idemKey, fingerprint)
    The result recorded under an idempotency key, marked replayed ({.., replayed = 1, ..}); {-6, 0} if
    the key was recorded with another request; nil without a key or a record.
  remember(idemKey, fingerprint, ttl, result)
    Records result under the key (if any) for ttl seconds, and returns it. cmsgpack keeps integers exact
    up to 2^53 - 1, where tostring or cjson would round them.
  queued(withdrawalId, userId)
    A withdrawal's member in its partition's queues: the id first, so lex order is age order.
  announce(ledgerKey, outboxKey, channel, change)
    Appends the change, with its actor, to the wallet's ledger and (with its trace parent too) to the
    partition's outbox, and publishes the new wallet state on the change channel as
    "userId version balance pending totalEarnings totalWithdrawn createdAt updatedAt".
]]
local rcall = redis.call
local traceParent = ARGV[#ARGV - 1]
local actor = ARGV[#ARGV]

local function reply(result)
  for i = 1, table.maxn(result) do
    if result[i] == nil then result[i] = false end
  end
  return result
end

local function recorded(idemKey, fingerprint)
  if not idemKey then return nil end
  local record = rcall('HMGET', idemKey, 'fingerprint', 'result')
  if not record[1] then return nil end
  if record[1] ~= fingerprint then return {-6, 0} end
  local result = cmsgpack.unpack(record[2])
  result[2] = 1
  return reply(result)
end

local function remember(idemKey, fingerprint, ttl, result)
  if idemKey then
    rcall('HSET', idemKey, 'fingerprint', fingerprint, 'result', cmsgpack.pack(result))
    rcall('EXPIRE', idemKey, ttl)
  end
  return reply(result)
end

local function queued(withdrawalId, userId)
  return withdrawalId .. ':' .. userId
end

local function announce(ledgerKey, outboxKey, channel, c)
  rcall('XADD', ledgerKey, '*', 'id', c.eventId, 'type', c.ledgerType, 'amount', c.amount,
    'withdrawalId', c.withdrawalId, 'reference', c.reference, 'balanceAfter', c.balance,
    'pendingAfter', c.pending, 'version', c.version, 'at', c.now, 'actor', actor)
  rcall('XADD', outboxKey, '*', 'eventId', c.eventId, 'type', c.eventType, 'userId', c.userId,
    'amount', c.amount, 'withdrawalId', c.withdrawalId, 'walletVersion', c.version, 'balance', c.balance,
    'pending', c.pending, 'totalEarnings', c.earnings, 'totalWithdrawn', c.withdrawn, 'occurredAt', c.now,
    'actor', actor, 'traceparent', traceParent)
  rcall('PUBLISH', channel, string.format('%s %d %d %d %d %d %d %d', c.userId, c.version, c.balance,
    c.pending, c.earnings, c.withdrawn, c.createdAt, c.now))
end
