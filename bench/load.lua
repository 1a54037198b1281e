-- wrk script for `make bench`: one authenticated request mix, or one endpoint on its own.
--
--   wrk -t N -c N -d 20s -s bench/load.lua http://127.0.0.1:PORT -- DATA.lua MODE OUT
--
-- DATA.lua (written by bench/run.py) returns signed-in sessions: participants with a cookie and a
-- CSRF token, clinicians with a cookie and the participants who shared with them.
-- MODE: mix | hello | create | list | share | dashboard | prepare | journal_page | prepare_page
-- Run with as many threads as connections: each thread then has one connection, so a response
-- always belongs to the thread's last request, and each request is timed here, per endpoint
-- (wrk itself only reports one latency distribution per run).
-- OUT.<thread number> gets one line per response: endpoint, status, latency in microseconds;
-- the file named by $STEM_BENCH_SUMMARY gets wrk's own totals.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } stem_timespec;
  int clock_gettime(int clock_id, stem_timespec *tp);
]]
local clock = ffi.new("stem_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local MIX = { { "create", 40 }, { "list", 30 }, { "share", 10 }, { "dashboard", 10 }, { "prepare", 10 } }
local KINDS = { "thought", "feeling", "disagreement", "question", "goal" }
local TEXTS = {
  "Walked to the bakery and back; my back held up until the corner.",
  "I do not agree that the pain is only in my head.",
  "Vandaag lukte het fietsen tien minuten, daarna veel pijn in mijn nek.",
  "Can we talk about the exercise plan? It feels like too much at once.",
  "Ik voel me niet gehoord als we het over de oorzaak hebben.",
  "Slept badly again, woke at four with burning in my legs.",
}

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

local data, mode
local current, current_started, current_entry, current_participant
local pending = {} -- entries this thread created and may share: { participant index, id }

function init(args)
  data = dofile(args[1])
  mode = args[2]
  math.randomseed(os.time() * 1000 + thread_number)
  -- one file per thread, one line per response; stdio buffers it and wrk's exit flushes it
  -- (copying big tables out of the threads with thread:get crashes wrk 4.1)
  out = assert(io.open(string.format("%s.%d", args[3], thread_number), "w"))
end

local function uuid4()
  local hex = "0123456789abcdef"
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (template:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return hex:sub(v + 1, v + 1)
  end))
end

local function pick_mix()
  local roll = math.random(1, 100)
  for _, item in ipairs(MIX) do
    roll = roll - item[2]
    if roll <= 0 then
      return item[1]
    end
  end
  return MIX[#MIX][1]
end

local function participant_headers(p, with_body)
  local headers = { ["Cookie"] = p.cookie, ["Accept"] = "application/json" }
  if with_body then
    headers["Content-Type"] = "application/json"
    headers["X-CSRF-Token"] = p.csrf
  end
  return headers
end

local function build(name)
  if name == "hello" then
    return wrk.format("GET", "/healthz")
  end
  if name == "share" and #pending == 0 then
    name = "create" -- nothing of this thread's own to share yet: write something first
  end
  if name == "create" then
    local index = math.random(1, #data.participants)
    local p = data.participants[index]
    current_entry = uuid4()
    current_participant = index
    local body = string.format('{"id":"%s","kind":"%s","body":"%s"}', current_entry,
      KINDS[math.random(1, #KINDS)], TEXTS[math.random(1, #TEXTS)])
    return "create", wrk.format("POST", "/api/v1/entries", participant_headers(p, true), body)
  end
  if name == "share" then
    local item = table.remove(pending, 1)
    local p = data.participants[item[1]]
    local body = string.format('{"entry_ids":["%s"],"audience":"team"}', item[2])
    return "share", wrk.format("POST", "/api/v1/shares", participant_headers(p, true), body)
  end
  if name == "list" or name == "journal_page" then
    local p = data.participants[math.random(1, #data.participants)]
    if name == "list" then
      return name, wrk.format("GET", "/api/v1/entries?limit=50", participant_headers(p, false))
    end
    return name, wrk.format("GET", "/journal", { ["Cookie"] = p.cookie, ["Accept"] = "text/html" })
  end
  local c = data.clinicians[math.random(1, #data.clinicians)]
  if name == "dashboard" then
    return name, wrk.format("GET", "/api/v1/clinician/participants", { ["Cookie"] = c.cookie })
  end
  local participant_id = c.participants[math.random(1, #c.participants)]
  if name == "prepare" then
    return name, wrk.format("GET", "/api/v1/clinician/participants/" .. participant_id .. "/entries",
      { ["Cookie"] = c.cookie })
  end
  return name, wrk.format("GET", "/clinician/participants/" .. participant_id,
    { ["Cookie"] = c.cookie, ["Accept"] = "text/html" })
end

function request()
  local name = mode
  if mode == "mix" then
    name = pick_mix()
  elseif mode == "share" and #pending == 0 then
    name = "create"
  end
  local built, raw = build(name)
  if raw == nil then -- hello returns only the request
    raw, built = built, "hello"
  end
  current = built
  current_started = now_us()
  return raw
end

function response(status, headers, body)
  out:write(current, "\t", status, "\t", string.format("%.0f", now_us() - current_started), "\n")
  if current == "create" and status == 201 then
    pending[#pending + 1] = { current_participant, current_entry }
  end
end

function done(summary, latency, requests)
  local file = assert(io.open(os.getenv("STEM_BENCH_SUMMARY"), "w"))
  file:write(string.format("%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  file:close()
end
