#!/usr/bin/env bash
# Short smoke run of the three wallet load simulations, one after the other, against a service
# that is already running at $BASE_URL (default http://127.0.0.1:8080). Each ends with the
# conservation check; the script exits non-zero if any simulation fails (after running all).
#
#   gatling/smoke.sh                       # 10 users, 5 s each, about 15 s per simulation
#   BASE_URL=http://127.0.0.1:9090 gatling/smoke.sh
#   SMOKE_USERS=20 SMOKE_DURATION=8 gatling/smoke.sh -Dp99=500   # extra -D options go to every run
#
# It uses the Maven wrapper at the repository root (../mvnw from this folder), wherever it is called from.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
mvnw="$root/mvnw"
base_url="${BASE_URL:-http://127.0.0.1:8080}"
users="${SMOKE_USERS:-10}"
duration="${SMOKE_DURATION:-5}"
# A guard against a hung service only: a healthy smoke run takes well under a minute each.
limit="${SMOKE_TIMEOUT:-180}"

if [ ! -x "$mvnw" ]; then
    echo "smoke: no Maven wrapper at $mvnw" >&2
    exit 2
fi
if command -v curl >/dev/null 2>&1 && ! curl -s -o /dev/null -m 5 "$base_url/api/v1/wallets/smoke-probe"; then
    echo "smoke: no service answers at $base_url (start it first, e.g. ./mvnw spring-boot:test-run)" >&2
    exit 2
fi

guard=()
if command -v timeout >/dev/null 2>&1; then
    guard=(timeout --kill-after=15 "$limit")
fi

failed=()
for simulation in ConcurrentWithdrawalsSimulation HighFrequencyCreditsSimulation MixedSimulation; do
    echo "=== smoke: $simulation ($users users, $duration s) against $base_url"
    started=$SECONDS
    (cd "$root" && "${guard[@]}" "$mvnw" -B -q -f "$here/pom.xml" gatling:test \
        "-Dgatling.simulationClass=wallet.$simulation" \
        "-DbaseUrl=$base_url" "-Dusers=$users" "-Dduration=$duration" "$@")
    status=$?
    if [ "$status" -eq 0 ]; then
        echo "=== smoke: $simulation passed in $((SECONDS - started)) s"
    else
        echo "=== smoke: $simulation FAILED (exit $status) after $((SECONDS - started)) s" >&2
        failed+=("$simulation")
    fi
done

echo "=== smoke: reports in $here/target/gatling/"
echo "smoke: $((3 - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "=== smoke: FAILED: ${failed[*]}" >&2
    exit 1
fi
