#!/usr/bin/env python3
"""Interop, end to end over real sockets: a third-party OIDC client (Authlib) signs in at our SSO,
chooses "Đăng nhập bằng VNeID", signs in at the national identity stand-in (`lgsp sim`) as a test
citizen, and receives from our SSO an ID token whose personal_id is the citizen's; a second sign-in of
the same citizen (fresh browser) gets the same `sub`. Then the same with the userinfo-only profile.

usage: federation_authlib.py LGSP_BINARY [DATABASE_URL]   (run from Tests/interop; the repository root is ../..)
"""
import json, os, re, secrets, signal, subprocess, sys, tempfile, time

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from lgsp_server import LGSPServer, check, free_port

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


binary = os.path.abspath(sys.argv[1])
database_url = sys.argv[2] if len(sys.argv) > 2 else ""
sim_port, port = free_port(), free_port()
issuer = f"http://127.0.0.1:{port}"
sim_issuer = f"http://127.0.0.1:{sim_port}/vdxp"
citizens = json.load(open(os.path.join(root, "seed-data/national-sim/citizens.json"), encoding="utf-8"))["citizens"]
citizen = citizens[7]
redirect_uri = "http://127.0.0.1:9/callback"

sim = subprocess.Popen([binary, "sim", "--port", str(sim_port), "--platform-url", issuer, "--client-secret", "s3cret-sim"],
                       cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    line = sim.stdout.readline()
    check("đang chạy" in line, f"lgsp sim started: {line.strip()}")
    providers = json.dumps([
        {"id": "vneid", "name": "VNeID", "issuer": sim_issuer, "clientId": "lgsp", "clientSecretEnv": "VNEID_SECRET",
         "scopes": ["openid", "profile"], "profile": "oidc"},
        {"id": "vneid-userinfo", "name": "VNeID (userinfo)", "issuer": sim_issuer, "clientId": "lgsp-userinfo",
         "clientSecretEnv": "VNEID_SECRET", "scopes": ["openid"], "profile": "userinfo"},
    ])
    data_dir = tempfile.TemporaryDirectory()
    env = {"LGSP_ENV": "development", "LGSP_PUBLIC_URL": issuer, "LGSP_IDENTITY_PROVIDERS": providers, "VNEID_SECRET": "s3cret-sim"}
    server = LGSPServer(binary, database_url, data_dir=data_dir.name, extra_env=env, port=str(port))
    web = json.loads(server.run("client", "add", "--id", "cong-dich-vu-cong", "--name", "Cổng dịch vụ công", "--type", "confidential",
                                "--redirect-uri", redirect_uri, "--grant", "authorization_code",
                                "--scope", "openid", "--scope", "profile", "--scope", "personal_id"))

    with server:
        metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())

        def federated_sign_in(provider, person):
            browser = requests.Session()
            rp = OAuth2Session("cong-dich-vu-cong", web["clientSecret"], scope="openid profile personal_id", redirect_uri=redirect_uri,
                               code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
            verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
            url, _ = rp.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
            page = browser.get(url, timeout=10)
            check("Đăng nhập bằng VNeID" in page.text, f"[{provider}] our login page offers VNeID")
            fields = dict(re.findall(r'name="(request_id|csrf_token)" value="([^"]+)"', page.text))
            to_provider = browser.post(f"{issuer}/sso/broker/{provider}/start", data=fields, allow_redirects=False, timeout=10)
            check(to_provider.status_code == 303 and to_provider.headers["Location"].startswith(sim_issuer), f"[{provider}] redirected to the stand-in")
            sim_page = browser.get(to_provider.headers["Location"], params={"q": person["personalId"]}, timeout=10)
            txn = re.search(r'name="txn" value="([^"]+)"', sim_page.text).group(1)
            check(person["fullName"] in sim_page.text, f"[{provider}] the stand-in lists the test citizen")
            back = browser.post(f"{sim_issuer}/login", data={"txn": txn, "personal_id": person["personalId"]}, allow_redirects=False, timeout=10)
            check(back.status_code == 302 and back.headers["Location"].startswith(f"{issuer}/sso/broker/{provider}/callback"), f"[{provider}] back to our callback")
            done = browser.get(back.headers["Location"], allow_redirects=False, timeout=15)
            check(done.status_code == 303 and done.headers["Location"].startswith(redirect_uri), f"[{provider}] our SSO finishes the application's request")
            token = rp.fetch_token(metadata["token_endpoint"], authorization_response=done.headers["Location"], code_verifier=verifier)
            claims = jwt.decode(token["id_token"], keys, algorithms=["ES256"]).claims
            check(claims["nonce"] == nonce and claims["aud"] == "cong-dich-vu-cong", f"[{provider}] ID token verified against our JWKS")
            check(claims["personal_id"] == person["personalId"], f"[{provider}] personal_id is the citizen's ({person['personalId']})")
            check(claims.get("idp") == provider and claims.get("name") == person["fullName"], f"[{provider}] idp and name")
            federated_sign_in.last_token = token
            return claims["sub"]

        first = federated_sign_in("vneid", citizen)
        second = federated_sign_in("vneid", citizen)
        check(first == second, "a second sign-in of the same citizen reuses the same sub")
        other = citizens[11]
        third = federated_sign_in("vneid-userinfo", other)
        fourth = federated_sign_in("vneid-userinfo", other)
        check(third == fourth and third != first, "userinfo profile: same sub on the second sign-in, another person another sub")
        # Both profiles key the account by personal id: the first citizen through the userinfo profile is the same account.
        check(federated_sign_in("vneid-userinfo", citizen) == first, "one account per personal id across providers")

        # Back-channel: the citizen logs out at the national platform; our sessions end, tokens go inactive.
        federated_sign_in("vneid", other)
        access = federated_sign_in.last_token["access_token"]
        introspect = lambda: requests.post(metadata["introspection_endpoint"], data={"token": access},
                                           auth=("cong-dich-vu-cong", web["clientSecret"]), timeout=10).json()
        check(introspect()["active"], "introspection: active before the national logout")
        delivered = requests.post(f"{sim_issuer}/sim/citizens/{other['personalId']}/logout", timeout=10).json()["delivered"]
        check(delivered >= 1, "the stand-in delivered a back-channel logout token to our SSO")
        check(not introspect()["active"], "introspection: inactive after the back-channel logout")
finally:
    sim.send_signal(signal.SIGTERM)
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()

print("OK: federated sign-in through the VNeID stand-in passed")
