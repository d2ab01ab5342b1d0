-- GET of the floor app's constant wallet, over 1,000 user ids.
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", "/floor/wallets/bench-" .. (counter % 1000))
end
