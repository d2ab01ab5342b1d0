-- Credits of 100 as an earnings service, every one to the same wallet.
dofile(os.getenv("BENCH_HOME") .. "/wrk/_tokens.lua")
local auth = "Bearer " .. read_credit_token()
request = function()
    return wrk.format("POST", "/api/v1/wallets/bench-hot/credits",
        {["Content-Type"] = "application/json", ["Authorization"] = auth}, '{"amount":100}')
end
