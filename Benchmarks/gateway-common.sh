# Shared by Benchmarks/gateway.sh and Benchmarks/gateway-ab.sh (sourced, from the repository's root):
# tools, a work directory with the interop venv, the nginx upstream (and optionally nginx as a reverse
# proxy to it), lgsp servers set up for a gateway call, and wrk's pacing script.

install() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
install nginx nginx-light
install wrk wrk
install curl curl

work=$(mktemp -d "$PWD/.bench-gateway.XXXXXX")
chmod 755 "$work"
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q -r Tests/interop/requirements.txt
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_nginx UPSTREAM_PORT [PROXY_PORT]: a small JSON document at /api/items/…; with PROXY_PORT, nginx
# also proxies /gw/do/v1/… to it with keep-alive. Sets nginx_pid.
start_nginx() {
  local proxy=""
  [ -n "${2:-}" ] && proxy="upstream service { server 127.0.0.1:$1; keepalive 256; }
  server {
    listen 127.0.0.1:$2;
    location /gw/do/v1/ { proxy_pass http://service/api/; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
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
    listen 127.0.0.1:$1;
    location /api/items/ { default_type application/json; return 200 '{"id":"1","ten":"Nguyễn Văn An","trangThai":"hoat-dong"}'; }
  }
  $proxy
}
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
  for _ in $(seq 50); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
  nginx_pid=$(cat "$work/nginx/nginx.pid")
}

# Settings every lgsp server and CLI run here shares; each server has its own data directory and port.
export LGSP_ENV=production LGSP_LOG_LEVEL=warning LGSP_SEED_DIR=$PWD/seed-data LGSP_OPERATOR_AGENCY=000.00.31.H49
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64)

# serve NAME BINARY PORT [EXTRA_ENV]: starts `lgsp serve` in the background (its pid in $!) and waits
# until it answers.
serve() {
  env ${4:-} LGSP_DATA_DIR="$work/$1" LGSP_PORT="$3" LGSP_PUBLIC_URL="http://127.0.0.1:$3" "$2" serve >"$work/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$3/health" >/dev/null && break; sleep 0.1; done
  served_pid=$pid
}

# consumer_token NAME BINARY PORT UPSTREAM_URL: through the server NAME, two agencies, a provider system
# with the service `do` v1 on UPSTREAM_URL, a consumer with a grant whose rate limit and quota are far
# above any load here; prints the consumer's access token.
consumer_token() {
  LGSP_DATA_DIR="$work/$1" LGSP_PORT=$3 LGSP_PUBLIC_URL="http://127.0.0.1:$3" "$work/venv/bin/python" - "$2" "$3" "$4" <<'PY'
import subprocess, sys
sys.path.insert(0, "Tests/interop")
from gateway_world import GatewayWorld

class Running:  # a server started above; its CLI reads the same data directory
    def __init__(self, binary, port):
        self.binary, self.url = binary, f"http://127.0.0.1:{port}"
    def run(self, *args):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, check=True).stdout

world = GatewayWorld(Running(sys.argv[1], sys.argv[2]), sys.argv[3],
                     limits={"ratePerSecond": 100000, "burst": 1000000, "dailyQuota": 1000000000})
print(world.consumer)
PY
}

# wrk's Lua: an optional per-connection pause (PACE_MS, mean ms) between requests, for a given offered
# rate. Prints "RESULT req/s p50 p99 mean p99.9" (ms).
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
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %.3f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000, latency:percentile(99.9) / 1000))
end
LUA
