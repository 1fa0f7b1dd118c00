#!/usr/bin/env python3
"""Stopping PostgreSQL under a running `lgsp serve` turns /health/services into 503 naming the database
while /health stays 200; starting PostgreSQL again recovers without restarting lgsp.

usage: postgres_outage.py LGSP_BINARY DATABASE_URL PG_CLUSTER_SCRIPT PG_CLUSTER_DIR
"""
import subprocess, sys, time
from lgsp_server import LGSPServer, wait_until

binary, database_url, cluster, cluster_dir = sys.argv[1:5]
with LGSPServer(binary, database_url) as server:
    status, _, body = server.get("/health/services")
    assert status == 200, (status, body)

    subprocess.run([cluster, "pause", cluster_dir], check=True)
    stopped = time.monotonic()
    try:
        status, _, body = server.get("/health/services", timeout=15)
        answered = time.monotonic() - stopped
        components = {c["name"]: c for c in body["components"]}
        assert status == 503, (status, body)
        assert body["status"] == "down"
        assert components["database"]["status"] == "down", body
        assert components["blobs"]["status"] == "up", body
        status, _, body = server.get("/health")
        assert status == 200 and body["status"] == "up", (status, body)
        print(f"PostgreSQL down: /health/services 503 naming the database after {answered:.2f} s; /health 200")
    finally:
        subprocess.run([cluster, "resume", cluster_dir], check=True)
    resumed = time.monotonic()
    wait_until(lambda: server.get("/health/services", timeout=15)[0] == 200, 60, "recovery")
    print(f"PostgreSQL back: /health/services 200 again {time.monotonic() - resumed:.2f} s after restart, without restarting lgsp")
