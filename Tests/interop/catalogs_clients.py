#!/usr/bin/env python3
"""Interop, end to end over real sockets, with third-party clients only:

- a real HTTP cache (CacheControl over requests) revalidates catalog reads with our strong ETags: the
  second read is a 304 answered from its cache, and after a publish the same URL gets the new content;
- exports are read by Python's own csv (UTF-8 with BOM, as Excel needs), xml.etree and json: 3,355
  units of 2025 with Đắk Lắk's 102 under province 66;
- `lgsp catalog sync` pulls the national dictionary stand-in (`lgsp sim`): nothing changed → no
  version; a change in the dictionary → one new version whose diff names the change; the running
  `lgsp serve` serves it within seconds;
- a webhook receiver written here with http.server and hmac checks our HMAC-SHA256 signature
  (`X-LGSP-Signature: t=…,v1=…` over "t.body") and answers 500 once: the delivery is retried.

usage: catalogs_clients.py LGSP_BINARY [DATABASE_URL]   (run from Tests/interop; the repository root is ../..)
"""
import csv, hashlib, hmac, io, json, os, subprocess, sys, tempfile, threading, time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from cachecontrol import CacheControl
from authlib.integrations.requests_client import OAuth2Session

from lgsp_server import LGSPServer, wait_until, check, free_port

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Receiver(BaseHTTPRequestHandler):
    """Collects webhook deliveries; the first one is refused with 500 to see the retry."""
    deliveries = []
    refused = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with Receiver.lock:
            if Receiver.refused == 0:
                Receiver.refused += 1
                self.send_response(500)
                self.end_headers()
                return
            Receiver.deliveries.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def verify_signature(headers, body, secret):
    parts = dict(part.split("=", 1) for part in headers["X-LGSP-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


binary = os.path.abspath(sys.argv[1])
database_url = sys.argv[2] if len(sys.argv) > 2 else ""
sim_port, port, hook_port = free_port(), free_port(), free_port()
sim = subprocess.Popen([binary, "sim", "--port", str(sim_port), "--platform-url", f"http://127.0.0.1:{port}"],
                       cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
hooks = ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
threading.Thread(target=hooks.serve_forever, daemon=True).start()
try:
    lines = [sim.stdout.readline(), sim.stdout.readline()]
    dictionary = next(word for word in lines[1].split() if word.startswith("http://"))
    check("/dictionary/v1" in dictionary, f"lgsp sim serves the national dictionary at {dictionary}")
    data_dir = tempfile.TemporaryDirectory()
    env = {"LGSP_ENV": "development", "LGSP_SEED_DIR": os.path.join(root, "seed-data"), "LGSP_CATALOG_SYNC_URL": dictionary,
           "LGSP_CATALOG_SYNC_INTERVAL": "1h", "LGSP_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = LGSPServer(binary, database_url, data_dir=data_dir.name, extra_env=env, port=str(port))
    with server:
        base = server.url + "/api/v1/catalogs"
        app = json.loads(server.run("client", "add", "--id", "ung-dung-danh-muc", "--name", "Ứng dụng dùng danh mục", "--type", "confidential",
                                    "--grant", "client_credentials", "--scope", "catalogs.admin", "--scope", "catalogs.subscribe"))
        oauth = OAuth2Session(app["client"]["clientId"], app["clientSecret"], scope="catalogs.admin catalogs.subscribe",
                              token_endpoint_auth_method="client_secret_basic")
        oauth.fetch_token(server.url + "/sso/token", grant_type="client_credentials")
        check(oauth.token.get("access_token"), "Authlib got a client-credentials token with catalogs.admin and catalogs.subscribe")

        # --- A real HTTP cache revalidates with our ETags.
        cached = CacheControl(requests.Session())
        unit = f"{base}/don-vi-hanh-chinh/concepts/24133"
        first = cached.get(unit)
        check(first.status_code == 200 and first.json()["display"] == "Phường Buôn Ma Thuột", "GET concept 24133: Phường Buôn Ma Thuột")
        etag = first.headers["ETag"]
        check(etag.startswith('"') and not etag.startswith("W/"), f"strong ETag {etag}, Cache-Control {first.headers['Cache-Control']}")
        conditional = requests.get(unit, headers={"If-None-Match": etag})
        check(conditional.status_code == 304 and conditional.content == b"", "If-None-Match with it → 304 without a body")
        again = cached.get(unit)
        check(getattr(again, "from_cache", False) and again.json()["code"] == "24133",
              "CacheControl revalidated (no-cache) and served the body from its cache")

        # --- Exports read by Python's own parsers.
        export = requests.get(f"{base}/don-vi-hanh-chinh/versions/1/export", params={"format": "csv", "bom": "true"})
        check(export.content.startswith(b"\xef\xbb\xbf") and export.headers["Content-Type"].startswith("text/csv"), "CSV export starts with the UTF-8 BOM")
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        check(len(rows) == 3355, f"csv.DictReader reads {len(rows)} units (34 provinces + 3,321 communes)")
        daklak = [row for row in rows if row.get("parent") == "66"]
        check(len(daklak) == 102, "102 of them have province 66 (Đắk Lắk) as parent")
        check(any(row["display"] == "Phường Buôn Ma Thuột" for row in daklak), "diacritics survive the CSV round (Phường Buôn Ma Thuột)")
        xml = requests.get(f"{base}/don-vi-hanh-chinh/versions/1/export", headers={"Accept": "application/xml"})
        tree = ET.fromstring(xml.content)
        concepts = [element for element in tree.iter() if element.tag.endswith("concept")]
        check(len(concepts) == 3355, f"xml.etree parses the XML export: {len(concepts)} concept elements")
        page = requests.get(f"{base}/don-vi-hanh-chinh/concepts", params={"parent": "66", "limit": 500}).json()
        check(page["total"] == 102 and len(page["items"]) == 102, "JSON: concepts?parent=66 lists exactly 102 units")
        found = requests.get(f"{base}/don-vi-hanh-chinh/concepts", params={"q": "buon ma thuot", "parent": "66"}).json()
        check(any(item["code"] == "24133" for item in found["items"]), "search 'buon ma thuot' (no accents) finds Phường Buôn Ma Thuột")
        translated = requests.get(f"{base}/don-vi-hanh-chinh-truoc-2025/$translate",
                                  params={"code": "24136", "target": "don-vi-hanh-chinh"}).json()
        check(json.dumps(translated, ensure_ascii=False).count("24133") >= 1, "$translate old ward 24136 → 24133")

        # --- Webhook registered by the application itself.
        hook = oauth.post(f"{base}/webhooks", json={"url": f"http://127.0.0.1:{hook_port}/hook", "catalogs": ["gioi-tinh"]})
        check(hook.status_code == 201 and hook.json()["secret"].startswith("whsec_"), "webhook registered; its secret shown once")
        secret = hook.json()["secret"]

        # --- Sync: unchanged, then changed in the national dictionary.
        out = server.run("catalog", "sync", "gioi-tinh")
        versions = requests.get(f"{base}/gioi-tinh/versions").json()
        check(len(versions["items"]) == 1, f"unchanged dictionary → no new version ({out.strip()})")
        seed = json.load(open(os.path.join(root, "seed-data/catalogs/gioi-tinh.json"), encoding="utf-8"))
        changed = [dict(c, display="Không áp dụng (đã sửa)") if c["code"] == "9" else c for c in seed["concepts"]]
        put = requests.put(f"{dictionary}/sim/catalogs/gioi-tinh/concepts", json=changed)
        check(put.status_code == 200, f"the national dictionary publishes a change (version {put.json()['version']})")
        out = server.run("catalog", "sync", "gioi-tinh")
        # Another process published: the server notices within its 1 s generation poll.
        wait_until(lambda: len(requests.get(f"{base}/gioi-tinh/versions").json()["items"]) == 2, 10, "version 2 to be served")
        check("updated" in out, f"changed dictionary → one new version, served by lgsp serve within seconds ({out.strip()})")
        diff = requests.get(f"{base}/gioi-tinh/diff", params={"from": 1, "to": 2}).json()
        changed_codes = [c.get("code") for c in diff.get("changed", [])]
        check(changed_codes == ["9"] and not diff.get("added") and not diff.get("removed"), f"diff 1→2: code 9 changed, nothing added or removed")
        out = server.run("catalog", "sync", "gioi-tinh")
        check(len(requests.get(f"{base}/gioi-tinh/versions").json()["items"]) == 2, "syncing again → still two versions")

        # The new content under the same URL, and the cached ETag no longer matches.
        nine = f"{base}/gioi-tinh/concepts/9"
        check(requests.get(nine).json().get("display") == "Không áp dụng (đã sửa)", "concepts/9 answers with version 2's display")
        old_etag = requests.get(nine, params={"version": 1}).headers["ETag"]
        check(requests.get(nine, headers={"If-None-Match": old_etag}).status_code == 200, "version 1's ETag no longer matches: 200 with the new content")

        # Webhook: refused once, retried, signature verified here.
        wait_until(lambda: Receiver.deliveries, 30, "the webhook delivery")
        headers, body = Receiver.deliveries[0]
        event = json.loads(body)
        check(Receiver.refused == 1, "the receiver's 500 was retried")
        check(verify_signature(headers, body, secret), "hmac.new(secret, t + '.' + body, sha256) equals the v1 signature")
        check(event["catalog"] == "gioi-tinh" and event["version"] == 2 and event["previousVersion"] == 1,
              f"event {event['type']}: gioi-tinh version 1 → 2, diff {event.get('diff')}")
    print("OK: catalogs read by a real HTTP cache, csv, xml.etree and json; sync from the dictionary stand-in; signed webhook verified")
finally:
    hooks.shutdown()
    sim.terminate()
    sim.wait(timeout=10)
