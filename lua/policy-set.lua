--[[
  policy-set: a wallet's own withdrawal policy, each field overriding the deployment's; an empty value
  leaves that field to the deployment.

  KEYS[1] wallet hash              wallet:{pN}:<userId>
  KEYS[2] the wallet's policy      policy:{pN}:<userId>   (hash: autoApproveMax, dailyLimit, dailyCount)

  ARGV[1] autoApproveMax, "" for the deployment's
  ARGV[2] dailyLimit, "" for the deployment's
  ARGV[3] dailyCount, "" for the deployment's

  Returns {0}; {-1} wallet not found. The wallet's "policy" field says it has one of its own, so withdraw.lua
  reads the policy only of wallets that have one.
]]
local rcall = redis.call
if rcall('EXISTS', KEYS[1]) == 0 then return {-1} end
rcall('DEL', KEYS[2])
local own = false
for i, name in ipairs({'autoApproveMax', 'dailyLimit', 'dailyCount'}) do
  if ARGV[i] ~= '' then
    rcall('HSET', KEYS[2], name, ARGV[i])
    own = true
  end
end
if own then rcall('HSET', KEYS[1], 'policy', '1') else rcall('HDEL', KEYS[1], 'policy') end
return {0}
