-- wrk script: assign ONE member per request to a subscription of the purchaser.
--
-- Rotates over (write-target subscription, member) pairs so that every request
-- takes a new license (an already-assigned member answers 200 and consumes
-- nothing, which would flatter the numbers). Request k of thread t uses global
-- index i = t + k * threads: subscription i mod S, member (i div S) mod M —
-- distinct pairs for the first S * M requests of the run.
--
-- Environment: BENCH_TOKEN, BENCH_WRITE_SUBS (file, one id per line),
-- BENCH_MEMBERS (file, one id per line), BENCH_THREADS (wrk -t), BENCH_OFFSET
-- (first global index; the warm-up run uses a range the measured run never reaches).

local function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

local next_tid = 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  subs = read_lines(os.getenv("BENCH_WRITE_SUBS"))
  members = read_lines(os.getenv("BENCH_MEMBERS"))
  step = tonumber(os.getenv("BENCH_THREADS") or "2")
  i = (tid or 0) + tonumber(os.getenv("BENCH_OFFSET") or "0")
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  }
end

function request()
  local s = subs[(i % #subs) + 1]
  local m = members[(math.floor(i / #subs) % #members) + 1]
  i = i + step
  return wrk.format("POST", "/v1/subscriptions/" .. s .. "/assignments", headers,
    '{"user_ids":["' .. m .. '"]}')
end
