#!/usr/bin/env bash
# Document store throughput for one 256 MiB file on loopback, beside the references in the same run:
# - upload: one tus PATCH through `lgsp serve` (TLS-less HTTP, SHA-256 of the whole file, AES-256-GCM
#   segments, fsync, then the move into content-addressed storage) beside `dd bs=1M conv=fsync` writing
#   the same bytes to the same disk;
# - download: GET /api/v1/files/{id} (decrypting every segment) beside nginx serving the plain file with
#   sendfile.
# Release build, SQLite, production settings. Rounds are interleaved (the VM's neighbours steal CPU);
# each figure is the median of its rounds, each ratio the median of the rounds' own ratios.
# Targets (issue #7): upload ≥ 50 % of dd, download ≥ 50 % of nginx.
#
# usage: Benchmarks/docstore.sh [size MiB=256] [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256}
rounds=${2:-5}
install() { command -v "$1" >/dev/null || { apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }; }
install nginx nginx-light
install curl curl
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp

data=$(mktemp -d "$PWD/.bench-docstore.XXXXXX")   # on the repository's disk, like the data folder
chmod 755 "$data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
nginx_port=$(free_port)
export LGSP_DATA_DIR=$data/lgsp LGSP_PORT=$port LGSP_ENV=production LGSP_LOG_LEVEL=warning LGSP_SEED_DIR=$PWD/seed-data
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64) LGSP_PUBLIC_URL=http://127.0.0.1:$port LGSP_OPERATOR_AGENCY=000.00.31.H49
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

mkdir -p "$data/www" "$data/nginx"
head -c $((size << 20)) /dev/urandom > "$data/www/file.bin"
sha=$(sha256sum "$data/www/file.bin" | cut -d' ' -f1)
cat > "$data/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $data/nginx/nginx.pid;
error_log $data/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log /dev/null;
  sendfile on;
  tcp_nopush on;
  types { application/octet-stream bin; }
  client_body_temp_path $data/nginx; proxy_temp_path $data/nginx; fastcgi_temp_path $data/nginx; uwsgi_temp_path $data/nginx; scgi_temp_path $data/nginx;
  server { listen 127.0.0.1:$nginx_port; root $data/www; }
}
CONF
nginx -c "$data/nginx/nginx.conf" -p "$data/nginx"
for _ in $(seq 50); do [ -s "$data/nginx/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$data/nginx/nginx.pid")

client=$("$lgsp" client add --id bench-files --name "Đo tốc độ tệp" --type confidential --grant client_credentials --scope docstore.files)
client_id=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client"]["clientId"])')
secret=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientSecret"])')
token() { curl -fs -u "$client_id:$secret" -d grant_type=client_credentials -d scope=docstore.files "http://127.0.0.1:$port/sso/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$size / ($2 - $1):.1f}')"; }
echo "lgsp $(git rev-parse --short HEAD) release, nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(nproc) cores, $size MiB, $rounds rounds, loopback, disk: $(df -h "$data" | awk 'NR==2 {print $1}')"
printf "%-6s %10s %12s %10s %10s %12s %10s\n" round "dd MiB/s" "upload MiB/s" "up/dd" "nginx" "download" "down/nginx"
results=()
for round in $(seq "$rounds"); do
  auth="Authorization: Bearer $(token)"
  t0=$(now); dd if="$data/www/file.bin" of="$data/dd.out" bs=1M conv=fsync status=none; t1=$(now); rm -f "$data/dd.out"
  dd_rate=$(rate "$t0" "$t1")
  location=$(curl -fs -D - -o /dev/null -X POST -H "$auth" -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $((size << 20))" "http://127.0.0.1:$port/api/v1/files/tus" \
    | awk 'tolower($1)=="location:" {print $2}' | tr -d '\r')
  t0=$(now)
  offset=$(curl -fs -D - -o /dev/null -X PATCH -T "$data/www/file.bin" -H "Expect:" -H "$auth" -H "Tus-Resumable: 1.0.0" -H "Upload-Offset: 0" \
    -H "Content-Type: application/offset+octet-stream" "$location" | awk 'tolower($1)=="upload-offset:" {print $2}' | tr -d '\r')
  t1=$(now)
  [ "$offset" = $((size << 20)) ] || { echo "upload incomplete: $offset" >&2; exit 1; }
  up_rate=$(rate "$t0" "$t1")
  id=${location##*/}
  t0=$(now); curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/file.bin"; t1=$(now)
  nginx_rate=$(rate "$t0" "$t1")
  t0=$(now); got=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/files/$id" | sha256sum | cut -d' ' -f1); t1=$(now)
  [ "$got" = "$sha" ] || { echo "download differs" >&2; exit 1; }
  # sha256sum in the pipe costs time too; measure the plain download separately for the rate.
  t0=$(now); curl -fs -o /dev/null -H "$auth" "http://127.0.0.1:$port/api/v1/files/$id"; t1=$(now)
  down_rate=$(rate "$t0" "$t1")
  curl -fs -o /dev/null -X DELETE -H "$auth" -H "Tus-Resumable: 1.0.0" "$location"
  printf "%-6s %10s %12s %10s %10s %12s %10s\n" "$round" "$dd_rate" "$up_rate" "$(python3 -c "print(f'{$up_rate / $dd_rate:.2f}')")" \
    "$nginx_rate" "$down_rate" "$(python3 -c "print(f'{$down_rate / $nginx_rate:.2f}')")"
  results+=("$dd_rate $up_rate $nginx_rate $down_rate")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
med = lambda xs: statistics.median(xs)
dd, up, ng, down = (med([r[i] for r in rows]) for i in range(4))
up_ratio = med([r[1] / r[0] for r in rows]); down_ratio = med([r[3] / r[2] for r in rows])
print(f"median  dd {dd:.1f} MiB/s, upload {up:.1f} MiB/s ({up_ratio:.0%} of dd); nginx {ng:.1f} MiB/s, download {down:.1f} MiB/s ({down_ratio:.0%} of nginx)")
ok = up_ratio >= 0.5 and down_ratio >= 0.5
print("targets (upload ≥ 50 % of dd, download ≥ 50 % of nginx):", "met" if ok else "NOT met")
'
