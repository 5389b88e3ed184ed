-- wrk script for GET targets: adds the Authorization header from BENCH_AUTHORIZATION, so a token
-- never appears on a command line. Defines no request() function, so wrk still sends one
-- pre-built request and the script costs nothing per request.
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end
