-- POST {"amount":100} to the floor app, read into a record, over 1,000 user ids.
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", "/floor/wallets/bench-" .. (counter % 1000) .. "/credits",
        {["Content-Type"] = "application/json"}, '{"amount":100}')
end
