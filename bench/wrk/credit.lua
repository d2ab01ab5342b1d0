-- Credits of 100 as an earnings service, spread over the 1,000 wallets bench-0 .. bench-999.
dofile(os.getenv("BENCH_HOME") .. "/wrk/_tokens.lua")
local auth = "Bearer " .. read_credit_token()
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", "/api/v1/wallets/bench-" .. (counter % 1000) .. "/credits",
        {["Content-Type"] = "application/json", ["Authorization"] = auth}, '{"amount":100}')
end
