-- wrk script for GET targets: headers from the environment and status counting (common.lua). Defines no
-- request() function, so wrk still sends one pre-built request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
