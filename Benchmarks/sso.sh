#!/usr/bin/env bash
# SSO throughput on loopback with wrk: client_credentials grants/s, introspections/s and password
# logins/s (bcrypt cost 10, through the real login page). Release build, SQLite in a temporary folder,
# production settings (JSON access logs at level info, to /dev/null). The client (wrk) and the server
# share the machine's cores; per-core figures divide by the machine's core count, which flatters nobody.
#
# usage: Benchmarks/sso.sh [seconds=20] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
connections=${2:-32}
cores=$(nproc)
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }; }
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp

data=$(mktemp -d /tmp/lgsp-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LGSP_DATA_DIR=$data LGSP_PORT=$port LGSP_ENV=production LGSP_LOG_LEVEL=info LGSP_BCRYPT_COST=10
export LGSP_MASTER_KEY=$(head -c 32 /dev/urandom | base64) LGSP_PUBLIC_URL=http://127.0.0.1:$port LGSP_LOGIN_RATE_LIMIT=100000
password='Bench@Daklak2026'

secret_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["clientSecret"])'; }
system_secret=$("$lgsp" client add --id bench-system --name "Hệ thống đo" --type confidential --grant client_credentials --scope gateway.call 2>/dev/null | secret_of)
resource_secret=$("$lgsp" client add --id bench-resource --name "Máy chủ tài nguyên" --type confidential --grant client_credentials --scope gateway.call 2>/dev/null | secret_of)
"$lgsp" client add --id bench-web --name "Web đo" --type confidential --redirect-uri https://bench.example.vn/cb --grant authorization_code --scope openid >/dev/null 2>&1
echo "$password" | "$lgsp" user add --kind official --username cb.bench --name "Cán bộ đo" --password-stdin >/dev/null 2>&1

"$lgsp" serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

token=$(curl -fs -u "bench-system:$system_secret" -d grant_type=client_credentials -d scope=gateway.call "http://127.0.0.1:$port/sso/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

rate() { awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "FAILED: " $0 > "/dev/stderr"; exit 1}'; }
basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }
echo "lgsp $(git rev-parse --short HEAD) release, $cores cores, wrk -c $connections -d ${seconds}s, SQLite, production logging"

# Warm-up, then measure.
BENCH_AUTHORIZATION="$(basic bench-system "$system_secret")" wrk -t 2 -c "$connections" -d 3s -s Benchmarks/wrk/client_credentials.lua "http://127.0.0.1:$port" >/dev/null
cc=$(BENCH_AUTHORIZATION="$(basic bench-system "$system_secret")" wrk -t 2 -c "$connections" -d "${seconds}s" -s Benchmarks/wrk/client_credentials.lua "http://127.0.0.1:$port" | tee /dev/stderr | rate)
intro=$(BENCH_AUTHORIZATION="$(basic bench-resource "$resource_secret")" BENCH_TOKEN=$token wrk -t 2 -c "$connections" -d "${seconds}s" -s Benchmarks/wrk/introspect.lua "http://127.0.0.1:$port" | tee /dev/stderr | rate)
logins=$(BENCH_CLIENT_ID=bench-web BENCH_USERNAME=cb.bench BENCH_PASSWORD=$password BENCH_REDIRECT=https://bench.example.vn/cb \
  wrk -t 4 -c 4 -d "${seconds}s" -s Benchmarks/wrk/password_login.lua "http://127.0.0.1:$port" | tee /dev/stderr | awk '/^LOGINS/ {print $7}')

python3 - "$cc" "$intro" "$logins" "$cores" <<'PY'
import sys
cc, intro, logins, cores = (float(x) for x in sys.argv[1:5])
# Keycloak's published sizing: 1 vCPU per 120 client-credential grants/s and per 15 password logins/s.
rows = [("client_credentials grants/s", cc, 120), ("introspections/s", intro, 120), ("password logins/s (bcrypt 10)", logins, 15)]
print(f"\n{'':32}{'total':>10}{'per core':>10}{'Keycloak/core':>15}{'ratio':>8}")
for name, total, keycloak in rows:
    per_core = total / cores
    print(f"{name:32}{total:10.0f}{per_core:10.0f}{keycloak:15.0f}{per_core / keycloak:7.1f}x")
PY
