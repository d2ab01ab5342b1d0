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
  announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, change)
    Returns the entry's hash, the new chain head. Appends the change, with its actor, to the wallet's
    ledger, chained to the entry before it (below), and (with its trace parent too) to the partition's
    outbox; sets the wallet's updatedAt and chain head (ledgerHead); publishes the new wallet state on
    the change channel as "userId version balance pending totalEarnings totalWithdrawn createdAt
    updatedAt"; then decides the wallet's alerts in the light of the change (alerted, below).

  Notices are published with SPUBLISH where Redis has it (7.0 and later, which also brought
  redis.REDIS_VERSION_NUM): on a cluster a sharded notice travels only within its shard, where PUBLISH
  is copied to every node. The channel carries the partition's hash tag, so it is in the keys' slot.
  WalletChanges subscribes the same way (SSUBSCRIBE or SUBSCRIBE), deciding by the same test.

  alerted (part of announce)
    Where the wallet has alerts (its "alerts" field counts them), decides each in the light of the
    change: an armed alert whose field the change moved beyond its threshold fires (an outbox event
    BALANCE_ALERT after the change's own, and a notice "!userId version ... alertId field direction
    threshold name" for the streams) and is fired until a later change moves the field back, which
    re-arms it. An alert is stored as "<state>|<field>|<above|below>|<threshold>|<name>".

  The ledger chain: each entry carries previousHash (the wallet's ledgerHead before it, 40 zeros for
  the first chained entry) and hash = SHA-1 in hex of previousHash followed by the entry's fields in this
  order, each as <length in bytes>:<value>: id, type, amount, withdrawalId, reference, balanceAfter,
  pendingAfter, version, at, actor (numbers in decimal, absent values as ""). LedgerChain in Java
  recomputes it the same way.
]]
local rcall = redis.call
local notify = redis.REDIS_VERSION_NUM and 'SPUBLISH' or 'PUBLISH'
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

local NO_HASH = string.rep('0', 40)

local function field(value)
  return #value .. ':' .. value
end

local function alerted(alertsKey, outboxKey, channel, c)
  if not c.alerts or (tonumber(c.alerts) or 0) < 1 then return end
  local all = rcall('HGETALL', alertsKey)
  for i = 1, #all, 2 do
    local id = all[i]
    local state, what, direction, threshold, name = string.match(all[i + 1], '^(%a+)|(%a+)|(%a+)|(%d+)|(.*)$')
    local value = what == 'balance' and c.balance or c.pending
    local limit = tonumber(threshold)
    local beyond = (direction == 'above' and value > limit) or (direction == 'below' and value < limit)
    local rest = '|' .. what .. '|' .. direction .. '|' .. threshold .. '|' .. name
    if state == 'armed' and beyond then
      rcall('HSET', alertsKey, id, 'fired' .. rest)
      -- Its own event id, in the change's millisecond: the change's id with another random part.
      local eventId = string.sub(c.eventId, 1, 24) .. string.sub(redis.sha1hex(c.eventId .. id), 1, 12)
      rcall('XADD', outboxKey, '*', 'eventId', eventId, 'type', 'BALANCE_ALERT', 'userId', c.userId,
        'amount', string.format('%d', c.amount), 'withdrawalId', c.withdrawalId, 'walletVersion', string.format('%d', c.version),
        'balance', string.format('%d', c.balance), 'pending', string.format('%d', c.pending), 'totalEarnings', c.earnings,
        'totalWithdrawn', c.withdrawn, 'occurredAt', string.format('%d', c.now), 'actor', c.actor or actor,
        'traceparent', traceParent, 'hash', c.hash, 'alertId', id, 'alertName', name, 'alertField', what, 'alertDirection', direction,
        'alertThreshold', threshold)
      rcall(notify, channel, string.format('!%s %d %d %d %d %d %d %d %s %s %s %s %s', c.userId, c.version, c.balance,
        c.pending, c.earnings, c.withdrawn, c.createdAt, c.now, id, what, direction, threshold, name))
    elseif state == 'fired' and not beyond then
      rcall('HSET', alertsKey, id, 'armed' .. rest)
    end
  end
end

local function announce(walletKey, ledgerKey, outboxKey, alertsKey, channel, c)
  local by = c.actor or actor
  local previous = c.head or NO_HASH
  local amount, balance, pending = string.format('%d', c.amount), string.format('%d', c.balance), string.format('%d', c.pending)
  local version, at = string.format('%d', c.version), string.format('%d', c.now)
  local hash = redis.sha1hex(previous .. field(c.eventId) .. field(c.ledgerType) .. field(amount)
    .. field(c.withdrawalId) .. field(c.reference) .. field(balance) .. field(pending) .. field(version)
    .. field(at) .. field(by))
  rcall('XADD', ledgerKey, '*', 'id', c.eventId, 'type', c.ledgerType, 'amount', amount,
    'withdrawalId', c.withdrawalId, 'reference', c.reference, 'balanceAfter', balance,
    'pendingAfter', pending, 'version', version, 'at', at, 'actor', by, 'previousHash', previous, 'hash', hash)
  rcall('HSET', walletKey, 'updatedAt', at, 'ledgerHead', hash)
  c.hash = hash
  rcall('XADD', outboxKey, '*', 'eventId', c.eventId, 'type', c.eventType, 'userId', c.userId,
    'amount', amount, 'withdrawalId', c.withdrawalId, 'walletVersion', version, 'balance', balance,
    'pending', pending, 'totalEarnings', c.earnings, 'totalWithdrawn', c.withdrawn, 'occurredAt', at,
    'actor', by, 'traceparent', traceParent, 'hash', hash)
  rcall(notify, channel, string.format('%s %d %d %d %d %d %d %d', c.userId, c.version, c.balance,
    c.pending, c.earnings, c.withdrawn, c.createdAt, c.now))
  alerted(alertsKey, outboxKey, channel, c)
  return hash
end
