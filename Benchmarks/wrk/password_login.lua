-- Password logins through the real login page: each iteration is GET /sso/authorize (the login page,
-- with its request id, CSRF token and cookie) then POST /sso/login; a 303 back to the application is one
-- completed login. Run with as many connections as threads (-c N -t N): each thread keeps its own state.
-- BENCH_CLIENT_ID, BENCH_USERNAME, BENCH_PASSWORD, BENCH_REDIRECT.
local client = os.getenv("BENCH_CLIENT_ID")
local username = os.getenv("BENCH_USERNAME")
local password = os.getenv("BENCH_PASSWORD")
local redirect = os.getenv("BENCH_REDIRECT")
local threads = {}

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  step = "page"
  logins = 0
  errors = 0
  form = nil
  cookie = nil
  authorize = "/sso/authorize?response_type=code&client_id=" .. encode(client) .. "&redirect_uri=" .. encode(redirect)
    .. "&scope=openid&state=bench&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
end

function request()
  if step == "page" then
    return wrk.format("GET", authorize, {})
  end
  local body = "request_id=" .. encode(form.request_id) .. "&csrf_token=" .. encode(form.csrf)
    .. "&username=" .. encode(username) .. "&password=" .. encode(password)
  return wrk.format("POST", "/sso/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

function response(status, headers, body)
  if step == "page" then
    local request_id = body:match('name="request_id" value="([^"]+)"')
    local csrf = body:match('name="csrf_token" value="([^"]+)"')
    local set_cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
    -- "__Host-lgsp_csrf" outside development.
    local name, value = set_cookie:match("([%w_%-]*lgsp_csrf)=([^;]+)")
    cookie = name and (name .. "=" .. value) or nil
    if status == 200 and request_id and csrf and cookie then
      form = { request_id = request_id, csrf = csrf }
      step = "post"
    else
      errors = errors + 1
    end
  else
    if status == 303 then logins = logins + 1 else errors = errors + 1 end
    step = "page"
  end
end

function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("logins")
    failed = failed + thread:get("errors")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("LOGINS %d in %.1f s = %.1f logins/s (%d errors)\n", total, seconds, total / seconds, failed))
end
