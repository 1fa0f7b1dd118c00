#!/usr/bin/env bash
# Gateway throughput and latency on loopback, in one run, with wrk:
#   (a) the upstream directly (nginx answering a small JSON document),
#   (b) nginx as a reverse proxy to it (keep-alive to the upstream),
#   (c) lgsp's gateway /gw/… to it — token check, grant check, rate limit (set far above the load) and
#       the transaction log all on,
#   (d) for scale, lgsp's own /health (no upstream, no token, no log): the HTTP server's ceiling here.
# Each at full load (requests/s, p50/p99), then each at 50 % of (c)'s peak rate (wrk's per-connection
# delay, exponential so the connections act as independent clients; then fixed, all in step, for
# reference) for the latency the gateway adds. Prints (c)/(b) and the CPU lgsp used per request.
# Release build, SQLite, production settings.
# Targets (issue #8): (c)/(b) ≥ 0.8; p99 added latency ≤ 2 ms at 50 % of peak load.
#
# usage: Benchmarks/gateway.sh [seconds=10] [connections=50] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-50}
threads=${3:-2}
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp
source Benchmarks/gateway-common.sh

port=$(free_port); upstream_port=$(free_port); proxy_port=$(free_port)
start_nginx "$upstream_port" "$proxy_port"
cleanup() {
  kill ${server:-} 2>/dev/null; wait ${server:-} 2>/dev/null || true
  kill "$nginx_pid" 2>/dev/null || true
  sleep 0.2; rm -rf "$work"
}
trap cleanup EXIT
serve lgsp "$lgsp" "$port"
server=$served_pid
token=$(consumer_token lgsp "$lgsp" "$port" "http://127.0.0.1:$upstream_port/api")
auth="Authorization: Bearer $token"
curl -fs -H "$auth" "http://127.0.0.1:$port/gw/do/v1/items/1" >/dev/null || { echo "gateway call failed"; curl -s -H "$auth" "http://127.0.0.1:$port/gw/do/v1/items/1"; exit 1; }

cpu() { awk '{print $14+$15}' /proc/$server/stat; }
run() { # name url [pace-ms] → "rps p50 p99 mean"
  PACE_MS=${3:-0} wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "$work/pace.lua" -H "$auth" "$2" | awk '/^RESULT/ {print $2, $3, $4, $5}'
}
echo "lgsp $(git rev-parse --short HEAD) release, nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(nproc) cores (wrk, nginx and lgsp share them), wrk -t$threads -c$connections ${seconds}s, loopback"
printf "%-34s %10s %9s %9s\n" "full load" "req/s" "p50 ms" "p99 ms"
read -r a_rps a_p50 a_p99 _ < <(run upstream "http://127.0.0.1:$upstream_port/api/items/1")
printf "%-34s %10s %9s %9s\n" "(a) upstream directly" "$a_rps" "$a_p50" "$a_p99"
read -r b_rps b_p50 b_p99 _ < <(run nginx "http://127.0.0.1:$proxy_port/gw/do/v1/items/1")
printf "%-34s %10s %9s %9s\n" "(b) nginx reverse proxy" "$b_rps" "$b_p50" "$b_p99"
c0=$(cpu)
[ -n "${PERF:-}" ] && { perf record -F 999 -g -p $server -o "$PERF" -- sleep "$seconds" >/dev/null 2>&1 & }
read -r c_rps c_p50 c_p99 _ < <(run lgsp "http://127.0.0.1:$port/gw/do/v1/items/1")
c1=$(cpu)
printf "%-34s %10s %9s %9s\n" "(c) lgsp gateway" "$c_rps" "$c_p50" "$c_p99"
# For scale: lgsp's own /health, answered from memory with no upstream call, token or log — the most
# this HTTP server (Hummingbird) reaches on this machine before any proxying.
read -r d_rps d_p50 d_p99 _ < <(run health "http://127.0.0.1:$port/health")
printf "%-34s %10s %9s %9s\n" "(d) lgsp /health, no upstream" "$d_rps" "$d_p50" "$d_p99"
# Half of (c)'s peak, offered by every connection pausing between requests: first as independent
# clients (exponential pauses of that mean), the load the target is about; then with the connections
# in step (the same fixed pause for all, so all 50 send at once), a harsher burst pattern, for reference.
half=$(python3 -c "print($c_rps / 2)")
pace=$(python3 -c "print(max(0, round($connections / $half * 1000, 3)))")
# The three targets at `pace`, PACE_RANDOM=$1; prints their rows and leaves their p99s in `p99s`.
targets=("(a) upstream directly|http://127.0.0.1:$upstream_port/api/items/1" "(b) nginx reverse proxy|http://127.0.0.1:$proxy_port/gw/do/v1/items/1"
         "(c) lgsp gateway|http://127.0.0.1:$port/gw/do/v1/items/1")
half_load() {
  export PACE_RANDOM=$1
  p99s=()
  for target in "${targets[@]}"; do
    read -r rps p50 p99 _ < <(run "${target%%|*}" "${target#*|}" "$pace")
    printf "%-34s %10s %9s %9s\n" "${target%%|*}" "$rps" "$p50" "$p99"
    p99s+=("$p99")
  done
}
printf "%-34s %10s %9s %9s\n" "at 50 % of (c)'s peak (mean ${pace} ms pause)" "req/s" "p50 ms" "p99 ms"
half_load 1
read -r ha_p99 hb_p99 hc_p99 <<<"${p99s[*]}"
printf "%-34s %10s %9s %9s\n" "same rate, connections in step" "req/s" "p50 ms" "p99 ms"
half_load 0
read -r sa_p99 sb_p99 sc_p99 <<<"${p99s[*]}"
logged=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/gateway/stats" | python3 -c 'import json,sys; print(sum(r["calls"] for r in json.load(sys.stdin)["items"]))')
python3 - "$c_rps" "$b_rps" "$hc_p99" "$ha_p99" "$c0" "$c1" "$seconds" "$logged" "$sc_p99" "$sa_p99" "$hb_p99" "$sb_p99" "$d_rps" <<'PY'
import sys
c, b, hc99, ha99, c0, c1, seconds, logged, sc99, sa99, hb99, sb99, d = map(float, sys.argv[1:])
cores = (c1 - c0) / 100 / seconds
ratio, added = c / b, hc99 - ha99
print(f"(c)/(b) = {ratio:.2f}; p99 added by the gateway at 50 % load = {added:.2f} ms (nginx adds {hb99 - ha99:.2f}); "
      f"with the connections in step {sc99 - sa99:.2f} ms (nginx {sb99 - sa99:.2f})")
print(f"lgsp used {cores:.2f} cores at full load: {c / cores:,.0f} requests/s per core (Kong 3.11 with key-auth + rate limiting publishes about 5,700 per vCPU)")
print(f"(d)/(b) = {d / b:.2f}: lgsp's HTTP server answering /health from memory, without proxying anything, against nginx proxying")
print(f"transaction log: {int(logged):,} calls recorded")
ok = ratio >= 0.8 and added <= 2
print(f"targets ((c)/(b) ≥ 0.8, p99 added ≤ 2 ms): {'met' if ok else 'NOT met'}")
PY
