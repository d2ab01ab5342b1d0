-- Shared by the service's scripts: BENCH_WORK is the run's folder with the tokens Tokens.java signed.
local work = os.getenv("BENCH_WORK")

function read_credit_token()
    local file = assert(io.open(work .. "/credit.token"))
    local token = file:read("*l")
    file:close()
    return token
end

-- {userId, token} pairs, one per line of users.tokens.
function read_user_tokens()
    local users = {}
    for line in io.lines(work .. "/users.tokens") do
        local user, token = line:match("^(%S+) (%S+)$")
        users[#users + 1] = {user, token}
    end
    return users
end
