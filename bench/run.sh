#!/usr/bin/env bash
# The service against the framework's floor, in one run on this machine: a real Redis (Debian's
# redis-server, AOF everysec), a Kafka broker in its own JVM, the service jar in production mode
# (java -jar, full JIT, JWT on, relay on) and a floor app of the same Boot and Netty (bench/src), each
# route warmed up, then driven by wrk with the same threads and connections. Prints, per route: req/s,
# p50/p99, the app's and Redis's CPU per request (from /proc), Redis script calls per request; then the
# ratios the README's targets are about, and how fast a change reaches 10,000 open balance streams
# (spread over 1,000 wallets, then all on one).
#
#   bench/run.sh                      # 10 s warm-up and 15 s measured per route, 10,000 streams
#   bench/run.sh --smoke              # 1 s + 1 s per route, 300 streams: checks that every row runs
#   CONNECTIONS=32 MEASURE=30 bench/run.sh
#   ONLY='credit|floor' STREAMS=0 bench/run.sh   # the routes whose names match, no streams
#   BENCH_BATCH=100 bench/run.sh      # batches of 100 credits in the batch row (default 1,000)
#   ONLY=policy STREAMS=0 bench/run.sh   # credit and withdrawal, without then with a policy and alerts
#   ONLY='^none$' STREAM_ROWS=one bench/run.sh   # no route, only the stream rows whose names match
#                                     # (spread, one wallet, floor one wallet)
#   PROBE_JAVA_OPTS='-agentpath:...' bench/run.sh   # JVM options for the stream probes
#   SERVICE_ARGS='--wallet.outbox.relay-enabled=false' bench/run.sh   # more arguments for the service
#   SERVICE_JAVA_OPTS='-XX:+UseParallelGC' bench/run.sh                # JVM options for the service
#   SERVICE_JAR=/elsewhere/wallet-service.jar bench/run.sh          # another build of the service, as it is
#   PROFILE=1 bench/run.sh            # also a JFR recording of each measured route, in bench/target/profiles,
#                                     # summed up by: java -cp bench/target/classes bench.HotMethods <file>
#   ASYNC_PROFILER=/path/to/libasyncProfiler.so bench/run.sh   # async-profiler's collapsed stacks there instead
#                                     # (the library is in the tools.profiler:async-profiler jar on Maven Central)
#
# Everything listens on 127.0.0.1. wrk shares the cores with what it measures: compare the ratios of
# one run, not absolute numbers across machines.
set -euo pipefail
if [ -n "${SERVICE_JAR:-}" ]; then
    SERVICE_JAR=$(readlink -f "$SERVICE_JAR")   # before the cd below
fi
cd "$(dirname "$0")/.."
root=$(pwd)

warm="${WARM:-10}"
measure="${MEASURE:-15}"
connections="${CONNECTIONS:-64}"
streams="${STREAMS:-10000}"
changes="${CHANGES:-25}"
if [ "${1:-}" = "--smoke" ]; then
    warm=1 measure=1 streams=300 changes=3
fi
redis_port=6392 service_port=18281 floor_port=18282

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
        || { echo "bench: could not install ${missing[*]}"; exit 1; }
fi
# 10,000 streams are 10,000 sockets on each side: the soft limit up to the hard one.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((streams + 2000)) ]; then
    echo "bench: $streams streams need $((streams + 2000)) open files, the limit here is $(ulimit -n)"; exit 1
fi

echo "building the service jar and the benchmark's programs"
if [ -z "${SERVICE_JAR:-}" ]; then
    ./mvnw -B -q -DskipTests package
fi
./mvnw -B -q -f bench/pom.xml package
jar=${SERVICE_JAR:-$(ls target/wallet-service-*.jar | grep -v original | head -1)}
classpath="bench/target/classes:$(cat bench/target/classpath.txt)"

work=$(mktemp -d)
pids=()
cleanup() {   # the last started first: the service still has its Redis and Kafka while it stops
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        local pid=${pids[$i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    done
    # The programs' logs outlive the run, for a row or a probe that failed.
    mkdir -p bench/target/logs && cp "$work"/*.log bench/target/logs/ 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export BENCH_HOME="$root/bench" BENCH_WORK="$work"

await() {   # await WHAT PID URL-or-command...: polls for 90 s while PID lives (a port already taken ends it)
    local what=$1 pid=$2; shift 2
    for _ in $(seq 1 180); do
        kill -0 "$pid" 2>/dev/null || break
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "bench: $what did not start"; tail -40 "$work/$what.log" || true; exit 1
}

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
    --save '' --daemonize no >"$work/redis.log" 2>&1 &
redis=$!; pids+=("$redis")
await redis "$redis" redis-cli -p "$redis_port" ping

java -cp "$classpath" bench.KafkaBroker wallet.events >"$work/kafka.log" 2>&1 &
kafka=$!; pids+=("$kafka")
await kafka "$kafka" grep -q 'kafka ready' "$work/kafka.log"
# The broker picks its own port; it says which.
kafka_servers=$(awk '$1 == "kafka" && $2 == "ready" {print $3}' "$work/kafka.log")

java -cp "$classpath" bench.Tokens "$work" $((streams / 10 > 1000 ? streams / 10 : 1000))

# The consistency audit is off: a pass every five minutes reads every wallet's whole ledger (hundreds of
# thousands of entries by the last rows) on the requests' connection, and is charged to whichever rows
# it overlaps (BENCH_AUDIT=true to have it).
start_service() {   # start_service NAME PORT [MORE ARGS...]: the service jar in production mode; its pid in $started
    local name=$1 port=$2; shift 2
    java ${SERVICE_JAVA_OPTS:-} -jar "$jar" --server.port="$port" --spring.data.redis.port="$redis_port" \
        --spring.kafka.bootstrap-servers="$kafka_servers" \
        --spring.security.oauth2.resourceserver.jwt.public-key-location="file:$work/public.pem" \
        --spring.security.oauth2.resourceserver.jwt.audiences=wallet-service --wallet.audit.enabled="${BENCH_AUDIT:-false}" \
        ${SERVICE_ARGS:-} "$@" >"$work/$name.log" 2>&1 &
    started=$!; pids+=("$started")
    await "$name" "$started" curl -fs "http://127.0.0.1:$port/actuator/health/readiness"
}

java -cp "$classpath" bench.FloorApplication --server.port="$floor_port" --spring.data.redis.port="$redis_port" \
    >"$work/floor.log" 2>&1 &
floor=$!; pids+=("$floor")
await floor "$floor" curl -fs "http://127.0.0.1:$floor_port/floor/wallets/bench-1"

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU of the JVM's compiler threads: a share of a row's app CPU that the JIT still takes, not the route.
jit_ticks() {
    local total=0 task
    for task in /proc/"$1"/task/*; do
        grep -q 'Compiler' "$task/comm" 2>/dev/null || continue
        total=$((total + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
script_calls() {
    redis-cli -p "$redis_port" info commandstats \
        | awk -F'[:=,]' '/^cmdstat_(evalsha|eval):/ {n += $3} END {print n + 0}'
}

# JFR's profile settings, sampling every 1 ms instead of 10: enough samples for a 15 s route.
if [ -n "${PROFILE:-}" ]; then
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    sed '/"jdk.ExecutionSample"/,/<\/event>/ s/>10 ms</>1 ms</' "$java_home/lib/jfr/profile.jfc" >"$work/profile.jfc"
fi

declare -A rps app_us redis_us jit_share
failures=()
header=""
row() {   # row NAME PID SCRIPT BASE_URL
    local name=$1 pid=$2 script=$3 url=$4
    [[ "$name" =~ ${ONLY:-.} ]] || return 0
    if [ -z "$header" ]; then
        printf '\n%-28s %9s %9s %9s %13s %13s %14s %8s %5s\n' route req/s p50 p99 "app us/req" "Redis us/req" "scripts/req" non-2xx JIT
        header=1
    fi
    local connections=${ROW_CONNECTIONS:-$connections}
    wrk -t2 -c"$connections" -d"${warm}s" -s "bench/wrk/$script" "$url" >/dev/null
    local app0 redis0 scripts0 out app1 redis1 scripts1 stem
    stem=$(tr -c 'a-zA-Z0-9\n' - <<<"$name")
    if [ -n "${PROFILE:-}${ASYNC_PROFILER:-}" ]; then
        mkdir -p bench/target/profiles
    fi
    if [ -n "${PROFILE:-}" ]; then
        jcmd "$pid" JFR.start name="$stem" settings="$work/profile.jfc" >/dev/null
    fi
    if [ -n "${ASYNC_PROFILER:-}" ]; then   # jcmd splits arguments at commas unless they are quoted
        jcmd "$pid" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=cpu,interval=1ms${ASYNC_PROFILER_OPTS:+,$ASYNC_PROFILER_OPTS}\"" >/dev/null
    fi
    local jit0
    jit0=$(jit_ticks "$pid")
    app0=$(cpu_ticks "$pid"); redis0=$(cpu_ticks "$redis"); scripts0=$(script_calls)
    out=$(wrk -t2 -c"$connections" -d"${measure}s" --latency -s "bench/wrk/$script" "$url")
    app1=$(cpu_ticks "$pid"); redis1=$(cpu_ticks "$redis"); scripts1=$(script_calls)
    jit_share[$name]=$(awk -v j=$(( $(jit_ticks "$pid") - jit0 )) -v a=$((app1 - app0)) 'BEGIN {printf "%.0f%%", (a > 0 ? 100 * j / a : 0)}')
    if [ -n "${PROFILE:-}" ]; then
        jcmd "$pid" JFR.stop name="$stem" filename="$root/bench/target/profiles/$stem.jfr" >/dev/null
    fi
    if [ -n "${ASYNC_PROFILER:-}" ]; then
        jcmd "$pid" JVMTI.agent_load "$ASYNC_PROFILER" \
            "\"stop,collapsed,file=$root/bench/target/profiles/$stem.collapsed\"" >/dev/null
    fi
    local requests
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    if [ -z "$requests" ] || [ "$requests" -eq 0 ]; then
        echo "bench: $name made no request"; echo "$out"; exit 1
    fi
    rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    app_us[$name]=$(awk -v n="$requests" -v t="$ticks" -v app=$((app1 - app0)) 'BEGIN {printf "%.0f", app * 1e6 / t / n}')
    redis_us[$name]=$(awk -v n="$requests" -v t="$ticks" -v r=$((redis1 - redis0)) 'BEGIN {printf "%.1f", r * 1e6 / t / n}')
    local non2xx
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    if [ "${non2xx:-0}" -gt 0 ]; then   # every route here answers 2xx when the service is sound
        failures+=("$name: $non2xx responses not 2xx")
    fi
    awk -v name="$name" -v rps="${rps[$name]}" -v n="$requests" -v t="$ticks" \
        -v app=$((app1 - app0)) -v redis=$((redis1 - redis0)) -v scripts=$((scripts1 - scripts0)) \
        -v p50="$(awk '$1 == "50%" {print $2}' <<<"$out")" -v p99="$(awk '$1 == "99%" {print $2}' <<<"$out")" \
        -v non2xx="${non2xx:-0}" -v jit="${jit_share[$name]}" \
        'BEGIN {printf "%-28s %9.0f %9s %9s %13.0f %13.0f %14.2f %8d %5s\n", name, rps, p50, p99,
                app * 1e6 / t / n, redis * 1e6 / t / n, scripts / n, non2xx + 0, jit}'
}

floor_url="http://127.0.0.1:$floor_port" service_url="http://127.0.0.1:$service_port"
seeded=""
seed() {   # the 1,000 wallets every route uses, once, through whichever instance is up first
    [ -z "$seeded" ] || return 0
    java -cp "$classpath" bench.Seed "$service_url" "$(cat "$work/credit.token")" 1000 1000000000 >/dev/null
    seeded=1
}
# Each app's routes round and round until its JIT has gone quiet, before any is measured: on two shared
# cores the service's C2 compiler works for a minute and more (a credit reads at a third of its speed
# in the first 10 s), and what it still compiles is CPU the route is charged for. Quiet: the compiler
# threads take under 3% of the app's CPU over a round (at most 8 rounds; the JIT column of each row
# says what it still took while measured).
warm_up() {   # warm_up PID URL SCRIPT...
    local pid=$1 url=$2 round app0 jit0 app1 jit1; shift 2
    for round in $(seq 1 8); do
        app0=$(cpu_ticks "$pid"); jit0=$(jit_ticks "$pid")
        for script in "$@"; do
            wrk -t2 -c"$connections" -d"${warm}s" -s "bench/wrk/$script" "$url" >/dev/null
        done
        app1=$(cpu_ticks "$pid"); jit1=$(jit_ticks "$pid")
        [ $(( (jit1 - jit0) * 100 )) -lt $(( (app1 - app0) * 3 )) ] && break
    done
    echo "warmed up in $round round(s) of $# route(s): $url"
}
warm_up "$floor" "$floor_url" floor-get.lua floor-post.lua floor-script.lua
warm_service() {
    warm_up "$service" "$service_url" credit.lua get.lua withdraw.lua hot-credit.lua
}
# First what a change costs when nothing relays it: the service with the relay off, warmed and measured
# alone, then stopped (its events stay in the outbox for the relaying instance that follows).
if [[ "credit, relay off" =~ ${ONLY:-.} ]]; then
    start_service service-relay-off "$service_port" --wallet.outbox.relay-enabled=false
    service=$started
    seed
    warm_service
    row "credit, relay off" "$service" credit.lua "$service_url"
    kill "$service"
    for _ in $(seq 1 60); do kill -0 "$service" 2>/dev/null || break; sleep 0.5; done
    # What it wrote to the outboxes would be relayed by the next instance while its rows are measured.
    redis-cli -p "$redis_port" --scan --pattern 'outbox:*' | xargs -r -n 500 redis-cli -p "$redis_port" DEL >/dev/null
fi
start_service service "$service_port"
service=$started
seed
warm_service
BENCH_BATCH=${BENCH_BATCH:-1000} wrk -t2 -c8 -d"${warm}s" -s bench/wrk/credit-batch.lua "$service_url" >/dev/null
row "floor GET" "$floor" floor-get.lua "$floor_url"
row "floor POST" "$floor" floor-post.lua "$floor_url"
row "floor POST + script" "$floor" floor-script.lua "$floor_url"
row "credit (1,000 wallets)" "$service" credit.lua "$service_url"
# The same load again, with a Kafka consumer timing each event from its change to its arrival.
lag=""
if [[ "credit + event lag" =~ ${ONLY:-.} ]]; then
    java -cp "$classpath" bench.EventLag "$kafka_servers" wallet.events $((warm + measure + 3)) >"$work/lag.out" 2>&1 &
    lag_probe=$!
    await lag "$lag_probe" grep -q '^lag ready' "$work/lag.out"
    row "credit + event lag" "$service" credit.lua "$service_url"
    wait "$lag_probe" || failures+=("the event lag probe failed: $(tail -3 "$work/lag.out")")
    lag=$(awk '$1 == "lag" && $2 != "ready" {print}' "$work/lag.out")
fi
row "GET wallet" "$service" get.lua "$service_url"
row "withdrawal" "$service" withdraw.lua "$service_url"
BENCH_IDEMPOTENCY=1 row "withdrawal + Idempotency-Key" "$service" withdraw.lua "$service_url"
row "credit (one hot wallet)" "$service" hot-credit.lua "$service_url"
# Waits (at most two minutes) until the relay has published every event waiting in the outboxes.
outbox_drained() {
    for _ in $(seq 1 240); do
        [ "$(redis-cli -p "$redis_port" EVAL "local n = 0 for _, k in ipairs(redis.call('KEYS', 'outbox:*')) do n = n + redis.call('XLEN', k) end return n" 0)" = 0 ] && return 0
        sleep 0.5
    done
    echo "the outbox still holds events after two minutes" >&2
}
# Batches of 1,000 credits (one request each): fewer connections, each carries a thousand credits.
batch_size=${BENCH_BATCH:-1000}
BENCH_BATCH=$batch_size ROW_CONNECTIONS=8 row "credit batch (x$batch_size)" "$service" credit-batch.lua "$service_url"
# The same changes on wallets that each have a withdrawal policy with limits and two balance alerts
# (never crossed): what deciding them inside the scripts costs. Last, as the wallets keep them; each
# measured right after the same change without them, once the relay has drained what the batches left
# (otherwise its backlog is charged to the rows that follow).
if [[ "policy + alerts" =~ ${ONLY:-.} ]]; then
    outbox_drained
    row "credit, before policy + alerts" "$service" credit.lua "$service_url"
    row "withdrawal, before policy + alerts" "$service" withdraw.lua "$service_url"
    java -cp "$classpath" bench.Decorate "$service_url" "$(cat "$work/operator.token")" 1000 >/dev/null
    row "credit, policy + alerts" "$service" credit.lua "$service_url"
    row "withdrawal, policy + alerts" "$service" withdraw.lua "$service_url"
fi
ratio() {
    [ -n "${rps[$2]:-}" ] && [ -n "${rps[$3]:-}" ] || return 0
    awk -v a="${rps[$2]}" -v b="${rps[$3]}" -v label="$1" 'BEGIN {printf "%-44s %.2f\n", label, a / b}'
}
ratios() {
    echo
    ratio "credit / floor POST + script (>= 0.60)" "credit (1,000 wallets)" "floor POST + script"
    ratio "withdrawal / floor POST + script (>= 0.60)" "withdrawal" "floor POST + script"
    ratio "GET wallet / floor GET (>= 0.50)" "GET wallet" "floor GET"
    if [ -n "${redis_us[credit (1,000 wallets)]:-}" ] && [ -n "${redis_us[floor POST + script]:-}" ]; then
        awk -v a="${redis_us[credit (1,000 wallets)]}" -v b="${redis_us[floor POST + script]}" \
            'BEGIN {printf "%-44s %.1f (%s us against %s)\n", "Redis CPU, credit / floor script (<= 2.5)", a / b, a, b}'
    fi
    ratio "hot wallet / spread credits (>= 0.90)" "credit (one hot wallet)" "credit (1,000 wallets)"
    ratio "credit relay on / relay off (>= 0.90)" "credit (1,000 wallets)" "credit, relay off"
    if [ -n "${app_us[credit, relay off]:-}" ] && [ -n "${app_us[credit (1,000 wallets)]:-}" ]; then
        on=${app_us[credit (1,000 wallets)]} off=${app_us[credit, relay off]}
        printf '%-44s %s us of JVM CPU (%s with it, %s without)\n' "the relay's cost per change" $((on - off)) "$on" "$off"
    fi
    for change in credit withdrawal; do
        plain="$change, before policy + alerts"
        if [ -n "${redis_us[$change, policy + alerts]:-}" ] && [ -n "${redis_us[$plain]:-}" ]; then
            awk -v a="${redis_us[$change, policy + alerts]}" -v b="${redis_us[$plain]}" -v label="Redis CPU, $change with policy + alerts" \
                'BEGIN {printf "%-44s %+.1f us (%s against %s; <= +5)\n", label, a - b, a, b}'
        fi
    done
    if [ -n "$lag" ]; then
        awk -v lag="$lag" 'BEGIN {split(lag, f, " "); printf "%-44s p50 %s ms, p99 %s ms, max %s ms over %s events (p99 <= 100)\n",
            "event lag, change -> Kafka, under load", f[3], f[4], f[5], f[2]}'
    fi
    if [ -n "${rps[credit batch (x$batch_size)]:-}" ] && [ -n "${rps[credit (1,000 wallets)]:-}" ]; then
        awk -v b="${rps[credit batch (x$batch_size)]}" -v n="$batch_size" -v s="${rps[credit (1,000 wallets)]}" \
            'BEGIN {printf "%-44s %.0f credits/s, %.1f x single credits (>= 5, and >= 50,000/s)\n", "credits through batches", b * n, b * n / s}'
    fi
    echo
}

finish() {
    ratios
    if [ ${#failures[@]} -gt 0 ]; then
        printf 'bench: %s\n' "${failures[@]}"
        exit 1
    fi
    exit 0
}
[ "$streams" -gt 0 ] || finish
if [ -n "${ASYNC_PROFILER:-}" ]; then
    jcmd "$service" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=cpu,interval=1ms${ASYNC_PROFILER_OPTS:+,$ASYNC_PROFILER_OPTS}\"" >/dev/null
fi
probe() {   # probe URL PID WALLETS CHANGES INTERVAL_MS: $streams streams of the app at URL on WALLETS wallets
    java ${PROBE_JAVA_OPTS:-} -cp "$classpath" bench.SseProbe "$1" "$work/users.tokens" "$(cat "$work/credit.token")" \
        "$streams" "$3" "$4" "$5" "$2"
}
# Streams as users hold them, ten per wallet, the changes on one wallet after the other; then every
# stream on one wallet, each change fanned out to all of them.
if [[ "spread" =~ ${STREAM_ROWS:-.} ]]; then
    probe "$service_url" "$service" $((streams / 10)) $((changes * 4)) 50 || failures+=("streams on $((streams / 10)) wallets")
fi
# A probe's connections close as it exits, but the service counts each against
# wallet.http.max-connections until it has seen it close: opening as many again at once can exceed the cap.
settle() {   # settle PORT: until fewer than 100 connections to PORT are open
    if command -v ss >/dev/null; then
        for _ in $(seq 1 120); do
            [ "$(ss -Htn state established "( sport = :$1 )" | wc -l)" -lt 100 ] && break
            sleep 0.5
        done
    else
        sleep 10
    fi
}
settle "$service_port"
if [[ "one wallet" =~ ${STREAM_ROWS:-.} ]]; then
    probe "$service_url" "$service" 1 "$changes" 200 || failures+=("streams on one wallet")
fi
if [ -n "${ASYNC_PROFILER:-}" ]; then
    jcmd "$service" JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,collapsed,file=$root/bench/target/profiles/streams.collapsed\"" >/dev/null
fi
# The same on the floor app: what a change to 10,000 streams costs the framework and the kernel alone.
if [[ "floor one wallet" =~ ${STREAM_ROWS:-.} ]]; then
    settle "$service_port"
    echo "sse: the floor app, at the service's paths:"
    probe "$floor_url" "$floor" 1 "$changes" 200 || failures+=("floor streams on one wallet")
fi
finish
