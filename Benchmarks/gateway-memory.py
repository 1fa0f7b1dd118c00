#!/usr/bin/env python3
"""Peak memory of `lgsp serve` while 1 GiB passes through the gateway each way: a consumer downloads
a 1 GiB response from the provider's service and uploads a 1 GiB request body to it, through
`/gw/{service}/{version}/…`, with the token check, grant, transaction log all on.

The upstream is a small Python server on loopback that generates the response and hashes the request
without keeping either. A thread samples the server's anonymous resident memory (RssAnon) every 10 ms;
the limit applies to its peak. Both directions are checked end to end by SHA-256, and the transaction
log must hold the same digests.

usage: Benchmarks/gateway-memory.py [--lgsp .build/release/lgsp] [--size-mib 1024] [--limit-mib 64]
"""
import argparse, hashlib, http.server, json, os, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "interop"))
import requests  # noqa: E402
from lgsp_server import LGSPServer, free_port  # noqa: E402
from gateway_world import GatewayWorld  # noqa: E402
from memory_sampler import Sampler  # noqa: E402

MiB = 1 << 20
BLOCK = hashlib.sha256(b"lgsp").digest() * (MiB // 32)


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        size = int(self.path.split("size=")[1]) if "size=" in self.path else 16
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        left = size
        while left > 0:
            n = min(MiB, left)
            self.wfile.write(BLOCK[:n])
            left -= n

    def do_POST(self):
        digest, left = hashlib.sha256(), int(self.headers["Content-Length"])
        while left > 0:
            piece = self.rfile.read(min(MiB, left))
            if not piece:
                break
            digest.update(piece)
            left -= len(piece)
        body = json.dumps({"sha256": digest.hexdigest()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Body:
    def __init__(self, size):
        self.size, self.digest = size, hashlib.sha256()

    def __len__(self):
        return self.size

    def __iter__(self):
        left = self.size
        while left > 0:
            n = min(MiB, left)
            chunk = BLOCK[:n]
            self.digest.update(chunk)
            left -= n
            yield chunk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lgsp", default=".build/release/lgsp")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--limit-mib", type=int, default=64)
    args = ap.parse_args()
    size = args.size_mib * MiB
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = LGSPServer(os.path.abspath(args.lgsp), data_dir=data, port=str(port), extra_env={"LGSP_PUBLIC_URL": f"http://127.0.0.1:{port}"})
        with server:
            pid = server.proc.pid
            world = GatewayWorld(server, f"http://127.0.0.1:{upstream.server_address[1]}/api")
            auth = {"Authorization": f"Bearer {world.consumer}"}
            sampler = Sampler(pid).__enter__()
            expected = hashlib.sha256()
            left = size
            while left > 0:
                n = min(MiB, left)
                expected.update(BLOCK[:n])
                left -= n
            started = time.monotonic()
            down = hashlib.sha256()
            with requests.get(f"{world.call}/big?size={size}", headers=auth, stream=True) as response:
                assert response.status_code == 200, (response.status_code, response.text[:500])
                for piece in response.iter_content(MiB):
                    down.update(piece)
            down_seconds = time.monotonic() - started
            body = Body(size)
            started = time.monotonic()
            response = requests.post(f"{world.call}/sink", data=body, headers={**auth, "Content-Type": "application/octet-stream"})
            up_seconds = time.monotonic() - started
            assert response.status_code == 200, (response.status_code, response.text[:500])
            received = response.json()["sha256"]
            sampler.__exit__(None, None, None)
            log = requests.get(f"{server.url}/api/v1/gateway/transactions", headers={"Authorization": f"Bearer {world.operator}"}).json()["items"]
    upstream.shutdown()
    download_ok = down.hexdigest() == expected.hexdigest()
    upload_ok = received == body.digest.hexdigest()
    logged = {entry["pathTemplate"]: entry for entry in log}
    log_ok = (logged.get("/big", {}).get("responseSha256") == expected.hexdigest() and logged.get("/sink", {}).get("requestSha256") == body.digest.hexdigest()
              and logged.get("/big", {}).get("bytesOut") == size and logged.get("/sink", {}).get("bytesIn") == size)
    print(f"lgsp serve, {args.size_mib} MiB through the gateway each way (token, grant, transaction log on), SQLite, loopback")
    within = sampler.report(args.limit_mib)
    print(f"  response {size / MiB / down_seconds:7.1f} MiB/s, SHA-256 {'ok' if download_ok else 'WRONG'}")
    print(f"  request  {size / MiB / up_seconds:7.1f} MiB/s, SHA-256 {'ok' if upload_ok else 'WRONG'}")
    print(f"  transaction log: sizes and digests {'ok' if log_ok else 'WRONG'}")
    ok = download_ok and upload_ok and log_ok and within
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
