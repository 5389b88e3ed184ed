-- Shared by get.lua and post.lua (loaded with dofile from BENCH_LUA_DIR):
-- * the request headers from BENCH_HEADERS, one "Name: value" per line, so a token never appears on a
--   command line;
-- * every response's status counted, and the counts printed by done() as "status <code> <count>" lines:
--   tools.bench.load checks each against the target's expected status (wrk itself only counts >= 400).
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("status %d %d\n", status, n))
  end
end
