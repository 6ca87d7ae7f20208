-- wrk script for ocpo's benchmark. It counts the status of every answer (wrk itself counts
-- only statuses >= 400, and only in total), so the bench can refuse a run whose answers
-- were not the expected ones; it varies the path per request when WRK_PATHS_FILE names a
-- file of paths (one per line), so a scenario can ask what no cache has seen; and it prints
-- one JSON line with the percentiles wrk's own report leaves out (p95).
--   WRK_HEADER      optional "Name: value" request header
--   WRK_PATHS_FILE  optional file of paths; thread i asks for lines i, i + n, i + 2n, ...
--   WRK_THREADS     n, the number of wrk threads (-t), so threads never repeat each other
local header = os.getenv("WRK_HEADER")
if header then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

local paths = {}
local paths_file = os.getenv("WRK_PATHS_FILE")
if paths_file and paths_file ~= "" then
  for line in io.lines(paths_file) do
    if #line > 0 then
      table.insert(paths, line)
    end
  end
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  position = thread_index or 0
  step = tonumber(os.getenv("WRK_THREADS") or "1")
end

if #paths > 0 then
  -- Defined only when varying: wrk sends a fixed request faster without it.
  function request()
    local path = paths[(position % #paths) + 1]
    position = position + step
    return wrk.format(nil, path)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses") or {}) do
      merged[code] = (merged[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "http_errors": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "statuses": {%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    table.concat(parts, ", ")))
end
