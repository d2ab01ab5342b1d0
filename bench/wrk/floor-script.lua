-- The floor POST plus one EVALSHA of a two-HINCRBY script, over 1,000 user ids.
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", "/floor/wallets/bench-" .. (counter % 1000) .. "/scripted-credits",
        {["Content-Type"] = "application/json"}, '{"amount":100}')
end
