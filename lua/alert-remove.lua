--[[
  alert-remove: takes a balance alert off a wallet.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] the wallet's alerts      alerts:{pN}:<userId>

  ARGV[1] alert id

  Returns {1} if the alert was there, {0} if not.
]]
local rcall = redis.call
if rcall('HDEL', KEYS[2], ARGV[1]) == 0 then return {0} end
rcall('HINCRBY', KEYS[1], 'alerts', -1)
return {1}
