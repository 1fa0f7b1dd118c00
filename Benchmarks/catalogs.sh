#!/usr/bin/env bash
# Catalog read throughput on loopback with wrk, beside nginx serving the same concept as a static JSON
# file in the same run: single-concept lookup, $validate-code, a search, and a 304 revalidation (lgsp and
# nginx). Release build, SQLite, seed catalogs, production settings (JSON access logs at level info, to
# /dev/null; nginx logs its accesses to /dev/null too). wrk, lgsp and nginx share the machine's cores.
#
# The machine is shared (a VM: neighbours steal CPU), so the six measurements are interleaved in rounds;
# each rate is the median of its rounds, and each ratio the median of the rounds' own ratios (lgsp over
# the nginx figure of the same round): drift hits nginx and lgsp alike.
#
# usage: Benchmarks/catalogs.sh [seconds per round=3] [rounds=7] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
rounds=${2:-7}
connections=${3:-32}
cores=$(nproc)
install() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
install wrk wrk
install nginx nginx-light
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp

data=$(mktemp -d /tmp/lgsp-bench.XXXXXX)
chmod 755 "$data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
nginx_port=$(free_port)
export LGSP_DATA_DIR=$data/lgsp LGSP_PORT=$port LGSP_ENV=production LGSP_LOG_LEVEL=info LGSP_SEED_DIR=$PWD/seed-data
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64) LGSP_PUBLIC_URL=http://127.0.0.1:$port

"$lgsp" serve >/dev/null 2>&1 &
server=$!
nginx_pid=""
cleanup() {
  kill $server 2>/dev/null; wait $server 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  sleep 0.2; rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

concept="/api/v1/catalogs/don-vi-hanh-chinh/concepts/24133"
mkdir -p "$data/www" "$data/nginx"
curl -fs "http://127.0.0.1:$port$concept" > "$data/www/concept.json"
etag=$(curl -fsI "http://127.0.0.1:$port$concept" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
cat > "$data/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $data/nginx/nginx.pid;
error_log $data/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log /dev/null;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { application/json json; }
  client_body_temp_path $data/nginx; proxy_temp_path $data/nginx; fastcgi_temp_path $data/nginx; uwsgi_temp_path $data/nginx; scgi_temp_path $data/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    root $data/www;
    add_header Cache-Control "public, no-cache";
  }
}
CONF
nginx -c "$data/nginx/nginx.conf" -p "$data/nginx"
for _ in $(seq 50); do [ -s "$data/nginx/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$data/nginx/nginx.pid")
nginx_etag=$(curl -fsI "http://127.0.0.1:$nginx_port/concept.json" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "http://127.0.0.1:$port$concept")" = 304 ] || { echo "lgsp did not answer 304" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $nginx_etag" "http://127.0.0.1:$nginx_port/concept.json")" = 304 ] || { echo "nginx did not answer 304" >&2; exit 1; }

run() {  # name url [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t 2 -c "$connections" -d "${seconds}s" -H "$3" "$2"); else out=$(wrk -t 2 -c "$connections" -d "${seconds}s" "$2"); fi
  echo "$out" | grep -q "Non-2xx" && ! echo "${3:-}" | grep -q "If-None-Match" && { echo "$1: errors" >&2; echo "$out" >&2; exit 1; }
  echo "$out" | awk -v name="$1" '/Requests\/sec/ {rate=$2} /Latency/ {lat=$2} END {printf "%s %s %s\n", name, rate, lat}'
}
echo "lgsp $(git rev-parse --short HEAD) release, nginx $(nginx -v 2>&1 | sed 's/.*\///'), $cores cores, wrk -t 2 -c $connections, $rounds rounds of ${seconds}s, loopback"
wrk -t 2 -c "$connections" -d 3s "http://127.0.0.1:$port$concept" >/dev/null
wrk -t 2 -c "$connections" -d 3s "http://127.0.0.1:$nginx_port/concept.json" >/dev/null
for _ in $(seq "$rounds"); do
  run nginx_static "http://127.0.0.1:$nginx_port/concept.json"
  run lookup "http://127.0.0.1:$port$concept"
  run validate "http://127.0.0.1:$port/api/v1/catalogs/don-vi-hanh-chinh/\$validate-code?code=24133"
  run search "http://127.0.0.1:$port/api/v1/catalogs/don-vi-hanh-chinh/concepts?q=buon%20ma&limit=10"
  run nginx_304 "http://127.0.0.1:$nginx_port/concept.json" "If-None-Match: $nginx_etag"
  run revalidate_304 "http://127.0.0.1:$port$concept" "If-None-Match: $etag"
done > "$data/results"
python3 - "$data/results" <<'PY'
import statistics, sys
samples = {}
for name, rate, latency in (line.split() for line in open(sys.argv[1])):
    samples.setdefault(name, []).append((float(rate), latency))
# Median rate of the rounds, with the latency of that round. The ratio to nginx is the median of the
# rounds' own ratios: each lgsp figure is divided by the nginx figure measured seconds before it, so
# drift of the machine between rounds cancels out.
rows = {name: sorted(values)[len(values) // 2] for name, values in samples.items()}
def ratios(name, base):
    return [r / b for (r, _), (b, _) in zip(samples[name], samples[base])]
labels = {
    "nginx_static": ("nginx: concept.json (static file)", None),
    "lookup": ("lgsp: GET …/concepts/24133", "nginx_static"),
    "validate": ("lgsp: $validate-code?code=24133", "nginx_static"),
    "search": ("lgsp: concepts?q=buon ma&limit=10", "nginx_static"),
    "nginx_304": ("nginx: If-None-Match → 304", None),
    "revalidate_304": ("lgsp: If-None-Match → 304", "nginx_304"),
}
print(f"\n{'':40}{'requests/s':>12}{'latency':>10}{'vs nginx':>10}")
for name in ["nginx_static", "lookup", "validate", "search", "nginx_304", "revalidate_304"]:
    label, base = labels[name]
    rate, latency = rows[name]
    ratio = f"{statistics.median(ratios(name, base)) * 100:.0f} %" if base else ""
    print(f"{label:40}{rate:12.0f}{latency:>10}{ratio:>10}")
lookup = ratios("lookup", "nginx_static")
spread = lambda name: f"{min(r for r, _ in samples[name]):.0f}–{max(r for r, _ in samples[name]):.0f}"
print(f"\nround-to-round range: nginx static {spread('nginx_static')}, lookup {spread('lookup')}")
print(f"lookup / nginx static by round: {' '.join(f'{r * 100:.0f}' for r in lookup)} %")
print(f"lookup / nginx static = {statistics.median(lookup) * 100:.0f} % (median of rounds; target ≥ 50 %)")
PY
