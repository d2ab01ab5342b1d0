--[[
  alert-add: a balance alert on a wallet, armed unless the wallet is beyond its threshold already (then it
  fires only once a change has moved the field back and across again).

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] the wallet's alerts      alerts:{pN}:<userId>   (hash: alert id -> "<state>|<field>|<direction>|<threshold>|<name>")

  ARGV[1] alert id (UUIDv7)
  ARGV[2] field: balance or pending
  ARGV[3] direction: above or below
  ARGV[4] threshold, integer minor units
  ARGV[5] name
  ARGV[6] most alerts a wallet may hold

  Returns {0, state} (armed or fired); {-1} wallet not found; {-9} the wallet holds the most alerts already.
  The wallet's "alerts" field counts them, so a money script reads the alerts only of wallets that have some.
]]
local rcall = redis.call
local w = rcall('HMGET', KEYS[1], 'version', 'balance', 'pending', 'alerts')
if not w[1] then return {-1} end
if (tonumber(w[4]) or 0) >= tonumber(ARGV[6]) then return {-9} end
local value = ARGV[2] == 'balance' and tonumber(w[2]) or tonumber(w[3])
local threshold = tonumber(ARGV[4])
local beyond = (ARGV[3] == 'above' and value > threshold) or (ARGV[3] == 'below' and value < threshold)
local state = beyond and 'fired' or 'armed'
rcall('HSET', KEYS[2], ARGV[1], state .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. ARGV[5])
rcall('HINCRBY', KEYS[1], 'alerts', 1)
return {0, state}
