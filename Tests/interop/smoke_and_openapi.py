#!/usr/bin/env python3
"""`lgsp serve` on a fresh data folder answers /health and /health/services with database and blobs up,
and /openapi.json is a valid OpenAPI 3.1 document (checked by openapi-spec-validator).

usage: smoke_and_openapi.py LGSP_BINARY [DATABASE_URL]
"""
import sys
from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts  # noqa: F401  (fails early on an incompatible validator)
from lgsp_server import LGSPServer

binary = sys.argv[1]
database_url = sys.argv[2] if len(sys.argv) > 2 else ""
with LGSPServer(binary, database_url) as server:
    status, headers, body = server.get("/health")
    assert status == 200 and body["status"] == "up", (status, body)
    assert headers.get("X-Request-Id"), "no X-Request-Id"
    status, _, body = server.get("/health/services")
    components = {c["name"]: c["status"] for c in body["components"]}
    assert status == 200 and components.get("database") == "up" and components.get("blobs") == "up", (status, body)
    status, _, document = server.get("/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1"), document.get("openapi")
    validate(document)  # raises on an invalid document
    status, headers, problem = server.get("/no/such/route")
    assert status == 404 and headers["Content-Type"].startswith("application/problem+json"), (status, headers)
    print(f"OK: {server.url} health levels 1 and 2 up ({', '.join(components)}), "
          f"/openapi.json valid OpenAPI {document['openapi']} with {len(document['paths'])} paths")
