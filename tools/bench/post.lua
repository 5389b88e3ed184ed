-- wrk script for POST /api/v1/posts: headers from the environment and status counting (common.lua), and a
-- fresh title per request (so each creates a post with its own slug, as real clients do). The body comes
-- from a file that tools.bench.load writes from the target's document, with @TITLE@ where the title goes.
-- Usage: wrk ... -s tools/bench/post.lua <url> -- <title prefix> <body file>
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local placeholder = "@TITLE@"
local prefix, counter, head, tail = "wrk", 0, "", ""
function init(args)
  prefix = string.format("%s t%d", args[1] or prefix, thread_id or 0)
  local file = assert(io.open(args[2], "rb"))
  local template = file:read("*a")
  file:close()
  local at = assert(string.find(template, placeholder, 1, true), "no " .. placeholder .. " in the body file")
  head, tail = string.sub(template, 1, at - 1), string.sub(template, at + #placeholder)
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, head .. prefix .. " " .. counter .. tail)
end
