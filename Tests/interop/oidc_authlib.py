#!/usr/bin/env python3
"""Interop: a real third-party OpenID Connect client (Authlib, joserfc for the ID token) against a live
`lgsp serve` on loopback. Covers discovery; authorization code + PKCE with a scripted login-form post;
ID-token signature check against the JWKS; userinfo; refresh (rotation); introspection (active, then
inactive after revocation); RP-initiated logout; client_credentials with client_secret_basic and with
private_key_jwt. Accounts and clients are created with the `lgsp user add` / `lgsp client add` commands.

usage: oidc_authlib.py LGSP_BINARY [DATABASE_URL]
"""
import json, re, secrets, subprocess, sys, tempfile, time
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from lgsp_server import LGSPServer, check, free_port


binary = sys.argv[1]
database_url = sys.argv[2] if len(sys.argv) > 2 else ""
port = free_port()
issuer = f"http://127.0.0.1:{port}"
redirect_uri = "http://127.0.0.1:9/callback"
post_logout = "http://127.0.0.1:9/bye"
password = "Interop@Daklak2026"

data_dir = tempfile.TemporaryDirectory()
# Development: the SSO cookies are not `Secure`, so a client on plain-HTTP loopback keeps them.
env = {"LGSP_ENV": "development", "LGSP_PUBLIC_URL": issuer, "LGSP_BCRYPT_COST": "10"}
server = LGSPServer(binary, database_url, data_dir=data_dir.name, extra_env=env, port=str(port))

# Accounts and clients first, with the operators' commands.
user = json.loads(server.run("user", "add", "--kind", "official", "--username", "cb.interop", "--name", "Phạm Thị Interop",
                             "--agency-code", "000.00.31.H49", "--role", "gateway.admin", "--password-stdin", stdin=password + "\n"))
web = json.loads(server.run("client", "add", "--id", "rp-web", "--name", "Ứng dụng web thử", "--type", "confidential",
                            "--redirect-uri", redirect_uri, "--post-logout-redirect-uri", post_logout,
                            "--grant", "authorization_code", "--grant", "refresh_token",
                            "--scope", "openid", "--scope", "profile", "--scope", "roles", "--scope", "offline_access"))
system = json.loads(server.run("client", "add", "--id", "he-thong-a", "--name", "Hệ thống A", "--type", "confidential",
                               "--grant", "client_credentials", "--scope", "gateway.call", "--agency-code", "000.00.31.H49"))
agency_key = ECKey.generate_key("P-256", parameters={"kid": "he-thong-b-1"})
jwks_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
json.dump({"keys": [agency_key.as_dict(private=False, alg="ES256", use="sig")]}, jwks_file)
jwks_file.close()
json.loads(server.run("client", "add", "--id", "he-thong-b", "--name", "Hệ thống B", "--type", "confidential",
                      "--auth-method", "private_key_jwt", "--jwks-file", jwks_file.name,
                      "--grant", "client_credentials", "--scope", "gateway.call"))
check(web["clientSecret"] and system["clientSecret"], "lgsp client add printed the secrets once")

with server:
    print(f"lgsp serve at {server.url}")
    browser = requests.Session()

    # Discovery
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    check(metadata["issuer"] == issuer, "discovery: issuer")
    check(metadata["code_challenge_methods_supported"] == ["S256"], "discovery: PKCE S256")
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())

    # Authorization code + PKCE, with a scripted login-form post
    rp = OAuth2Session(web["client"]["clientId"], web["clientSecret"], scope="openid profile roles offline_access",
                       redirect_uri=redirect_uri, code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    page = browser.get(url, timeout=10)
    check(page.status_code == 200 and 'name="password"' in page.text, "authorize shows the Vietnamese login page")
    fields = dict(re.findall(r'name="(request_id|csrf_token)" value="([^"]+)"', page.text))
    posted = browser.post(f"{issuer}/sso/login", data={**fields, "username": "cb.interop", "password": password},
                          allow_redirects=False, timeout=30)
    check(posted.status_code == 303 and posted.headers["Location"].startswith(redirect_uri), "login form post redirects back with a code")
    token = rp.fetch_token(metadata["token_endpoint"], authorization_response=posted.headers["Location"], code_verifier=verifier)
    check({"access_token", "id_token", "refresh_token"} <= set(token), "token endpoint: access, ID and refresh tokens")

    # The ID token's signature against the JWKS, and its claims
    id_token = jwt.decode(token["id_token"], keys, algorithms=["ES256"])
    claims = id_token.claims
    check(id_token.header["alg"] == "ES256" and id_token.header["kid"] in [k.kid for k in keys], "ID token: ES256, kid in the JWKS")
    check(claims["iss"] == issuer and claims["aud"] == "rp-web" and claims["nonce"] == nonce, "ID token: iss, aud, nonce")
    check(claims["sub"] == user["id"] and claims["exp"] > time.time(), "ID token: sub, not expired")

    # UserInfo
    info = rp.get(metadata["userinfo_endpoint"]).json()
    check(info["sub"] == user["id"] and info["name"] == "Phạm Thị Interop" and info["roles"] == ["gateway.admin"], "userinfo")

    # Refresh (rotation)
    old_refresh = token["refresh_token"]
    refreshed = rp.refresh_token(metadata["token_endpoint"], refresh_token=old_refresh)
    check(refreshed["refresh_token"] != old_refresh and refreshed["access_token"] != token["access_token"], "refresh: a new pair")
    replay = requests.post(metadata["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": old_refresh},
                           auth=("rp-web", web["clientSecret"]), timeout=10)
    check(replay.status_code == 400 and replay.json()["error"] == "invalid_grant", "refresh: the spent token is refused")

    # Introspection by a resource server (client he-thong-a), then revocation
    resource = OAuth2Session("he-thong-a", system["clientSecret"], token_endpoint_auth_method="client_secret_basic")
    # The replay above revoked the whole family, including the access token issued by the refresh.
    active = resource.introspect_token(metadata["introspection_endpoint"], token=refreshed["access_token"]).json()
    check(not active["active"], "introspection: tokens of a family whose refresh token was replayed are inactive")
    url, _ = rp.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    silent = browser.get(url, allow_redirects=False, timeout=10)
    check(silent.status_code == 302, "a second authorization uses the SSO session: no password asked")
    token = rp.fetch_token(metadata["token_endpoint"], authorization_response=silent.headers["Location"], code_verifier=verifier)
    access = token["access_token"]
    active = resource.introspect_token(metadata["introspection_endpoint"], token=access).json()
    check(active["active"] and active["client_id"] == "rp-web" and active["sub"] == user["id"], "introspection: active")
    revoked = rp.revoke_token(metadata["revocation_endpoint"], token=access, token_type_hint="access_token")
    check(revoked.status_code == 200, "revocation accepted")
    inactive = resource.introspect_token(metadata["introspection_endpoint"], token=access).json()
    check(inactive == {"active": False}, "introspection: inactive after revocation")

    # RP-initiated logout
    logout = browser.get(metadata["end_session_endpoint"], params={"id_token_hint": token["id_token"],
                         "post_logout_redirect_uri": post_logout, "state": "bye-1"}, allow_redirects=False, timeout=10)
    check(logout.status_code == 302 and logout.headers["Location"] == f"{post_logout}?state=bye-1", "logout returns to the registered URI")
    url, _ = rp.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, prompt="none")
    after = browser.get(url, allow_redirects=False, timeout=10)
    check(parse_qs(urlparse(after.headers["Location"]).query).get("error") == ["login_required"], "after logout the SSO session is gone")
    check(not resource.introspect_token(metadata["introspection_endpoint"], token=token["refresh_token"]).json()["active"],
          "after logout the refresh token is inactive")

    # client_credentials, client_secret_basic
    system_session = OAuth2Session("he-thong-a", system["clientSecret"], scope="gateway.call", token_endpoint_auth_method="client_secret_basic")
    cc = system_session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    check(cc["token_type"] == "Bearer" and cc["scope"] == "gateway.call" and "refresh_token" not in cc, "client_credentials with client_secret_basic")
    access_claims = jwt.decode(cc["access_token"], keys, algorithms=["ES256"]).claims
    check(access_claims["client_id"] == "he-thong-a" and access_claims["agency_code"] == "000.00.31.H49", "access token carries client and agency")

    # client_credentials, private_key_jwt (RFC 7523)
    pkjwt = OAuth2Session("he-thong-b", agency_key, scope="gateway.call", token_endpoint_auth_method="private_key_jwt")
    pkjwt.register_client_auth_method(PrivateKeyJWT(metadata["token_endpoint"], alg="ES256"))
    cc2 = pkjwt.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    check(jwt.decode(cc2["access_token"], keys, algorithms=["ES256"]).claims["sub"] == "he-thong-b", "client_credentials with private_key_jwt")

print("OK: Authlib interop passed")
