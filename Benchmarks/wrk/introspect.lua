-- POST /sso/introspect of one access token, by a resource server authenticating with client_secret_basic.
-- BENCH_AUTHORIZATION (Basic … of the resource server), BENCH_TOKEN (the token to check).
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.path = "/sso/introspect"
wrk.body = "token=" .. token
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
