-- wrk: each connection pulls the whole directory (topics, Lotsen, events: what an anonymous
-- device sees) page by page (1,000 records a page), following the cursor, and starts again.
-- Counts the full pulls.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local cursor = "0"
pulls = 0
errors = 0

function request()
  return wrk.format("GET", "/api/v1/changes?since=" .. cursor .. "&limit=1000")
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    cursor = "0"
    return
  end
  local next_cursor = body:match('"cursor":"([^"]*)"')
  if body:find('"has_more":true', 1, true) and next_cursor then
    cursor = next_cursor
  else
    cursor = "0"
    pulls = pulls + 1
  end
end

function done(summary, latency, requests)
  local pulls, errors = 0, 0
  for _, t in ipairs(threads) do
    pulls = pulls + (t:get("pulls") or 0)
    errors = errors + (t:get("errors") or 0)
  end
  io.write(string.format("RESULT pulls=%d seconds=%.2f pages=%d errors=%d\n",
    pulls, summary.duration / 1e6, summary.requests, errors))
end
