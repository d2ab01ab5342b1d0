#!/usr/bin/env bash
# What bearer-token validation costs a credit: the service jar in production mode (java -jar, full JIT)
# on a Redis it starts (Debian's redis-server, AOF everysec), driven by wrk with the same load twice
# over, alternately with authentication on (RS256 tokens, a public key) and off. Prints req/s and p99
# of each round and the ratio. Everything on 127.0.0.1; the relay is off in both (no Kafka needed).
#
#   bench/jwt-cost.sh                 # 2 rounds of 20 s per mode, 64 connections
#   ROUNDS=3 SECONDS_PER_ROUND=30 CONNECTIONS=32 bench/jwt-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-2}"
seconds="${SECONDS_PER_ROUND:-20}"
connections="${CONNECTIONS:-64}"
redis_port=6391
port=18181

if ! command -v wrk >/dev/null || ! command -v redis-server >/dev/null; then
    apt-get update -q >/dev/null && apt-get install -y -q wrk redis-server >/dev/null
fi
jar=$(ls target/wallet-service-*.jar 2>/dev/null | head -1 || true)
if [ -z "$jar" ]; then
    ./mvnw -B -q -DskipTests package
    jar=$(ls target/wallet-service-*.jar | head -1)
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
    --save '' --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)

# An RS256 key pair and a token signed with it: sub "bench", scope wallet:credit, audience wallet-service.
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
openssl rsa -in "$work/key.pem" -pubout -out "$work/public.pem" 2>/dev/null
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"bench","scope":"wallet:credit","aud":"wallet-service","iat":%d,"exp":%d}' \
    "$(date +%s)" "$(( $(date +%s) + 7200 ))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)
token="$header.$payload.$signature"

cat >"$work/credit.lua" <<LUA
counter = 0
request = function()
    counter = counter + 1
    local path = "/api/v1/wallets/bench-" .. (counter % 1000) .. "/credits"
    return wrk.format("POST", path, {["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $token"}, '{"amount": 1}')
end
LUA

start_service() {
    java -jar "$jar" --server.port="$port" --spring.data.redis.port="$redis_port" \
        --wallet.outbox.relay-enabled=false --wallet.audit.enabled=false "$@" >"$work/service.log" 2>&1 &
    service=$!
    pids+=("$service")
    for _ in $(seq 1 60); do
        curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "jwt-cost: the service did not start"; tail -30 "$work/service.log"; exit 1
}

declare -A total
run_mode() {
    local mode=$1; shift
    start_service "$@"
    wrk -t2 -c"$connections" -d10s -s "$work/credit.lua" "http://127.0.0.1:$port" >/dev/null   # warm-up
    local out
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/credit.lua" "http://127.0.0.1:$port")
    local rps p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%-14s %10s req/s   p99 %-9s non-2xx %s\n' "$mode" "$rps" "$p99" "${non2xx:-0}"
    total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    kill "$service"; wait "$service" 2>/dev/null || true
}

echo "credits, $connections connections, ${seconds}s per round, $rounds rounds per mode"
for _ in $(seq 1 "$rounds"); do
    run_mode "jwt" --spring.security.oauth2.resourceserver.jwt.public-key-location="file:$work/public.pem" \
        --spring.security.oauth2.resourceserver.jwt.audiences=wallet-service
    run_mode "no-auth" --wallet.security.enabled=false
done
awk -v a="${total[jwt]}" -v b="${total[no-auth]}" 'BEGIN {printf "jwt / no-auth = %.2f\n", a / b}'
