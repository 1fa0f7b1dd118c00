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
install() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
install nginx nginx-light
install wrk wrk
install curl curl
if [ -z "${A_BIN:-}" ] || [ -z "${B_BIN:-}" ]; then swift build -c release --product lgsp >/dev/null 2>&1; fi
built=$(swift build -c release --show-bin-path)/lgsp
a_bin=${A_BIN:-$built}; b_bin=${B_BIN:-$built}

work=$(mktemp -d "$PWD/.bench-gateway-ab.XXXXXX")
chmod 755 "$work"
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q -r Tests/interop/requirements.txt
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
upstream_port=$(free_port)
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
  server {
    listen 127.0.0.1:$upstream_port;
    location /api/items/ { default_type application/json; return 200 '{"id":"1","ten":"Nguyễn Văn An","trangThai":"hoat-dong"}'; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
for _ in $(seq 50); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx/nginx.pid")

a_port=$(free_port); b_port=$(free_port)
# Shared by both servers and their CLI runs; each has its own data directory, port and public URL.
export LGSP_ENV=production LGSP_LOG_LEVEL=warning LGSP_SEED_DIR=$PWD/seed-data LGSP_OPERATOR_AGENCY=000.00.31.H49
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
serve() { # name binary port extra-env
  env ${4:-} LGSP_DATA_DIR="$work/$1" LGSP_PORT="$3" LGSP_PUBLIC_URL="http://127.0.0.1:$3" "$2" serve >"$work/$1.log" 2>&1 &
}
serve a "$a_bin" "$a_port" "${A_ENV:-}"; a_pid=$!
serve b "$b_bin" "$b_port" "${B_ENV:-}"; b_pid=$!
cleanup() {
  kill $a_pid $b_pid 2>/dev/null; wait $a_pid $b_pid 2>/dev/null || true
  kill "$nginx_pid" 2>/dev/null || true
  sleep 0.2; rm -rf "$work"
}
trap cleanup EXIT
for port in $a_port $b_port; do
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
done
token() { # binary port data-dir → the consumer's access token
  LGSP_DATA_DIR=$3 LGSP_PORT=$2 LGSP_PUBLIC_URL="http://127.0.0.1:$2" "$work/venv/bin/python" - "$1" "$2" "$upstream_port" <<'PY'
import subprocess, sys
sys.path.insert(0, "Tests/interop")
from gateway_world import GatewayWorld

class Running:  # a server started above; its CLI reads the same data directory (LGSP_DATA_DIR)
    def __init__(self, binary, port):
        self.binary, self.url = binary, f"http://127.0.0.1:{port}"
    def run(self, *args):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, check=True).stdout

world = GatewayWorld(Running(sys.argv[1], sys.argv[2]), f"http://127.0.0.1:{sys.argv[3]}/api",
                     limits={"ratePerSecond": 100000, "burst": 1000000, "dailyQuota": 1000000000})
print(world.consumer)
PY
}
a_token=$(token "$a_bin" "$a_port" "$work/a"); b_token=$(token "$b_bin" "$b_port" "$work/b")

cat > "$work/pace.lua" <<'LUA'
local pause = tonumber(os.getenv("PACE_MS") or "0")
function init(args) math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000) end
-- Exponential pauses of mean `pause` (independent clients), rounded up or down at random to whole ms.
local function whole(ms)
  local floor = math.floor(ms)
  if math.random() < ms - floor then return floor + 1 end
  return floor
end
function delay()
  if pause == 0 then return 0 end
  return whole(-math.log(1 - math.random()) * pause)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f %.3f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
LUA
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
        "http://127.0.0.1:$port/gw/do/v1/items/1" | awk '/^RESULT/ {print $2, $3, $4, $5}')
      c1=$(cpu $pid)
      printf "%-3s %-5s %8s %8s %8s %8s %14s\n" "${variant^^}" "$load" "$rps" "$p50" "$p99" "$p999" \
        "$(python3 -c "print(round(($c1 - $c0) * 10 / ($rps * $seconds) * 1000, 1))")"
    done
  done
done
