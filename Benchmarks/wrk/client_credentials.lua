-- POST /sso/token, grant_type=client_credentials, client_secret_basic.
-- BENCH_AUTHORIZATION: the Authorization header (Basic …).
wrk.method = "POST"
wrk.path = "/sso/token"
wrk.body = "grant_type=client_credentials&scope=gateway.call"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
