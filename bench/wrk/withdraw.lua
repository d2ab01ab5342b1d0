-- Each user asks for a withdrawal of 1 from their own wallet, over the 1,000 users; with
-- BENCH_IDEMPOTENCY=1 each request carries an Idempotency-Key of its own, as a payout client's would.
dofile(os.getenv("BENCH_HOME") .. "/wrk/_tokens.lua")
local users = read_user_tokens()
local keyed = os.getenv("BENCH_IDEMPOTENCY") == "1"
-- setup runs once per wrk thread in wrk's own Lua state and gives each thread its number.
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end
local run = tostring(os.time())
counter = 0
request = function()
    counter = counter + 1
    local user = users[counter % #users + 1]
    local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. user[2]}
    if keyed then
        headers["Idempotency-Key"] = run .. "-" .. tid .. "-" .. counter
    end
    return wrk.format("POST", "/api/v1/wallets/" .. user[1] .. "/withdrawals", headers, '{"amount":1}')
end
