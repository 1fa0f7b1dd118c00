#!/usr/bin/env bash
# Interleaved A/B of the gateway: two lgsp servers (binaries A_BIN and B_BIN, extra environment A_ENV and
# B_ENV) behind the same nginx upstream, each set up like Benchmarks/gateway.sh (token, grant, rate
# limit far above the load, transaction log on). Rounds alternate A and B: a full-load run, then a run at
# a fixed offered rate with independent clients (exponential pauses). On a shared VM whose neighbours
# move every figure by ±15 % within minutes, only runs taken side by side like this say whether a change
# helps; identical servers differ by about ±0.5 ms at p99.
# Prints per run: req/s, p50/p99/p99.9 ms, and the server's CPU per 1,000 calls (ms).
#
# usage: A_BIN=/path/lgsp-before B_BIN=/path/lgsp-after Benchmarks/gateway-ab.sh [rounds=3] [seconds=6] [rate=4000]
#        (either binary defaults to this checkout's release build)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; seconds=${2:-6}; rate=${3:-4000}
if [ -z "${A_BIN:-}" ] || [ -z "${B_BIN:-}" ]; then swift build -c release --product lgsp >/dev/null 2>&1; fi
built=$(swift build -c release --show-bin-path)/lgsp
a_bin=${A_BIN:-$built}; b_bin=${B_BIN:-$built}
source Benchmarks/gateway-common.sh

upstream_port=$(free_port); a_port=$(free_port); b_port=$(free_port)
start_nginx "$upstream_port"
cleanup() {
  kill ${a_pid:-} ${b_pid:-} 2>/dev/null; wait ${a_pid:-} ${b_pid:-} 2>/dev/null || true
  kill "$nginx_pid" 2>/dev/null || true
  sleep 0.2; rm -rf "$work"
}
trap cleanup EXIT
serve a "$a_bin" "$a_port" "${A_ENV:-}"; a_pid=$served_pid
serve b "$b_bin" "$b_port" "${B_ENV:-}"; b_pid=$served_pid
a_token=$(consumer_token a "$a_bin" "$a_port" "http://127.0.0.1:$upstream_port/api")
b_token=$(consumer_token b "$b_bin" "$b_port" "http://127.0.0.1:$upstream_port/api")
export PACE_RANDOM=1
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
pace=$(python3 -c "print(round(50 / $rate * 1000, 3))")
echo "A: $a_bin ${A_ENV:-}"
echo "B: $b_bin ${B_ENV:-}"
echo "wrk -t2 -c50 ${seconds}s per run; half = $rate req/s offered by independent clients"
printf "%-3s %-5s %8s %8s %8s %8s %14s\n" "" "load" "req/s" "p50 ms" "p99 ms" "p99.9 ms" "CPU ms/1000"
for _ in $(seq "$rounds"); do
  for variant in a b; do
    if [ $variant = a ]; then port=$a_port; bearer=$a_token; pid=$a_pid; else port=$b_port; bearer=$b_token; pid=$b_pid; fi
    for load in full half; do
      p=0; [ $load = half ] && p=$pace
      c0=$(cpu $pid)
      read -r rps p50 p99 p999 < <(PACE_MS=$p wrk -t2 -c50 -d"${seconds}s" -s "$work/pace.lua" -H "Authorization: Bearer $bearer" \
        "http://127.0.0.1:$port/gw/do/v1/items/1" | awk '/^RESULT/ {print $2, $3, $4, $6}')
      c1=$(cpu $pid)
      printf "%-3s %-5s %8s %8s %8s %8s %14s\n" "${variant^^}" "$load" "$rps" "$p50" "$p99" "$p999" \
        "$(python3 -c "print(round(($c1 - $c0) * 10 / ($rps * $seconds) * 1000, 1))")"
    done
  done
done
