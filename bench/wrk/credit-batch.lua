-- Batches of BENCH_BATCH credits of 100 (default 1,000) as an earnings run, over the 1,000 wallets
-- bench-0 .. bench-999, each credit with an Idempotency-Key of its own, as POST /api/v1/credits:batch takes.
dofile(os.getenv("BENCH_HOME") .. "/wrk/_tokens.lua")
local auth = "Bearer " .. read_credit_token()
local size = tonumber(os.getenv("BENCH_BATCH") or "1000")
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
    local items = {}
    for i = 1, size do
        items[i] = string.format('{"userId":"bench-%d","amount":100,"idempotencyKey":"%s-%s-%d-%d"}',
            (counter * size + i) % 1000, run, tid, counter, i)
    end
    return wrk.format("POST", "/api/v1/credits:batch",
        {["Content-Type"] = "application/json", ["Authorization"] = auth}, '{"items":[' .. table.concat(items, ",") .. ']}')
end
