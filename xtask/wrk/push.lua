-- wrk: every call pushes one new request (its own id and mutation_id) as one anonymous device
-- per wrk thread. `wrk ... -s push.lua -- NONCE`: NONCE (8 hex digits) keeps the ids of one run
-- apart from every other run's.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local nonce = "00000000"
local counter = 0
local key

function init(args)
  nonce = args[1] or nonce
  key = string.format("bench-device-%s-%04x-key", nonce, tid)
end

local body = [[{"mutations":[{"mutation_id":"%s","collection":"requests","id":"%s","base_version":0,"deleted":false,"data":{"kind":"frage","topic":null,"title":"Lastprobe","description":"Wie lege ich eine Serienbrief-Vorlage an?","requester":{"name":"Eva Beispiel","department":"Bürgerbüro","contact":"-1234"},"status":"neu","assignee":null}}]}]]

function request()
  counter = counter + 1
  local id = string.format("%s-%04x-4000-8000-%012x", nonce, tid, counter)
  local mutation = string.format("%s-%04x-4000-9000-%012x", nonce, tid, counter)
  return wrk.format("POST", "/api/v1/push", {
    ["Content-Type"] = "application/json",
    ["X-Device-Key"] = key,
  }, string.format(body, mutation, id))
end

refused = 0

function response(status, headers, resp)
  if status ~= 200 or not resp:find('"status":"applied"', 1, true) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local not_applied = 0
  for _, t in ipairs(threads) do
    not_applied = not_applied + (t:get("refused") or 0)
  end
  io.write(string.format("RESULT pushes=%d seconds=%.2f p50_ms=%.1f p99_ms=%.1f not_applied=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, not_applied))
end
