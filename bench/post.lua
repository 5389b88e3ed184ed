-- wrk script for POST /api/v1/posts: the Authorization header from BENCH_AUTHORIZATION and a fresh
-- title per request (so each creates a post with its own slug, as real clients do). The body is the
-- same document as bench.targets.post_body. Usage: wrk ... -s bench/post.lua <url> -- <title prefix>
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local prefix, counter = "wrk", 0
function init(args)
  prefix = string.format("%s t%d", args[1] or prefix, thread_id or 0)
end

local template = '{"title": "%s %d", "status": "draft", "content_raw": {"blocks": ['
  .. '{"type": "header", "data": {"text": "Load test", "level": 2}}, '
  .. '{"type": "paragraph", "data": {"text": "Posted by <b>wrk</b> during a PolyCMS benchmark."}}]}}'

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(template, prefix, counter))
end
