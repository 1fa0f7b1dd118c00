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
install() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
install nginx nginx-light
install wrk wrk
install curl curl
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp

work=$(mktemp -d "$PWD/.bench-gateway.XXXXXX")
chmod 755 "$work"
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q -r Tests/interop/requirements.txt
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); upstream_port=$(free_port); proxy_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  upstream service { server 127.0.0.1:$upstream_port; keepalive 256; }
  server {
    listen 127.0.0.1:$upstream_port;
    location /api/items/ { default_type application/json; return 200 '{"id":"1","ten":"Nguyễn Văn An","trangThai":"hoat-dong"}'; }
  }
  server {
    listen 127.0.0.1:$proxy_port;
    location /gw/do/v1/ { proxy_pass http://service/api/; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
for _ in $(seq 50); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx/nginx.pid")

export LGSP_DATA_DIR=$work/lgsp LGSP_PORT=$port LGSP_ENV=production LGSP_LOG_LEVEL=warning LGSP_SEED_DIR=$PWD/seed-data
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64) LGSP_PUBLIC_URL=http://127.0.0.1:$port LGSP_OPERATOR_AGENCY=000.00.31.H49
"$lgsp" serve >"$work/serve.log" 2>&1 &
server=$!
cleanup() {
  kill $server 2>/dev/null; wait $server 2>/dev/null || true
  kill "$nginx_pid" 2>/dev/null || true
  sleep 0.2; rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

token=$("$work/venv/bin/python" - "$lgsp" "$port" "$upstream_port" <<'PY'
import os, sys
sys.path.insert(0, "Tests/interop")
from gateway_world import GatewayWorld

class Running:  # the server started above
    def __init__(self, binary, port):
        self.binary, self.url = binary, f"http://127.0.0.1:{port}"
    def run(self, *args):
        import subprocess
        return subprocess.run([self.binary, *args], capture_output=True, text=True, check=True).stdout

world = GatewayWorld(Running(sys.argv[1], sys.argv[2]), f"http://127.0.0.1:{sys.argv[3]}/api",
                     limits={"ratePerSecond": 100000, "burst": 1000000, "dailyQuota": 1000000000})
print(world.consumer)
PY
)
auth="Authorization: Bearer $token"
curl -fs -H "$auth" "http://127.0.0.1:$port/gw/do/v1/items/1" >/dev/null || { echo "gateway call failed"; curl -s -H "$auth" "http://127.0.0.1:$port/gw/do/v1/items/1"; exit 1; }

# wrk's Lua: an optional per-connection delay (ms) between requests, for a given offered rate.
cat > "$work/pace.lua" <<'LUA'
local pause = tonumber(os.getenv("PACE_MS") or "0")
local random = os.getenv("PACE_RANDOM") == "1"
function init(args) math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000) end
-- Fixed pauses keep the connections in step (all of them send at once, every pause); exponential
-- pauses with the same mean spread the requests out as independent clients would. wrk takes whole
-- milliseconds: the exponential ones are rounded up or down at random to keep their mean, the fixed one
-- to the nearest (rounding it at random would let the connections drift out of step). Still a closed
-- loop: a connection pauses after its answer, so a slow server is offered a little less.
local function whole(ms)
  local floor = math.floor(ms)
  if math.random() < ms - floor then return floor + 1 end
  return floor
end
function delay()
  if random then return whole(-math.log(1 - math.random()) * pause) end
  return math.floor(pause + 0.5)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
LUA
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
