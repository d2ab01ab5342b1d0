-- Each user reads their own wallet, over the 1,000 users.
dofile(os.getenv("BENCH_HOME") .. "/wrk/_tokens.lua")
local users = read_user_tokens()
counter = 0
request = function()
    counter = counter + 1
    local user = users[counter % #users + 1]
    return wrk.format("GET", "/api/v1/wallets/" .. user[1], {["Authorization"] = "Bearer " .. user[2]})
end
